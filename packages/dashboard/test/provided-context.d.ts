// The context ../../provider-postgres/test/global-setup.ts provides (declared there too, for its own project).
declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server the tests use: `DATABASE_URL`, or an embedded one. */
    databaseUrl: string;
  }
}

export {};
