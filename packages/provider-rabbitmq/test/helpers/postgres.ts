import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject, onTestFinished } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by provider-postgres's global setup: `DATABASE_URL`, or an embedded server. */
    databaseUrl: string;
  }
}

/** The PostgreSQL server provider-postgres's global setup chose. */
export function databaseUrl(): string {
  return inject('databaseUrl');
}

/** A fresh schema name, dropped when the current test passes (kept, and said so, when it fails). */
export function freshSchema(): string {
  const schema = `rmq_${randomBytes(6).toString('hex')}`;
  onTestFinished(async ({ task }) => {
    if (task.result?.state === 'fail') {
      console.warn(`keeping schema ${schema} of the failed test "${task.name}" for a look`);
      return;
    }
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  });
  return schema;
}
