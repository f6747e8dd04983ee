import { randomUUID } from 'node:crypto';
import type { JobManager } from '@jobservice/core';

/** The progress of one bulk retry. */
export interface BulkRetryProgress {
  id: string;
  name: string | null;
  /** Failed jobs seen so far. */
  done: number;
  /** Of those, retried (another process may have retried or deleted one first). */
  retried: number;
  /** Failed jobs when it began (grows if more fail meanwhile). */
  total: number;
  finished: boolean;
  error: string | null;
}

const PAGE = 100;
const KEEP = 20;

/** Runs bulk retries in the background, a page of failed jobs at a time, and keeps their progress. */
export class BulkRetries {
  private readonly tasks = new Map<string, BulkRetryProgress>();

  constructor(
    private readonly manager: JobManager,
    private readonly onProgress: () => void,
  ) {}

  /** Starts retrying every failed job (of callback `name` when given); returns its progress record. */
  async start(name: string | undefined): Promise<BulkRetryProgress> {
    const counts = await this.manager.countJobs();
    const total = counts
      .filter((c) => c.status === 'failed' && (name === undefined || c.name === name))
      .reduce((sum, c) => sum + c.count, 0);
    const task: BulkRetryProgress = {
      id: randomUUID(),
      name: name ?? null,
      done: 0,
      retried: 0,
      total,
      finished: false,
      error: null,
    };
    this.tasks.set(task.id, task);
    for (const key of this.tasks.keys())
      if (this.tasks.size > KEEP && key !== task.id) this.tasks.delete(key);
    void this.run(task, name);
    return { ...task };
  }

  /** The progress of task `id`, or null. */
  get(id: string): BulkRetryProgress | null {
    const task = this.tasks.get(id);
    return task ? { ...task } : null;
  }

  private async run(task: BulkRetryProgress, name: string | undefined): Promise<void> {
    try {
      let cursor: string | null = null;
      do {
        const page = await this.manager.list({
          statuses: ['failed'],
          ...(name === undefined ? {} : { names: [name] }),
          limit: PAGE,
          cursor,
        });
        for (const job of page.items) {
          if (await this.manager.retry(job.id)) task.retried++;
          task.done++;
          task.total = Math.max(task.total, task.done);
        }
        cursor = page.cursor;
        this.onProgress();
      } while (cursor);
    } catch (error) {
      task.error = error instanceof Error ? error.message : String(error);
    }
    task.finished = true;
    this.onProgress();
  }
}
