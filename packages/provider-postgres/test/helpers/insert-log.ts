import type { PostgresProvider } from '../../src/index.js';
import { adminQuery } from './database.js';

/** Logs the text of every statement that inserts into the jobs table (COPY fires INSERT triggers too). */
export async function recordInserts(p: PostgresProvider): Promise<void> {
  const s = `"${p.schema}"`;
  await adminQuery(`
    CREATE TABLE ${s}.insert_log (n serial, query text);
    CREATE FUNCTION ${s}.log_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO ${s}.insert_log (query) VALUES (current_query()); RETURN NULL; END $$;
    CREATE TRIGGER log_insert AFTER INSERT ON ${s}.jobs FOR EACH STATEMENT EXECUTE FUNCTION ${s}.log_insert();`);
}

/** How each insert into `p`'s table was written, in order: `copy` or `insert`. */
export async function writePaths(p: PostgresProvider): Promise<string[]> {
  const rows = await adminQuery<{ query: string }>(`SELECT query FROM "${p.schema}".insert_log ORDER BY n`);
  return rows.map((r) => (/^\s*COPY\b/i.test(r.query) ? 'copy' : 'insert'));
}

/** Every column of `p`'s jobs (metadata as its stored text), by id. */
export async function storedRows(p: PostgresProvider): Promise<Map<string, Record<string, unknown>>> {
  const rows = await adminQuery<{ id: string; row: Record<string, unknown> }>(
    `SELECT id, to_jsonb(j) - 'metadata' || jsonb_build_object('metadata_text', j.metadata::text) AS row
     FROM "${p.schema}".jobs j`,
  );
  return new Map(rows.map((r) => [r.id, r.row]));
}
