import { JobDispatcher } from '@jobservice/core';
import { loadPostgresProvider } from '../../systems/jobservice-postgres.js';
import { noopCallback } from '../../systems/noop-callback.js';

/** Memory samples of an idling dispatcher, MB, one per second (after a forced GC). */
export interface IdleSamples {
  heapUsedMB: number[];
  rssMB: number[];
  /** Jobs it started (should be 0: nothing is due). */
  started: number;
}

/** Starts a default dispatcher on `schema` and samples its memory for `seconds` (run with `--expose-gc`). */
export async function idleDispatcher(args: {
  databaseUrl: string;
  schema: string;
  seconds: number;
}): Promise<IdleSamples> {
  const Provider = await loadPostgresProvider();
  if (typeof Provider === 'string') throw new Error(Provider);
  const provider = new Provider({ connectionString: args.databaseUrl, schema: args.schema });
  let started = 0;
  const dispatcher = new JobDispatcher({
    store: provider,
    queue: provider,
    callbacks: [noopCallback(() => started++)],
  });
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const heapUsedMB: number[] = [];
  const rssMB: number[] = [];
  await dispatcher.start();
  for (let s = 0; s <= args.seconds; s++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    gc();
    const usage = process.memoryUsage();
    heapUsedMB.push(usage.heapUsed / 2 ** 20);
    rssMB.push(usage.rss / 2 ** 20);
  }
  await dispatcher.stop();
  await provider.close();
  return { heapUsedMB, rssMB, started };
}
