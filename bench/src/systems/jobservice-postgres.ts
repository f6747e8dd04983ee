import { JobDispatcher, MemoryDocumentProvider } from '@jobservice/core';
import { countRows, queryOnce } from '../env/database.js';
import { workspaceVersion } from '../env/versions.js';
import { JobserviceAdapter } from './jobservice-adapter.js';
import { noopCallback } from './noop-callback.js';
import type { SystemEnv, SystemModule } from './types.js';

type PostgresProviderClass = typeof import('@jobservice/provider-postgres').PostgresProvider;

/** Loads `@jobservice/provider-postgres`, or says why it cannot be used yet. */
export async function loadPostgresProvider(): Promise<PostgresProviderClass | string> {
  try {
    const module = await import('@jobservice/provider-postgres');
    if (typeof module.PostgresProvider !== 'function')
      return '@jobservice/provider-postgres exports no PostgresProvider yet';
    return module.PostgresProvider;
  } catch (error) {
    return `@jobservice/provider-postgres is not usable yet (${(error as Error).message.split('\n')[0]})`;
  }
}

let Provider: PostgresProviderClass | undefined;

/** A diagnostic variant: what one setting or one piece of the schema costs (opt-in, never a target). */
interface Variant {
  /** Dispatcher prefetch (default: concurrency). */
  prefetch?: number;
  /** Drop the change-feed trigger after migrating (breaks cross-process waitFor/cancel; no-op jobs need neither). */
  dropChangeTrigger?: boolean;
}

function jobserviceModule(id: SystemModule['id'], variant: Variant, what: string): SystemModule {
  return {
    id,
    label: `jobservice ${workspaceVersion('packages/core')}${what}`,
    settings: (concurrency) =>
      `PostgresProvider (provider-postgres ${workspaceVersion('packages/provider-postgres')}) as store + queue ` +
      `(LISTEN/NOTIFY), pool max 10; JobDispatcher concurrency ${concurrency}` +
      (variant.prefetch ? `, prefetch ${variant.prefetch} (diagnostic)` : '') +
      (variant.dropChangeTrigger ? ', change-feed trigger dropped (diagnostic)' : '') +
      `, every other option default (${defaultsAt(concurrency)}); ` +
      'completed jobs stay in the table (history until retention)',
    async unavailable() {
      const loaded = await loadPostgresProvider();
      if (typeof loaded === 'string') return loaded;
      Provider = loaded;
      return null;
    },
    create: (env) => new JobservicePostgres(env, variant),
  };
}

/** The dispatcher's defaults at `concurrency`, as this version of core resolves them. */
function defaultsAt(concurrency: number): string {
  const { prefetch, maxPrefetch, maxBatch, leaseMs, idlePollMs } = new JobDispatcher({
    store: new MemoryDocumentProvider(),
    callbacks: [noopCallback()],
    concurrency,
  }).options;
  return (
    `prefetch ${prefetch} (adapting up to ${maxPrefetch}), maxBatch ${maxBatch}, leaseMs ${leaseMs}, ` +
    `idlePollMs ${idlePollMs}`
  );
}

/** jobservice on PostgreSQL: `PostgresProvider` as store and queue, dispatcher defaults. */
export const jobservicePostgres = jobserviceModule('jobservice', {}, '');

/** Diagnostic: the same with prefetch 490 (claims up to maxBatch 500 at concurrency 10). */
export const jobservicePrefetch = jobserviceModule(
  'jobservice-prefetch',
  { prefetch: 490 },
  ' (prefetch 490)',
);

/** Diagnostic: both of the above. */
export const jobserviceBoth = jobserviceModule(
  'jobservice-both',
  { prefetch: 490, dropChangeTrigger: true },
  ' (prefetch 490, no change-feed trigger)',
);

/** Diagnostic: the same without the change-feed trigger on the jobs table. */
export const jobserviceNoTrigger = jobserviceModule(
  'jobservice-notrigger',
  { dropChangeTrigger: true },
  ' (no change-feed trigger)',
);

class JobservicePostgres extends JobserviceAdapter {
  private readonly provider;
  private readonly schema: string;

  constructor(
    private readonly env: SystemEnv,
    private readonly variant: Variant,
  ) {
    if (!Provider) throw new Error('jobservice: call unavailable() first');
    const provider = new Provider({ connectionString: env.databaseUrl, schema: env.namespace });
    super(provider, provider, variant.prefetch ? { prefetch: variant.prefetch } : {});
    this.provider = provider;
    this.schema = env.namespace;
  }

  async install(): Promise<void> {
    await this.provider.ready();
    if (this.variant.dropChangeTrigger) {
      await queryOnce(
        this.env.databaseUrl,
        `DROP TRIGGER IF EXISTS jobs_notify_finished ON "${this.schema}".jobs;
         DROP TRIGGER IF EXISTS jobs_notify_cancel_requested ON "${this.schema}".jobs`,
      );
    }
  }

  async uninstall(): Promise<void> {
    await queryOnce(this.env.databaseUrl, `DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
  }

  override async warm(): Promise<void> {
    await this.provider.ready();
  }

  async remaining(): Promise<number> {
    return countRows(
      this.env.databaseUrl,
      `SELECT count(*)::int AS n FROM "${this.schema}".jobs WHERE status IN ('scheduled', 'running')`,
    );
  }

  async close(): Promise<void> {
    await this.provider.close();
  }
}
