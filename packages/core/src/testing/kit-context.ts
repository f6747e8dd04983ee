import { v7 as uuidv7 } from 'uuid';
import { DEFAULT_BACKOFF } from '../callbacks/backoff.js';
import { BaseJobCallback, type JobCallbackClass, type JobContext } from '../callbacks/base-job-callback.js';
import { JobExecutionResult } from '../callbacks/job-execution-result.js';
import type { JobDispatcherOptions } from '../dispatcher/dispatcher-options.js';
import { JobDispatcher } from '../dispatcher/job-dispatcher.js';
import { JobManager } from '../manager/job-manager.js';
import type { NewJob } from '../model/job.js';
import type { JsonValue } from '../model/json.js';
import type { IDocumentDataProvider } from '../store/document-provider.js';
import { JobStore } from '../store/job-store.js';
import type {
  ConformanceOptions,
  HarnessFeature,
  ProviderHarness,
  QueueFeatures,
  TestApi,
} from './harness.js';
import { requiredMethodsOnly } from './required-methods-only.js';

/** A harness as one kit test sees it: the store wrapped for the path under test. */
export interface KitHarness extends ProviderHarness {
  /** Core's view of the store (native capabilities or fallbacks). */
  jobs: JobStore;
  /** A second handle on the same data (or the same handle), wrapped like `store`. */
  peer(): Promise<JobStore>;
}

/** Registers one kit test (the runner's `it`, or a named skip). */
export type KitIt = (name: string, body: () => Promise<void> | void, timeoutMs?: number) => void;

/** What every area file receives. */
export interface KitContext {
  test: TestApi;
  path: 'native' | 'fallback';
  /** Registers a test that needs nothing beyond a store. */
  it: KitIt;
  /**
   * Registers a test that needs these harness features: run when the
   * harness has them, registered as skipped by name when it declared it
   * lacks one.
   */
  needs(...features: HarnessFeature[]): KitIt;
  /** Opens the test's harness (closed after the test). */
  open(): Promise<KitHarness>;
  /** A dispatcher that the kit stops after the test, failing it if the test left it running. */
  dispatcher(
    options: Omit<JobDispatcherOptions, 'store'> & { store?: IDocumentDataProvider },
    h: KitHarness,
  ): JobDispatcher;
  /** A manager on the harness's store and queue. */
  manager(h: KitHarness, callbacks?: readonly JobCallbackClass[]): JobManager;
}

/** A unique callback name per test, so providers sharing data never mix tests. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${uuidv7().slice(-12)}`;
}

/** A NewJob with defaults, for store-level tests. */
export function newJob(name: string, overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: uuidv7(),
    name,
    metadata: { n: 1 },
    priority: 0,
    maxAttempts: 3,
    backoff: DEFAULT_BACKOFF,
    timeoutMs: null,
    key: null,
    ...overrides,
  };
}

/** Builds a callback class named `name` whose attempts run `run`. */
export function defineCallback<M extends JsonValue = JsonValue>(
  name: string,
  run: (metadata: M, ctx: JobContext<M>) => Promise<JobExecutionResult> | JobExecutionResult = () =>
    JobExecutionResult.success(),
  statics: Partial<Pick<JobCallbackClass, 'maxAttempts' | 'backoff' | 'timeoutMs' | 'schema'>> = {},
): JobCallbackClass {
  const Callback = class extends BaseJobCallback<M> {
    static jobName = name;
    execute(ctx: JobContext<M>) {
      return run(this.metadata, ctx);
    }
  };
  Object.assign(Callback, statics);
  return Callback;
}

