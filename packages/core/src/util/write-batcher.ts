/**
 * Collects writes and sends them in batches: one flush per turn of the event
 * loop (or sooner when `maxBatch` fills), one flush in flight at a time.
 * Each `add` resolves with its own item's result.
 */
export class WriteBatcher<TIn, TOut> {
  private pending: Array<{ item: TIn; resolve: (out: TOut) => void; reject: (error: unknown) => void }> = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;

  constructor(
    private readonly write: (items: TIn[]) => Promise<TOut[]>,
    private readonly maxBatch: number,
  ) {}

  /** How many writes wait for a flush. */
  get size(): number {
    return this.pending.length;
  }

  /** Queues a write; resolves with its result once its batch is written. */
  add(item: TIn): Promise<TOut> {
    return new Promise<TOut>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) void this.kick();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.kick();
        });
      }
    });
  }

  /** Writes everything queued so far (and what queues meanwhile). */
  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) {
      await this.kick();
    }
  }

  private kick(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.length === 0) return Promise.resolve();
    this.flushing = this.writeBatches().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeBatches(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((p) => p.item));
        batch.forEach((p, i) => {
          p.resolve(results[i] as TOut);
        });
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }
}
