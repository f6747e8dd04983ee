import { PostgresProvider } from '@jobservice/provider-postgres';

/** Where the example connects. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The schema the example's jobs live in (its own, so it never touches yours). */
export const SCHEMA = process.env.JOBSERVICE_SCHEMA ?? 'jobservice_example';

/** One provider per process: the store and the doorbell queue. */
export function connect(): PostgresProvider {
  return new PostgresProvider({ connectionString: DATABASE_URL, schema: SCHEMA, poolConfig: { max: 5 } });
}
