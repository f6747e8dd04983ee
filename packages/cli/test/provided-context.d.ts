/**
 * What `../provider-postgres/test/global-setup.ts` provides to these tests:
 * the PostgreSQL server (`DATABASE_URL`, or an embedded one it started).
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL connection string the tests use. */
    databaseUrl: string;
  }
}

export {};
