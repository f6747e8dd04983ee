import type { IQueueProvider } from '../queue/queue-provider.js';
import type { IDocumentDataProvider } from '../store/document-provider.js';

/**
 * The test functions the kit needs, taken from whichever runner the caller
 * uses (vitest, jest, node:test with an expect library). The kit imports no
 * runner itself.
 */
export interface TestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void> | void, timeoutMs?: number): void;
  /**
   * Registers a test as skipped (shown by name, never run, never counted as
   * passed). Taken from `it.skip` when absent (vitest, jest and node:test
   * all have it).
   */
  skip?(name: string, body: () => Promise<void> | void): void;
  beforeEach(body: () => Promise<void> | void): void;
  afterEach(body: () => Promise<void> | void): void;
  /** A Jest/Vitest-style `expect`. */
  expect: ExpectLike;
}

/** The subset of `expect` the kit uses. */
export type ExpectLike = (actual: unknown) => {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeNull(): void;
  toBeDefined(): void;
  toBeGreaterThan(n: number): void;
  toBeGreaterThanOrEqual(n: number): void;
  toBeLessThan(n: number): void;
  toBeLessThanOrEqual(n: number): void;
  toContain(item: unknown): void;
  toHaveLength(n: number): void;
  toMatchObject(expected: object): void;
  not: {
    toBe(expected: unknown): void;
    toEqual(expected: unknown): void;
    toBeNull(): void;
    toContain(item: unknown): void;
  };
  rejects: { toThrow(expected?: unknown): Promise<void>; toMatchObject(expected: object): Promise<void> };
  toThrow(expected?: unknown): void;
};

/**
 * One fresh, isolated provider setup for one test: a store, optionally a
 * queue, and a way to move the store's clock.
 */
export interface ProviderHarness {
  /** A fresh, empty store. */
  store: IDocumentDataProvider;
  /** A fresh queue; the kit's queue areas and bell-driven tests need one. */
  queue?: IQueueProvider;
  /**
   * Moves the store's clock forward by `ms` (FakeClock for memory and file
   * stores; a shifted clock function for SQL stores). Tests that travel in
   * time are skipped when absent.
   */
  advanceTime?(ms: number): Promise<void>;
  /**
   * Opens a second store handle on the same data, as another process would
   * (another connection, another file handle). Used by race tests; the
   * first handle is reused when absent.
   */
  openPeerStore?(): Promise<IDocumentDataProvider>;
  /** Closes everything and removes the test's data. */
  cleanup(): Promise<void>;
}

/** What a provider passes to the kit. */
export interface ConformanceOptions {
  /** Shown in test names, e.g. `fs store + channel queue`. */
  name: string;
  /** The runner's functions. */
  test: TestApi;
  /** Makes a fresh harness per test. */
  createHarness(): Promise<ProviderHarness>;
  /**
   * Which paths to run: `native` (the provider's capabilities), `fallback`
   * (core's fallbacks over the required methods), or both.
   * @default ['native', 'fallback']
   */
  paths?: ReadonlyArray<'native' | 'fallback'>;
  /** Areas to leave out, only for what the provider declares it does not support. */
  skip?: ReadonlyArray<ConformanceArea>;
  /** What the queue under test promises beyond at-least-once delivery. */
  queueFeatures?: Partial<QueueFeatures>;
  /**
   * What this harness cannot do. The kit registers every test that needs it
   * as skipped, named `… [skipped: needs …]`, so a report shows what was not
   * tested; nothing is counted as passed that did not run. A harness that
   * lacks something it did not declare fails the tests that need it, with
   * a message saying what to declare.
   */
  lacks?: ReadonlyArray<HarnessFeature>;
}

/**
 * What a test may need from its harness: `time-travel` (`advanceTime`),
 * `native-flow-control` (a store whose own `claim` enforces concurrency
 * keys, rate limits and name caps: `flowControl`; never lacking on the
 * fallback path, where core enforces them), `queue` (a `queue`), or a queue promise (`queue-delays`,
 * `queue-priorities`, `competing-queue`: see {@link QueueFeatures}).
 */
export type HarnessFeature =
  | 'time-travel'
  | 'native-flow-control'
  | 'queue'
  | 'queue-delays'
  | 'queue-priorities'
  | 'competing-queue';

/**
 * Queue promises beyond the doorbell minimum (at-least-once, may duplicate,
 * may be late). Each is tested only where declared.
 */
export interface QueueFeatures {
  /** Holds a bell until its `notBefore`. @default true */
  delays: boolean;
  /** Delivers waiting bells higher priority first, and keeps bells rung before anyone subscribed. @default true */
  priorities: boolean;
  /** Each bell reaches exactly one subscriber (not every process). @default true */
  competing: boolean;
}

/** The kit's areas, one file each. */
export type ConformanceArea =
  | 'store-crud'
  | 'store-cas'
  | 'queue'
  | 'claim'
  | 'attempts'
  | 'attempt-history'
  | 'continuations'
  | 'job-logs'
  | 'settle'
  | 'cancellation'
  | 'operator-actions'
  | 'metadata-schema'
  | 'labels'
  | 'idempotency'
  | 'flow-control'
  | 'recovery'
  | 'crash'
  | 'shutdown'
  | 'routing'
  | 'retention'
  | 'dispatcher'
  | 'scheduling'
  | 'timers'
  | 'hostile-input'
  | 'observability';
