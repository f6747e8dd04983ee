/** Reading a run's ledger: one row per handler run, written by the workers, never by the SDK. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunStore } from './stores.js';

/** One handler run. */
export interface LedgerRow {
  jobId: string;
  attempt: number;
  pid: number;
  /** Wall time the handler started. */
  at: number;
}

/** All rows of the run's ledger (a torn last line of a killed fs worker is skipped). */
export async function readLedger(run: RunStore): Promise<LedgerRow[]> {
  if (run.sql) {
    const result = await (run.sql as NonNullable<RunStore['sql']>).query(
      `SELECT job_id, attempt, pid, at FROM "${run.location.schema}".chaos_ledger ORDER BY at`,
    );
    return result.rows.map((r) => ({ jobId: r.job_id, attempt: r.attempt, pid: r.pid, at: Number(r.at) }));
  }
  const dir = run.location.ledgerDir as string;
  const rows: LedgerRow[] = [];
  for (const file of await readdir(dir)) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const line of text.split('\n')) {
      const [jobId, attempt, pid, at] = line.split(' ');
      if (!jobId || at === undefined || !/^\d+$/.test(at)) continue;
      rows.push({ jobId, attempt: Number(attempt), pid: Number(pid), at: Number(at) });
    }
  }
  return rows.sort((a, b) => a.at - b.at);
}

/** Rows grouped by job id. */
export function byJob(rows: readonly LedgerRow[]): Map<string, LedgerRow[]> {
  const map = new Map<string, LedgerRow[]>();
  for (const row of rows) {
    const list = map.get(row.jobId);
    if (list) list.push(row);
    else map.set(row.jobId, [row]);
  }
  return map;
}
