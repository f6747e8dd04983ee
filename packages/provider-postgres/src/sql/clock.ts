import { sql } from './sql-template.js';

/** The store's clock: epoch ms from `<schema>.now_ms()`. */
export const READ_CLOCK = sql('read_clock', /* sql */ `SELECT {{schema}}.now_ms() AS now`);

/** Moves the store's clock by $1 ms (tests; every connection sees it). */
export const SHIFT_CLOCK = sql(
  'shift_clock',
  /* sql */ `UPDATE {{schema}}.settings SET clock_offset_ms = clock_offset_ms + $1::bigint RETURNING clock_offset_ms`,
);
