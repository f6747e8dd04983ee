/**
 * Where the demo's jobs live and how its bells travel: PostgreSQL is the
 * ledger (the store), RabbitMQ the doorbell (the queue). Each run gets its
 * own schema and queue prefix, removed at the end.
 */
export interface MixConfig {
  databaseUrl: string;
  schema: string;
  amqpUrl: string;
  prefix: string;
}

/** The settings from the environment (`DATABASE_URL`, `AMQP_URL`) with this machine's defaults. */
export function configFromEnv(runId: string): MixConfig {
  return {
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    schema: `mix_and_match_${runId}`,
    amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    prefix: `mix-and-match-${runId}`,
  };
}
