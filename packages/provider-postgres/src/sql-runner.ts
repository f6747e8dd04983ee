import { createHash } from 'node:crypto';
import { JobServiceError, ProviderError } from '@jobservice/core';
import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';
import type { SqlTemplate } from './sql/sql-template.js';

/** What the provider needs of a `pg` pool or client: one method. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>>;
}

/** A statement bound to one schema: final text and, when prepared, its name. */
interface BoundStatement {
  name: string | undefined;
  text: string;
}

/**
 * Binds the `src/sql/` statements to one schema and runs them. Hot statements
 * run as named (prepared) statements, named after their text's hash so two
 * schemas on one connection never collide; driver errors become
 * `ProviderError`s whose message starts with `postgres:`.
 */
export class SqlRunner {
  private readonly bound = new Map<SqlTemplate, BoundStatement>();

  constructor(
    private readonly quotedSchema: string,
    private readonly prepared: boolean,
  ) {}

  /** SQL text with `{{schema}}` replaced by this runner's quoted schema. */
  render(text: string): string {
    return text.replaceAll('{{schema}}', this.quotedSchema);
  }

  /** Runs `template` with `values` on `db`; `what` names the operation in errors. */
  async run<R extends QueryResultRow = QueryResultRow>(
    db: Queryable,
    template: SqlTemplate,
    values: readonly unknown[],
    what: string,
  ): Promise<QueryResult<R>> {
    const statement = this.bind(template);
    const config: QueryConfig = { text: statement.text, values: values as unknown[] };
    if (statement.name) config.name = statement.name;
    try {
      return await db.query<R>(config);
    } catch (error) {
      throw asProviderError(error, what);
    }
  }

  private bind(template: SqlTemplate): BoundStatement {
    let statement = this.bound.get(template);
    if (!statement) {
      const text = this.render(template.text);
      const hash = createHash('sha1').update(text).digest('hex').slice(0, 16);
      statement = {
        text,
        name: this.prepared && template.prepare ? `js_${template.name.slice(0, 40)}_${hash}` : undefined,
      };
      this.bound.set(template, statement);
    }
    return statement;
  }
}

/** Wraps a driver error (keeping it as `cause`); lets the SDK's own errors through. */
export function asProviderError(error: unknown, what: string): Error {
  if (error instanceof JobServiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError('postgres', `${what} failed: ${message}`, { cause: error });
}
