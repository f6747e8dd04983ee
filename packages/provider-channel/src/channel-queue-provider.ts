import {
  type Bell,
  clampTimerDelay,
  Heap,
  InvalidInputError,
  type IQueueProvider,
  type QueueSubscription,
  ShutdownError,
  type SubscribeOptions,
} from '@jobservice/core';

/** Options for {@link ChannelQueueProvider}. */
export interface ChannelQueueOptions {
  /**
   * Most bells held (ready, delayed and waiting for a subscriber); `enqueue`
   * waits for room beyond it (backpressure). @default unbounded
   */
  capacity?: number;
}

interface Entry {
  bell: Bell;
  seq: number;
  priority: number;
  notBefore: number;
}

interface Subscriber {
  handler: (bell: Bell) => void;
  names: ReadonlySet<string> | undefined;
  active: boolean;
}

/**
 * An in-process doorbell: bells wait in a priority heap (higher first, then
 * ring order), delayed bells in one timer heap with a single timer, and each
 * bell goes to one subscriber (round-robin among those that handle its
 * name). Nothing survives the process: pair it with a durable store, whose
 * dispatchers also claim at start and on an idle timer.
 *
 * @example
 * const queue = new ChannelQueueProvider({ capacity: 10_000 });
 */
export class ChannelQueueProvider implements IQueueProvider {
  readonly providerName = 'channel';
  private readonly capacity: number;
  private readonly ready = new Heap<Entry>(
    (a, b) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq),
  );
  private readonly delayed = new Heap<Entry>(
    (a, b) => a.notBefore < b.notBefore || (a.notBefore === b.notBefore && a.seq < b.seq),
  );
  /** Bells no current subscriber handles, by name, until one subscribes. */
  private readonly parked = new Map<string, Entry[]>();
  private parkedCount = 0;
  private subscribers: Subscriber[] = [];
  private nextSubscriber = 0;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private drainScheduled = false;
  private roomWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private closed = false;

  constructor(options: ChannelQueueOptions = {}) {
    const capacity = options.capacity ?? Number.POSITIVE_INFINITY;
    if (!(capacity === Number.POSITIVE_INFINITY || (Number.isSafeInteger(capacity) && capacity >= 1))) {
      throw new InvalidInputError('capacity', `must be a whole number ≥ 1, got ${String(capacity)}`);
    }
    this.capacity = capacity;
  }

  /** Bells held now (ready, delayed and parked). */
  get size(): number {
    return this.ready.size + this.delayed.size + this.parkedCount;
  }

  async enqueue(bells: readonly Bell[]): Promise<void> {
    for (const bell of bells) {
      if (this.closed) throw new ShutdownError('channel queue');
      if (typeof bell?.id !== 'string') throw new InvalidInputError('bell.id', 'must be a string job id');
      while (this.size >= this.capacity) await this.waitForRoom();
      const entry: Entry = {
        bell,
        seq: this.seq++,
        priority: bell.priority ?? 0,
        notBefore: bell.notBefore ?? 0,
      };
      if (entry.notBefore > Date.now()) {
        this.delayed.push(entry);
        this.armTimer();
      } else {
        this.ready.push(entry);
      }
    }
    this.scheduleDrain();
  }

  async subscribe(handler: (bell: Bell) => void, options: SubscribeOptions = {}): Promise<QueueSubscription> {
    if (this.closed) throw new ShutdownError('channel queue');
    if (typeof handler !== 'function') throw new InvalidInputError('handler', 'must be a function');
    const subscriber: Subscriber = {
      handler,
      names: options.names ? new Set(options.names) : undefined,
      active: true,
    };
    this.subscribers.push(subscriber);
    this.unpark(subscriber);
    this.drain();
    return {
      unsubscribe: async () => {
        subscriber.active = false;
        this.subscribers = this.subscribers.filter((s) => s !== subscriber);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.subscribers = [];
    this.ready.clear();
    this.delayed.clear();
    this.parked.clear();
    this.parkedCount = 0;
    for (const waiter of this.roomWaiters.splice(0)) waiter.reject(new ShutdownError('channel queue'));
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  /** Hands ready bells to subscribers, best first. */
  private drain(): void {
    while (this.ready.size > 0 && this.subscribers.length > 0) {
      const entry = this.ready.pop() as Entry;
      const subscriber = this.pickSubscriber(entry.bell.name);
      if (!subscriber) {
        this.park(entry);
        continue;
      }
      try {
        subscriber.handler(entry.bell);
      } catch {
        // A doorbell handler's failure is the subscriber's own; the bell is spent.
      }
    }
    this.releaseRoom();
  }

  private pickSubscriber(name: string | undefined): Subscriber | undefined {
    const count = this.subscribers.length;
    for (let i = 0; i < count; i++) {
      const s = this.subscribers[(this.nextSubscriber + i) % count] as Subscriber;
      if (s.active && (!s.names || name === undefined || s.names.has(name))) {
        this.nextSubscriber = (this.nextSubscriber + i + 1) % count;
        return s;
      }
    }
    return undefined;
  }

  private park(entry: Entry): void {
    const name = entry.bell.name as string;
    const list = this.parked.get(name);
    if (list) list.push(entry);
    else this.parked.set(name, [entry]);
    this.parkedCount++;
  }

  private unpark(subscriber: Subscriber): void {
    for (const [name, entries] of this.parked) {
      if (subscriber.names && !subscriber.names.has(name)) continue;
      this.parked.delete(name);
      this.parkedCount -= entries.length;
      for (const entry of entries) this.ready.push(entry);
    }
  }

  private armTimer(): void {
    const top = this.delayed.peek();
    if (!top || top.notBefore >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = top.notBefore;
    this.timer = setTimeout(() => this.promoteDue(), clampTimerDelay(top.notBefore - Date.now()));
  }

  private promoteDue(): void {
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (let top = this.delayed.peek(); top && top.notBefore <= now; top = this.delayed.peek()) {
      this.ready.push(this.delayed.pop() as Entry);
    }
    this.armTimer();
    this.drain();
  }

  private waitForRoom(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.roomWaiters.push({ resolve, reject }));
  }

  private releaseRoom(): void {
    while (this.roomWaiters.length > 0 && this.size < this.capacity) this.roomWaiters.shift()?.resolve();
  }
}
