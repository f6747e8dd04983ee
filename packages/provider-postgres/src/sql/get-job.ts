import { sql } from './sql-template.js';

/** One job by id ($1). */
export const GET_JOB = sql('get_job', /* sql */ `SELECT * FROM {{schema}}.jobs WHERE id = $1::text`);
