import { loadSystem } from '../../systems/registry.js';
import type { SystemEnv, SystemId } from '../../systems/types.js';

/** What one producer process did. */
export interface ProducerRun {
  /** Jobs enqueued (each call awaited before the next). */
  count: number;
  /** Enqueue calls that threw. */
  errors: number;
}

/**
 * One producer process: enqueues single no-op jobs one after another for
 * `ms`, each carrying the enqueue instant so the worker can report the
 * delay to its start.
 */
export async function produceFor(args: {
  system: SystemId;
  env: SystemEnv;
  ms: number;
}): Promise<ProducerRun> {
  const system = await loadSystem(args.system);
  const problem = await system.unavailable(args.env);
  if (problem) throw new Error(problem);
  const adapter = system.create(args.env);
  await adapter.warm();
  const deadline = Date.now() + args.ms;
  let count = 0;
  let errors = 0;
  try {
    while (Date.now() < deadline) {
      try {
        await adapter.enqueueOne({ t: process.hrtime.bigint().toString() });
        count++;
      } catch {
        errors++;
      }
    }
  } finally {
    await adapter.close();
  }
  return { count, errors };
}