/** Resolves when `signal` aborts: a handler that runs until it is told to stop. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 5; ; pause = Math.min(100, pause * 2)) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** Wires harnesses and dispatchers to the runner's hooks for one path. */
export function createKitContext(
  options: ConformanceOptions,
  path: 'native' | 'fallback',
  features: QueueFeatures,
): KitContext {
  const { test } = options;
  const lacks = new Set(options.lacks ?? []);
  if (lacks.has('queue'))
    for (const f of ['queue-delays', 'queue-priorities', 'competing-queue'] as const) lacks.add(f);
  if (!features.delays) lacks.add('queue-delays');
  if (!features.priorities) lacks.add('queue-priorities');
  if (!features.competing) lacks.add('competing-queue');
  if (path === 'fallback') lacks.delete('native-flow-control');
  let current: readonly HarnessFeature[] = [];
  const needs =
    (...wanted: HarnessFeature[]): KitIt =>
    (name, body, timeoutMs) => {
      const missing = wanted.filter((f) => lacks.has(f));
      if (missing.length > 0) {
        registerSkip(test, `${name} [skipped: needs ${missing.join(', ')}]`);
        return;
      }
      test.it(
        name,
        async () => {
          current = wanted;
          try {
            await body();
          } finally {
            current = [];
          }
        },
        timeoutMs,
      );
    };
  let harnesses: ProviderHarness[] = [];
  let dispatchers: JobDispatcher[] = [];
  const wrap = (store: IDocumentDataProvider) => (path === 'fallback' ? requiredMethodsOnly(store) : store);

  test.afterEach(async () => {
    const leaked = dispatchers.filter((d) => d.state === 'running' || d.state === 'stopping');
    await Promise.all(dispatchers.map((d) => d.stop({ graceMs: 0 })));
    dispatchers = [];
    const open = harnesses;
    harnesses = [];
    for (const h of open) await h.cleanup();
    if (leaked.length > 0) throw new Error(`${leaked.length} dispatcher(s) were left running by the test`);
  });

  return {
    test,
    path,
    it: needs(),
    needs,
    async open() {
      const raw = await options.createHarness();
      harnesses.push(raw);
      checkDeclared(raw, path === 'native' ? current : current.filter((f) => f !== 'native-flow-control'));
      const store = wrap(raw.store);
      let peerStore: IDocumentDataProvider | undefined;
      return {
        ...raw,
        store,
        jobs: new JobStore(store),
        async peer() {
          if (!raw.openPeerStore) return new JobStore(store);
          peerStore ??= wrap(await raw.openPeerStore());
          return new JobStore(peerStore);
        },
      };
    },
    dispatcher(dispatcherOptions, h) {
      const d = new JobDispatcher({
        idlePollMs: 50,
        reaperIntervalMs: 100,
        queue: h.queue,
        ...dispatcherOptions,
        store: dispatcherOptions.store ?? h.store,
      });
      dispatchers.push(d);
      return d;
    },
    manager(h, callbacks) {
      return new JobManager({ store: h.store, queue: h.queue, callbacks });
    },
  };
}

function registerSkip(test: TestApi, name: string): void {
  const skip = test.skip ?? (test.it as TestApi['it'] & { skip?: TestApi['skip'] }).skip;
  if (!skip) {
    throw new Error(
      'conformance kit: pass test.skip (or an `it` with `it.skip`) so skipped tests are reported',
    );
  }
  skip(name, () => {});
}

/** Fails a test at once when the harness lacks a feature it needs that was not declared missing. */
function checkDeclared(harness: ProviderHarness, wanted: readonly HarnessFeature[]): void {
  if (wanted.includes('time-travel') && !harness.advanceTime) {
    throw new Error(
      "conformance kit: this test moves the store's clock, but the harness has no advanceTime; " +
        "add one, or declare lacks: ['time-travel'] so such tests are skipped by name",
    );
  }
  if (wanted.includes('native-flow-control') && harness.store.claim && harness.store.flowControl !== true) {
    throw new Error(
      'conformance kit: this test enqueues flow-controlled jobs, but the store claims natively without flowControl; ' +
        "enforce it in claim and set flowControl = true, or declare lacks: ['native-flow-control']",
    );
  }
  if (wanted.includes('queue') && !harness.queue) {
    throw new Error(
      "conformance kit: this test needs a queue, but the harness has none; add one, or declare lacks: ['queue']",
    );
  }
}
