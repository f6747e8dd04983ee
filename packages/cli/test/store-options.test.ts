import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, runCliJson } from './helpers/cli.js';
import { dropSchema, fsFixture, type StoreFixture, uniqueSchema } from './helpers/stores.js';

interface Page {
  items: Array<{ id: string }>;
  cursor: string | null;
}

/** A local port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

describe('where the store comes from', () => {
  let fx: StoreFixture;
  let root: string;
  let jobId: string;
  let work: string;

  beforeAll(async () => {
    fx = await fsFixture();
    root = (fx.storeArgs[1] as string).slice('fs:'.length);
    jobId = (await fx.manager.enqueue('send-email', { to: 'ada@example.com' })).id;
    work = await mkdtemp(join(tmpdir(), 'jobservice-cli-config-'));
  });
  afterAll(async () => {
    await fx?.destroy();
    await rm(work, { recursive: true, force: true });
  });

  const ids = (page: Page) => page.items.map((j) => j.id);

  it('takes JOBSERVICE_STORE when --store is not given, and --store over it', async () => {
    expect(
      ids(await runCliJson<Page>(['list', '--json'], { env: { JOBSERVICE_STORE: `fs:${root}` } })),
    ).toEqual([jobId]);
    const both = await runCliJson<Page>(['--store', `fs:${root}`, 'list', '--json'], {
      env: { JOBSERVICE_STORE: 'mysql://elsewhere/db' },
    });
    expect(ids(both)).toEqual([jobId]);
  });

  it('reads a JSON config file in the working directory, fs folders relative to it', async () => {
    const dir = await mkdtemp(join(work, 'json-'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'jobservice.config.json'), JSON.stringify({ store: `fs:${root}` }));
    expect(ids(await runCliJson<Page>(['list', '--json'], { cwd: dir }))).toEqual([jobId]);

    // --config from elsewhere: `fs:./store` is relative to the config file's folder.
    const other = await mkdtemp(join(work, 'relative-'));
    await writeFile(join(other, 'settings.json'), JSON.stringify({ store: 'fs:./store' }));
    const missing = await runCli(['--config', join(other, 'settings.json'), 'list'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no jobservice store at ${join(other, 'store')}`);
    expect(existsSync(join(other, 'store'))).toBe(false);
  });

  it('reads a JavaScript config file with a default export', async () => {
    const dir = await mkdtemp(join(work, 'mjs-'));
    await writeFile(
      join(dir, 'jobservice.config.mjs'),
      `export default { store: ${JSON.stringify(`fs:${root}`)} };\n`,
    );
    expect(ids(await runCliJson<Page>(['list', '--json'], { cwd: dir }))).toEqual([jobId]);
  });

  it('exits 2 with one line for a bad config file, a missing --config, or no store at all', async () => {
    const dir = await mkdtemp(join(work, 'bad-'));
    await writeFile(join(dir, 'jobservice.config.json'), '{ "store": ');
    const broken = await runCli(['list'], { cwd: dir });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(
      /^jobservice: config file \S+jobservice\.config\.json is not valid JSON: .*\n$/,
    );

    const absent = await runCli(['--config', 'nope.json', 'list'], { cwd: work });
    expect(absent).toMatchObject({
      code: 2,
      stderr: `jobservice: config file not found: ${join(work, 'nope.json')}\n`,
    });

    const none = await runCli(['list'], { cwd: work });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      'jobservice: no store given: pass --store <url>, set JOBSERVICE_STORE, or put "store" in jobservice.config.json (postgres://…, postgresql://… or fs:<folder>)\n',
    );
  });

  it('exits 2 naming the accepted forms for another scheme', async () => {
    const result = await runCli(['--store', 'mysql://db/app', 'list']);
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr: "jobservice: unsupported store 'mysql:'; use postgres://…, postgresql://… or fs:<folder>\n",
    });
  });

  it('exits 1 for a missing fs store without creating it, and 2 for --schema on fs', async () => {
    const folder = join(work, 'not-there');
    const result = await runCli(['--store', `fs:${folder}`, 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(existsSync(folder)).toBe(false);
    const schema = await runCli(['--store', `fs:${root}`, '--schema', 'x', 'list']);
    expect(schema).toMatchObject({
      code: 2,
      stderr: 'jobservice: --schema applies to PostgreSQL stores only\n',
    });
  });

  it('reports commander usage errors as one line with exit 2', async () => {
    const unknownOption = await runCli(['--store', `fs:${root}`, 'list', '--bogus']);
    expect(unknownOption).toMatchObject({ code: 2, stderr: "jobservice: unknown option '--bogus'\n" });
    const unknownCommand = await runCli(['frobnicate']);
    expect(unknownCommand).toMatchObject({ code: 2, stderr: "jobservice: unknown command 'frobnicate'\n" });
    const badLimit = await runCli(['--store', `fs:${root}`, 'list', '--limit', '0']);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr.split('\n')).toHaveLength(2);
    const badStatus = await runCli(['--store', `fs:${root}`, 'list', '--status', 'done']);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain("unknown status 'done'");
    const missingArg = await runCli(['--store', `fs:${root}`, 'inspect']);
    expect(missingArg).toMatchObject({ code: 2, stderr: "jobservice: missing required argument 'id'\n" });
  });

  it('prints help and the version with exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: jobservice');
    expect(help.stdout).toContain('run-schedule');
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});

describe('PostgreSQL stores', () => {
  const databaseUrl = inject('databaseUrl');

  it('exits 1 with one line when the server is unreachable, hiding the password', async () => {
    const port = await closedPort();
    const result = await runCli(['--store', `postgres://ops:hunter2@127.0.0.1:${port}/jobs`, 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^jobservice: cannot reach PostgreSQL at postgres://ops:\\*\\*\\*@127\\.0\\.0\\.1:${port}/jobs: .*ECONNREFUSED.*\\n$`,
      ),
    );
    expect(result.stderr).not.toContain('hunter2');
  });

  it('exits 2 for a schema name the provider refuses', async () => {
    const result = await runCli(['--store', databaseUrl, '--schema', 'Bad-Name', 'list']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });

  it('migrates a fresh schema; commands before it refuse to run, after it work', async () => {
    const schema = uniqueSchema();
    const args = ['--store', databaseUrl, '--schema', schema];
    try {
      const before = await runCli([...args, 'list']);
      expect(before.code).toBe(1);
      expect(before.stderr).toMatch(
        new RegExp(
          `^jobservice: postgres: schema "${schema}" is at version 0 .*; run: jobservice migrate\\n$`,
        ),
      );

      const first = await runCli([...args, 'migrate']);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(new RegExp(`^schema ${schema}: applied migrations? [\\d, ]+\\n$`));

      const again = await runCliJson<{ schema: string; applied: number[] }>([...args, 'migrate', '--json']);
      expect(again).toEqual({ schema, applied: [] });
      expect((await runCli([...args, 'migrate'])).stdout).toBe(`schema ${schema} is current\n`);

      expect(await runCliJson<Page>([...args, 'list', '--json'])).toEqual({ items: [], cursor: null });
    } finally {
      await dropSchema(databaseUrl, schema);
    }
  });

  it('refuses migrate on an fs store with exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jobservice-cli-migrate-'));
    try {
      const result = await runCli(['--store', `fs:${dir}`, 'migrate']);
      expect(result).toMatchObject({
        code: 2,
        stderr: `jobservice: migrate needs a PostgreSQL store (got fs:${dir})\n`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
