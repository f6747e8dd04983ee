import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type IDocumentDataProvider,
  type IQueueProvider,
  JobDispatcher,
  JobManager,
  type JobStatus,
  PermanentJobError,
  silentLogger,
} from '@jobservice/core';
import { defineCallback, eventually } from '@jobservice/core/testing';
import { FileSystemDocumentProvider, FileSystemQueueProvider } from '@jobservice/provider-fs';
import { PostgresProvider } from '@jobservice/provider-postgres';
import pg from 'pg';
import { type CliResult, type CliRunOptions, runCli, runCliJson } from './cli.js';

/** A store the test seeds in-process and the command line opens too. */
export interface StoreFixture {
  kind: 'fs' | 'postgres';
  /** The global options that point the command at this store. */
  storeArgs: string[];
  store: IDocumentDataProvider;
  queue: IQueueProvider;
  manager: JobManager;
  /** Runs the command against this store. */
  cli(...args: string[]): Promise<CliResult>;
  /** Runs the command against this store and parses its JSON output. */
  json<T = unknown>(...args: string[]): Promise<T>;
  /** How many jobs have `status` (and `name`, when given). */
  count(status: JobStatus, name?: string): Promise<number>;
  /** Closes the providers and removes the folder or schema. */
  destroy(): Promise<void>;
}

/** A fresh schema name for one test. */
export function uniqueSchema(): string {
  return `cli_${Date.now()}_${randomBytes(3).toString('hex')}`;
}

/** Drops a test schema. */
export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** An fs store in a temporary folder (`<dir>/jobs` and `<dir>/bells`, as the command lays them out). */
export async function fsFixture(): Promise<StoreFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'jobservice-cli-'));
  const store = await FileSystemDocumentProvider.open({ root: join(dir, 'jobs'), logger: silentLogger });
  const queue = await FileSystemQueueProvider.open({ root: join(dir, 'bells'), logger: silentLogger });
  return fixture('fs', ['--store', `fs:${dir}`], store, queue, async () => {
    await queue.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
}

/** A PostgreSQL store in a schema of its own, migrated. */
export async function postgresFixture(databaseUrl: string): Promise<StoreFixture> {
  const schema = uniqueSchema();
  const provider = new PostgresProvider({ connectionString: databaseUrl, schema });
  await provider.ready();
  return fixture('postgres', ['--store', databaseUrl, '--schema', schema], provider, provider, async () => {
    await provider.close();
    await dropSchema(databaseUrl, schema);
  });
}

function fixture(
  kind: StoreFixture['kind'],
  storeArgs: string[],
  store: IDocumentDataProvider,
  queue: IQueueProvider,
  destroy: () => Promise<void>,
): StoreFixture {
  const manager = new JobManager({ store, queue });
  const options: CliRunOptions = {};
  return {
    kind,
    storeArgs,
    store,
    queue,
    manager,
    cli: (...args) => runCli([...storeArgs, ...args], options),
    json: (...args) => runCliJson([...storeArgs, ...args], options),
    async count(status, name) {
      const counts = await manager.countJobs();
      return counts
        .filter((c) => c.status === status && (name === undefined || c.name === name))
        .reduce((sum, c) => sum + c.count, 0);
    },
    destroy,
  };
}

/**
 * Enqueues `count` jobs of `name` and runs them in-process with a callback
 * that logs a line and fails permanently, until all are `failed`. Returns their ids.
 */
export async function seedFailed(fx: StoreFixture, name: string, count: number): Promise<string[]> {
  const Failing = defineCallback(name, (_metadata, ctx) => {
    ctx.log('warn', 'about to break', { step: 'charge' });
    throw new PermanentJobError(`${name} broke`);
  });
  const results = await fx.manager.enqueueMany(
    Array.from({ length: count }, (_, i) => ({ callback: name, metadata: { i } })),
  );
  const dispatcher = new JobDispatcher({
    store: fx.store,
    queue: fx.queue,
    callbacks: [Failing],
    concurrency: 20,
  });
  await dispatcher.start();
  try {
    await eventually(
      async () => (await fx.count('failed', name)) === count,
      60_000,
      `${count} failed ${name} jobs`,
    );
  } finally {
    await dispatcher.stop({ graceMs: 1_000 });
  }
  return results.map((r) => r.id);
}
