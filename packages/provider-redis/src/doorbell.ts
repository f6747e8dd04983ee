import {
  type Bell,
  clampTimerDelay,
  Heap,
  InvalidInputError,
  type QueueSubscription,
  type SubscribeOptions,
} from '@jobservice/core';

/** The id of a bell that names no job: "claim now" (sent after the subscriber connection came back). */
export const RESYNC_BELL_ID = '*';

/** Most bells held for a later `notBefore` in one process; beyond it they are dropped (the idle claim covers). */
const MAX_HELD = 100_000;

interface Subscriber {
  handler: (bell: Bell) => void;
  names: ReadonlySet<string> | undefined;
}

interface HeldBell {
  bell: Bell;
  at: number;
}

/** Checks the bells of one enqueue (naming the field). */
export function checkBells(bells: readonly Bell[]): void {
  if (!Array.isArray(bells)) {
    throw new InvalidInputError('bells', 'must be an array of { id, name?, notBefore?, priority? }');
  }
  bells.forEach((bell, i) => {
    if (bell === null || typeof bell !== 'object' || typeof bell.id !== 'string') {
      throw new InvalidInputError(`bells[${i}].id`, 'must be a string');
    }
    if (bell.name !== undefined && typeof bell.name !== 'string') {
      throw new InvalidInputError(`bells[${i}].name`, 'must be a string');
    }
    for (const field of ['notBefore', 'priority'] as const) {
      const value = bell[field];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
        throw new InvalidInputError(`bells[${i}].${field}`, 'must be a finite number');
      }
    }
  });
}

/** One publish payload for the bells of one enqueue. */
export function encodeBells(bells: readonly Bell[]): string {
  return JSON.stringify(
    bells.map((b) => {
      const wire: Bell = { id: b.id };
      if (b.name !== undefined) wire.name = b.name;
      if (b.notBefore !== undefined) wire.notBefore = b.notBefore;
      if (b.priority !== undefined && b.priority !== 0) wire.priority = b.priority;
      return wire;
    }),
  );
}

/**
 * The receiving side of the pub/sub doorbell in one process: each bell goes
 * to one matching subscriber (round robin), bells whose `notBefore` is ahead
 * wait on one timer, and after a reconnect every subscriber gets a resync
 * bell (bells published meanwhile were lost).
 */
export class Doorbell {
  private subscribers: Subscriber[] = [];
  private turn = 0;
  private readonly held = new Heap<HeldBell>((a, b) => a.at < b.at);
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly hooks: {
      listen(): Promise<void>;
      unlisten(): Promise<void>;
      error(error: unknown): void;
    },
  ) {}

  /** Adds a handler; resolves once bells can reach it. */
  async subscribe(handler: (bell: Bell) => void, options: SubscribeOptions = {}): Promise<QueueSubscription> {
    const subscriber: Subscriber = { handler, names: options.names ? new Set(options.names) : undefined };
    await this.hooks.listen();
    this.subscribers.push(subscriber);
    let active = true;
    return {
      unsubscribe: async () => {
        if (!active) return;
        active = false;
        this.subscribers = this.subscribers.filter((s) => s !== subscriber);
        await this.hooks.unlisten();
      },
    };
  }

  /** A payload arrived on the bell channel. */
  receive(payload: string): void {
    let bells: unknown;
    try {
      bells = JSON.parse(payload);
    } catch {
      return;
    }
    if (!Array.isArray(bells)) return;
    const now = Date.now();
    for (const bell of bells as Bell[]) {
      if (typeof bell?.id !== 'string') continue;
      if (bell.notBefore !== undefined && bell.notBefore > now) this.hold(bell, bell.notBefore);
      else this.deliver(bell);
    }
  }

  /** Bells may have been missed: every subscriber gets a resync bell. */
  resync(): void {
    for (const s of this.subscribers) this.call(s, { id: RESYNC_BELL_ID });
  }

  /** Drops subscribers and held bells. */
  close(): void {
    this.subscribers = [];
    clearTimeout(this.timer);
    this.held.clear();
  }

  private deliver(bell: Bell): void {
    const matching = this.subscribers.filter(
      (s) => !s.names || bell.name === undefined || s.names.has(bell.name),
    );
    if (matching.length === 0) return;
    this.turn = (this.turn + 1) % 1_000_000_007;
    this.call(matching[this.turn % matching.length] as Subscriber, bell);
  }

  private call(subscriber: Subscriber, bell: Bell): void {
    try {
      subscriber.handler(bell);
    } catch (error) {
      this.hooks.error(error);
    }
  }

  private hold(bell: Bell, at: number): void {
    if (this.held.size >= MAX_HELD) return;
    this.held.push({ bell, at });
    if (at < this.timerAt) this.arm(at);
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.releaseDue(), clampTimerDelay(at - Date.now()));
    this.timer.unref();
  }

  private releaseDue(): void {
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (let next = this.held.peek(); next && next.at <= now; next = this.held.peek()) {
      this.held.pop();
      this.deliver(next.bell);
    }
    const next = this.held.peek();
    if (next) this.arm(next.at);
  }
}
