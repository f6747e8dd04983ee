/**
 * How many reserved jobs to start ahead of free slots, so that jobs shorter
 * than a store round trip do not leave slots idle through the start write
 * each one needs: enough to keep every slot busy for one round trip
 * (`concurrency × roundTrip ÷ runTime`, both smoothed), at most `max`. It is
 * 0 while jobs run longer than half a round trip: then a job counts its
 * attempt only when a slot is free for it.
 */
export class StartAhead {
  private rttMs = 0;
  private runMs = -1;

  constructor(
    private readonly concurrency: number,
    private readonly max: number,
  ) {}

  /** A start write took `ms`. */
  roundTrip(ms: number): void {
    this.rttMs = this.rttMs === 0 ? ms : this.rttMs * 0.7 + ms * 0.3;
  }

  /** A handler ran for `ms`. */
  ran(ms: number): void {
    this.runMs = this.runMs < 0 ? ms : this.runMs * 0.9 + ms * 0.1;
  }

  /** Jobs per ms the slots can run at the smoothed run time, or `null` before any job ran. */
  get turnoverPerMs(): number | null {
    return this.runMs < 0 ? null : this.concurrency / Math.max(this.runMs, 0.001);
  }

  /** Jobs to hold started ahead of free slots now. */
  get lead(): number {
    if (this.runMs < 0 || this.rttMs === 0 || this.runMs * 2 >= this.rttMs) return 0;
    const perSlot = this.rttMs / Math.max(this.runMs, 0.001);
    return Math.min(this.max, Math.ceil(this.concurrency * perSlot));
  }
}
