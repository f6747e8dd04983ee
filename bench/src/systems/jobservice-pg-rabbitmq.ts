import { queryOnce } from '../env/database.js';
import { workspaceVersion } from '../env/versions.js';
import { JobserviceAdapter } from './jobservice-adapter.js';
import { loadPostgresProvider } from './jobservice-postgres.js';
import { NOOP } from './noop-callback.js';
import type { SystemEnv, SystemModule } from './types.js';

type PostgresProviderClass = Exclude<Awaited<ReturnType<typeof loadPostgresProvider>>, string>;
type RabbitMqClass = typeof import('@jobservice/provider-rabbitmq').RabbitMqQueueProvider;
let Postgres: PostgresProviderClass | undefined;
let RabbitMq: RabbitMqClass | undefined;

/** The broker the RabbitMQ system uses: `AMQP_URL`, else the local one. */
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** jobservice with the PostgreSQL store and the RabbitMQ doorbell (instead of NOTIFY). */
export const jobservicePgRabbitmq: SystemModule = {
  id: 'jobservice-pg-rabbitmq',
  label: `jobservice ${workspaceVersion('packages/core')} (postgres + rabbitmq)`,
  settings: (concurrency) =>
    `PostgresProvider (provider-postgres ${workspaceVersion('packages/provider-postgres')}) as the store, ` +
    `RabbitMqQueueProvider (provider-rabbitmq ${workspaceVersion('packages/provider-rabbitmq')}) as the queue; ` +
    `JobDispatcher concurrency ${concurrency}, every other option default`,
  async unavailable() {
    const loaded = await loadPostgresProvider();
    if (typeof loaded === 'string') return loaded;
    Postgres = loaded;
    RabbitMq = (await import('@jobservice/provider-rabbitmq')).RabbitMqQueueProvider;
    try {
      const probe = await RabbitMq.connect({ url: AMQP_URL, prefix: 'bench-probe', connectTimeoutMs: 2_000 });
      await probe.close();
    } catch (error) {
      return `no RabbitMQ answers at ${AMQP_URL.replace(/\/\/[^@]*@/, '//')} (${(error as Error).message.split('\n')[0]})`;
    }
    return null;
  },
  create: (env) => new JobservicePgRabbitmq(env),
};

class JobservicePgRabbitmq extends JobserviceAdapter {
  private readonly postgres;
  private readonly rabbitmq;

  constructor(private readonly env: SystemEnv) {
    if (!Postgres || !RabbitMq) throw new Error('jobservice-pg-rabbitmq: call unavailable() first');
    const postgres = new Postgres({ connectionString: env.databaseUrl, schema: env.namespace });
    const rabbitmq = new RabbitMq({ url: AMQP_URL, prefix: env.namespace });
    super(postgres, rabbitmq);
    this.postgres = postgres;
    this.rabbitmq = rabbitmq;
  }

  async install(): Promise<void> {
    await this.postgres.ready();
    await this.rabbitmq.ready();
  }

  override async warm(): Promise<void> {
    await this.install();
  }

  async uninstall(): Promise<void> {
    await this.rabbitmq.deleteTopology([NOOP]).catch(() => {});
    await queryOnce(this.env.databaseUrl, `DROP SCHEMA IF EXISTS "${this.env.namespace}" CASCADE`);
  }

  remaining(): Promise<number> {
    return this.unfinished();
  }

  async close(): Promise<void> {
    await this.rabbitmq.close();
    await this.postgres.close();
  }
}
