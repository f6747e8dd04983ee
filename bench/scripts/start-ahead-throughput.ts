/**
 * No-op jobs through one dispatcher on PostgreSQL (store + queue,
 * concurrency 10), with the dispatcher's defaults and with starting ahead
 * turned off, in one run: what starting ahead buys jobs shorter than a
 * round trip. `npx tsx bench/scripts/start-ahead-throughput.ts [jobs]`
 * (DATABASE_URL, else the local server); each variant gets its own schema,
 * dropped afterwards.
 */
import { BaseJobCallback, JobDispatcher, JobExecutionResult, JobManager } from '@jobservice/core';
import { PostgresProvider } from '@jobservice/provider-postgres';
import pg from 'pg';

class Noop extends BaseJobCallback {
  static jobName = 'noop';
  execute() {
    return JobExecutionResult.success();
  }
}

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const jobs = Number(process.argv[2] ?? 8_000);

async function once(label: string, startAhead: boolean): Promise<void> {
  const schema = `start_ahead_${Date.now()}`;
  const store = new PostgresProvider({ connectionString: url, schema });
  try {
    await store.ready();
    const manager = new JobManager({ store, queue: store });
    await manager.enqueueMany(Array.from({ length: jobs }, () => ({ callback: 'noop', metadata: {} })));
    const dispatcher = new JobDispatcher({
      store,
      queue: store,
      callbacks: [Noop],
      concurrency: 10,
      startAhead,
    });
    let done = 0;
    let first = 0;
    const finished = new Promise<void>((resolve) =>
      dispatcher.on('completed', () => {
        if (++done === jobs) resolve();
      }),
    );
    dispatcher.on('started', () => {
      first ||= performance.now();
    });
    await dispatcher.start();
    await finished;
    console.log(`${label}: ${Math.round((jobs / (performance.now() - first)) * 1000)} jobs/s`);
    await dispatcher.stop();
  } finally {
    await store.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

for (let round = 1; round <= 2; round++) {
  await once(`round ${round}, start ahead (default)`, true);
  await once(`round ${round}, strict (startAhead: false)`, false);
}
