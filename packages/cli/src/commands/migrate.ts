import { PostgresProvider } from '@jobservice/provider-postgres';
import type { CommandContext } from '../context.js';
import { usageError } from '../errors.js';
import { unreachable } from '../open-store.js';
import { describeStore } from '../store-url.js';

/** Options of `jobservice migrate`. */
export interface MigrateOptions {
  json?: boolean;
}

/**
 * `jobservice migrate`: applies missing PostgreSQL migrations (under the
 * provider's advisory lock) and prints the versions applied.
 */
export async function migrateCommand(ctx: CommandContext, options: MigrateOptions): Promise<void> {
  const description = await ctx.storeDescription();
  if (description.kind !== 'postgres') {
    throw usageError(`migrate needs a PostgreSQL store (got ${describeStore(description)})`);
  }
  const schema = await ctx.schema(description);
  let provider: PostgresProvider;
  try {
    provider = new PostgresProvider({
      connectionString: description.connectionString,
      migrate: false,
      poolConfig: { max: 2, connectionTimeoutMillis: 10_000, options: '-c jit=off' },
      ...(schema === undefined ? {} : { schema }),
    });
  } catch (error) {
    throw usageError((error as Error).message);
  }
  let applied: number[];
  try {
    applied = await provider.migrate();
  } catch (error) {
    throw unreachable(error, description.connectionString) ?? error;
  } finally {
    await provider.close();
  }
  if (options.json) ctx.printJson({ schema: provider.schema, applied });
  else if (applied.length === 0) ctx.print(`schema ${provider.schema} is current`);
  else
    ctx.print(
      `schema ${provider.schema}: applied migration${applied.length === 1 ? '' : 's'} ${applied.join(', ')}`,
    );
}
