import { initialMigration } from './001-initial.js';
import { rowChangeFeedMigration } from './002-row-change-feed.js';
import { reservedAndHistoryMigration } from './003-reserved-and-history.js';
import { metadataAsJsonMigration } from './004-metadata-as-json.js';
import { traceContextMigration } from './005-trace-context.js';
import { labelsMigration } from './006-labels.js';
import { continuationsMigration } from './007-continuations.js';
import { jobLogsMigration } from './008-job-logs.js';
import { flowControlMigration } from './009-flow-control.js';
import { keyClaimFunctionMigration } from './010-key-claim-function.js';
import { keyClaimPlansMigration } from './011-key-claim-plans.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** Every migration, in version order. The last one's version is the code's schema version. */
export const MIGRATIONS: readonly Migration[] = [
  initialMigration,
  rowChangeFeedMigration,
  reservedAndHistoryMigration,
  metadataAsJsonMigration,
  traceContextMigration,
  labelsMigration,
  continuationsMigration,
  jobLogsMigration,
  flowControlMigration,
  keyClaimFunctionMigration,
  keyClaimPlansMigration,
];

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
