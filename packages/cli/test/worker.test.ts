import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobManager, silentLogger } from '@jobservice/core';
import { eventually } from '@jobservice/core/testing';
import { FileSystemDocumentProvider } from '@jobservice/provider-fs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { killStarted, runCli, startCli } from './helpers/cli.js';
import { fsFixture, postgresFixture, type StoreFixture } from './helpers/stores.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const echoModule = join(fixtures, 'echo-callbacks.mjs');

afterEach(() => killStarted());

const kinds = [
  ['fs', () => fsFixture()],
  ['postgres', () => postgresFixture(inject('databaseUrl'))],
] as const;

describe.each(kinds)('worker on a %s store', (_kind, open) => {
  let fx: StoreFixture;
  beforeAll(async () => {
    fx = await open();
  });
  afterAll(async () => {
    await fx?.destroy();
  });

  it('runs the module callbacks, then stops gracefully on SIGTERM after the running job', async () => {
    const worker = startCli([
      ...fx.storeArgs,
      'worker',
      '--module',
      echoModule,
      '--concurrency',
      '4',
      '--grace-ms',
      '20000',
    ]);
    await worker.waitFor(/worker started: 2 callbacks \(cli-echo, cli-shout\), concurrency 4\n/);

    const echoes = await Promise.all(['a', 'b', 'c'].map((text) => fx.manager.enqueue('cli-echo', { text })));
    const shout = await fx.manager.enqueue('cli-shout', { text: 'hey' });
    for (const { id } of [...echoes, shout]) {
      await eventually(async () => (await fx.manager.get(id))?.status === 'completed', 30_000, `job ${id}`);
    }
    expect((await fx.manager.get(echoes[0]?.id as string))?.result).toEqual({ echoed: 'a' });
    expect((await fx.manager.get(shout.id))?.result).toEqual({ shouted: 'HEY' });

    const slow = await fx.manager.enqueue('cli-echo', { text: 'slow', ms: 1_000 });
    await eventually(
      async () => (await fx.manager.get(slow.id))?.status === 'running',
      30_000,
      'the slow job to run',
    );
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await fx.manager.get(slow.id)).toMatchObject({ status: 'completed', result: { echoed: 'slow' } });
    const { stdout, stderr } = worker.output();
    expect(stdout).toMatch(/SIGTERM: stopping; running jobs get 20000 ms to finish\n/);
    expect(stdout).toMatch(/worker stopped\n$/);
    expect(stderr).toBe('');
  });
});

describe('worker refusals', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobservice-cli-worker-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 with one line for a module without callbacks, creating nothing', async () => {
    const module = join(fixtures, 'no-callbacks.mjs');
    const store = join(dir, 'never-created');
    const result = await runCli(['--store', `fs:${store}`, 'worker', '--module', module]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `jobservice: ${module} exports no callbacks: export classes labelled with @JobCallbackName('name') (or static jobName), or an array named callbacks\n`,
    );
    expect(existsSync(store)).toBe(false);
  });

  it('exits 2 for a missing module and for no module at all', async () => {
    const missing = await runCli(['--store', `fs:${dir}/x`, 'worker', '--module', './nope.mjs'], {
      cwd: dir,
    });
    expect(missing).toMatchObject({
      code: 2,
      stderr: `jobservice: callbacks module not found: ${join(dir, 'nope.mjs')}\n`,
    });
    const none = await runCli(['--store', `fs:${dir}/x`, 'worker'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^jobservice: worker needs a callbacks module: pass --module \.\/jobs\.js/);
  });

  it('loads a TypeScript module named by the config file, which also sets the store and concurrency', async () => {
    const project = await mkdtemp(join(dir, 'project-'));
    await writeFile(
      join(project, 'jobservice.config.json'),
      JSON.stringify({ store: 'fs:./data', module: join(fixtures, 'ts-callbacks.ts'), concurrency: 2 }),
    );
    const worker = startCli(['worker'], { cwd: project });
    await worker.waitFor(/worker started: 1 callback \(cli-ts-greet\), concurrency 2\n/);
    const store = await FileSystemDocumentProvider.open({
      root: join(project, 'data', 'jobs'),
      logger: silentLogger,
    });
    try {
      const manager = new JobManager({ store });
      const { id } = await manager.enqueue('cli-ts-greet', { name: 'ada' });
      await eventually(async () => (await manager.get(id))?.status === 'completed', 30_000, 'the greeting');
      expect((await manager.get(id))?.result).toEqual({ greeting: 'hello ada' });
    } finally {
      await store.close();
    }
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(0);
    expect(worker.output().stdout).toMatch(/SIGINT: stopping/);
  });
});
