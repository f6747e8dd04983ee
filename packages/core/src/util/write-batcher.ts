/** Receives one write's result, or the error that failed its batch. */
export type WriteDone<TOut> = (result: TOut | undefined, error?: unknown) => void;

/**
 * Collects writes and sends them in batches: one flush per turn of the event
 * loop (or sooner when `maxBatch` fills), one flush in flight at a time.
 * Callback-based, so a write costs no promise of its own on hot paths.
 */
export class WriteBatcher<TIn, TOut> {
  private items: TIn[] = [];
  private callbacks: Array<WriteDone<TOut>> = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;

  constructor(
    private readonly write: (items: TIn[]) => Promise<TOut[]>,
    private readonly maxBatch: number,
  ) {}

  /** How many writes wait for a flush. */
  get size(): number {
    return this.items.length;
  }

  /** Queues a write; `done` gets its result once its batch is written. */
  add(item: TIn, done: WriteDone<TOut>): void {
    this.items.push(item);
    this.callbacks.push(done);
    if (this.items.length >= this.maxBatch) void this.kick();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.kick();
      });
    }
  }

  /** Writes everything queued so far (and what queues meanwhile). */
  async flush(): Promise<void> {
    while (this.items.length > 0 || this.flushing) {
      await this.kick();
    }
  }

  private kick(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.items.length === 0) return Promise.resolve();
    this.flushing = this.writeBatches().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeBatches(): Promise<void> {
    while (this.items.length > 0) {
      const items = this.items.splice(0, this.maxBatch);
      const callbacks = this.callbacks.splice(0, this.maxBatch);
      let results: TOut[] | undefined;
      let failure: unknown;
      try {
        results = await this.write(items);
      } catch (error) {
        failure = error ?? new Error('write failed');
      }
      for (let i = 0; i < callbacks.length; i++) {
        (callbacks[i] as WriteDone<TOut>)(results?.[i], failure);
      }
    }
  }
}
