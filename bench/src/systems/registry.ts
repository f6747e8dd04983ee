import type { SystemId, SystemModule } from './types.js';

/** Every system, in the order the report lists them. */
export const SYSTEM_IDS: readonly SystemId[] = [
  'jobservice',
  'jobservice-prefetch',
  'jobservice-notrigger',
  'jobservice-both',
  'jobservice-redis',
  'jobservice-pg-rabbitmq',
  'graphile-worker',
  'pg-boss',
  'bullmq-postgres',
  'bullmq-redis',
  'baseline',
];

/** Systems compared only when named in `--systems` (slow enough to dominate a run). */
export const OPT_IN: readonly SystemId[] = [
  'jobservice-prefetch',
  'jobservice-notrigger',
  'jobservice-both',
  'bullmq-postgres',
];

/** Loads one system's module (lazily: a child process imports only the one it runs). */
export async function loadSystem(id: SystemId): Promise<SystemModule> {
  switch (id) {
    case 'jobservice':
      return (await import('./jobservice-postgres.js')).jobservicePostgres;
    case 'jobservice-prefetch':
      return (await import('./jobservice-postgres.js')).jobservicePrefetch;
    case 'jobservice-notrigger':
      return (await import('./jobservice-postgres.js')).jobserviceNoTrigger;
    case 'jobservice-both':
      return (await import('./jobservice-postgres.js')).jobserviceBoth;
    case 'jobservice-redis':
      return (await import('./jobservice-redis.js')).jobserviceRedis;
    case 'jobservice-pg-rabbitmq':
      return (await import('./jobservice-pg-rabbitmq.js')).jobservicePgRabbitmq;
    case 'graphile-worker':
      return (await import('./graphile-worker.js')).graphileWorker;
    case 'pg-boss':
      return (await import('./pg-boss.js')).pgBoss;
    case 'bullmq-postgres':
      return (await import('./bullmq.js')).bullmqPostgres;
    case 'bullmq-redis':
      return (await import('./bullmq.js')).bullmqRedis;
    case 'baseline':
      return (await import('./baseline.js')).baseline;
  }
}
