/**
 * @jobservice/provider-postgres: the PostgreSQL store (every capability) and
 * NOTIFY doorbell queue for jobservice.
 */
export { RESYNC_BELL_ID } from '@jobservice/core';
export type { PostgresProviderOptions } from './options.js';
export type { PostgresTestingTools } from './postgres-provider.js';
export { PostgresProvider } from './postgres-provider.js';
export { DEFAULT_SCHEMA, SCHEMA_NAME_PATTERN } from './schema-name.js';
export { SCHEMA_VERSION } from './sql/migrations/index.js';
