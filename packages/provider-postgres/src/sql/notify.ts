import { sql } from './sql-template.js';

/** Sends payload $2 on channel $1 (delivered when the surrounding transaction commits). */
export const NOTIFY = sql('notify', /* sql */ `SELECT pg_notify($1::text, $2::text)`);
