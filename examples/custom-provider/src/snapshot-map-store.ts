import {
  applyJobPatch,
  type IDocumentDataProvider,
  type InsertResult,
  InvalidInputError,
  type JobDocument,
  type JobPage,
  type JobPatch,
  type JobQuery,
  matchesQuery,
  materializeJob,
  type NewJob,
  pageOf,
  ShutdownError,
} from '@jobservice/core';

/**
 * A custom store with only the required methods: documents kept as JSON
 * strings in a Map (as a key-value database would), compare-and-set on
 * `version`, and a key index for idempotency. Claims, settles and heartbeats
 * come from core's fallbacks, built on `query` + `update`.
 *
 * The clock is injectable, as the store owns time.
 */
export class SnapshotMapStore implements IDocumentDataProvider {
  readonly providerName = 'snapshot-map';
  private readonly rows = new Map<string, string>();
  private readonly keys = new Map<string, string>();
  private closed = false;

  constructor(private readonly clock: { now(): number } = { now: () => Date.now() }) {}

  async insert(job: NewJob, options?: { transaction?: unknown }): Promise<InsertResult> {
    this.assertOpen();
    if (options?.transaction !== undefined) {
      throw new InvalidInputError(
        'options.transaction',
        'snapshot-map: this store has no transactions; omit it',
      );
    }
    if (job.key !== null) {
      const existing = this.keys.get(job.key);
      if (existing) return { id: existing, created: false };
    }
    // A taken id is not created again (nor overwritten).
    if (this.rows.has(job.id)) return { id: job.id, created: false };
    const doc = materializeJob(job, this.clock.now());
    this.rows.set(doc.id, JSON.stringify(doc));
    if (doc.key !== null) this.keys.set(doc.key, doc.id);
    return { id: doc.id, created: true };
  }

  async get(id: string): Promise<JobDocument | null> {
    return this.read(id);
  }

  async update(id: string, expectedVersion: number, patch: JobPatch): Promise<JobDocument | null> {
    // Read, compare and write with no await in between: that is what makes it a compare-and-set.
    const current = this.read(id);
    if (!current || current.version !== expectedVersion) return null;
    // applyJobPatch, not { ...current, ...patch }: a field that is undefined in the
    // patch means "unchanged", and version / updatedAt / id / key are the store's.
    const next = applyJobPatch(current, patch, this.clock.now());
    this.rows.set(id, JSON.stringify(next));
    return next;
  }

  async query(query: JobQuery): Promise<JobPage> {
    this.assertOpen();
    const matched: JobDocument[] = [];
    for (const row of this.rows.values()) {
      const doc = JSON.parse(row) as JobDocument;
      if (matchesQuery(doc, query)) matched.push(doc);
    }
    return pageOf(matched, query);
  }

  async delete(id: string, expectedVersion?: number): Promise<boolean> {
    const current = this.read(id);
    if (!current || (expectedVersion !== undefined && current.version !== expectedVersion)) return false;
    this.rows.delete(id);
    if (current.key !== null) this.keys.delete(current.key);
    return true;
  }

  async now(): Promise<number> {
    return this.clock.now();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private read(id: string): JobDocument | null {
    this.assertOpen();
    const row = this.rows.get(id);
    return row ? (JSON.parse(row) as JobDocument) : null;
  }

  private assertOpen(): void {
    if (this.closed) throw new ShutdownError('snapshot-map store');
  }
}
