import { JobDispatcher, JobManager } from '@jobservice/core';
import { PostgresProvider } from '@jobservice/provider-postgres';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  databaseUrl,
  dropSchemaAfterTest,
  randomSchema,
} from '../../provider-postgres/test/helpers/database.js';
import { JOBSERVICE_QUEUE, JOBSERVICE_STORE, JobServiceModule } from '../src/index.js';
import { GreetCallback, Greeter, GreeterModule, WelcomeService } from './fixtures.js';

/** @nestjs/config's own module, loaded from values instead of a .env file. */
function configModule(values: Record<string, string>) {
  return ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => values] });
}

describe('JobServiceModule on PostgreSQL (forRootAsync)', () => {
  it('runs the injected callback and closes the store it created', async () => {
    const schema = randomSchema('nest');
    dropSchemaAfterTest(schema);
    const settings = configModule({ DATABASE_URL: databaseUrl(), JOBS_SCHEMA: schema });
    let created: PostgresProvider | undefined;

    const moduleRef = await Test.createTestingModule({
      imports: [
        GreeterModule,
        JobServiceModule.forRootAsync({
          imports: [settings, GreeterModule],
          inject: [ConfigService],
          callbacks: [GreetCallback],
          useFactory: async (config: ConfigService) => {
            const postgres = new PostgresProvider({
              connectionString: config.getOrThrow<string>('DATABASE_URL'),
              schema: config.getOrThrow<string>('JOBS_SCHEMA'),
              poolConfig: { max: 4 },
              listenerPingMs: 0,
            });
            await postgres.ready();
            created = postgres;
            return { store: postgres, queue: postgres, dispatcher: { concurrency: 4 } };
          },
        }),
      ],
      providers: [WelcomeService],
    }).compile();
    const app = await moduleRef.init();
    const close = vi.spyOn(created!, 'close');
    try {
      expect(app.get(JOBSERVICE_STORE)).toBe(created);
      expect(app.get(JOBSERVICE_QUEUE)).toBe(created);
      expect(app.get(JobDispatcher).state).toBe('running');

      const welcome = app.get(WelcomeService);
      const manager = app.get(JobManager);
      const ids = await Promise.all(['ada', 'grace', 'linus'].map((name) => welcome.welcome(name)));
      const results = await Promise.all(ids.map((id) => manager.waitFor<typeof GreetCallback>(id)));
      const greeter = app.get(Greeter).id;
      expect(results).toEqual([
        { text: 'hello, ada', greeter },
        { text: 'hello, grace', greeter },
        { text: 'hello, linus', greeter },
      ]);
      const stored = await Promise.all(ids.map((id) => created!.get(id)));
      expect(stored.map((job) => job?.status)).toEqual(['completed', 'completed', 'completed']);
    } finally {
      await app.close();
    }
    expect(app.get(JobDispatcher).state).toBe('stopped');
    expect(close).toHaveBeenCalledTimes(1); // store and queue are one object: closed once
  });
});
