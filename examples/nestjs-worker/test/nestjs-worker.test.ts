import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobManager } from '@jobservice/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../src/bootstrap.js';
import type { SendWelcome } from '../src/send-welcome.job.js';
import { WelcomeMailer } from '../src/welcome-mailer.service.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('examples/nestjs-worker', () => {
  it('POST /welcome enqueues a job whose callback uses the injected mailer', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'nestjs-worker-test-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { app, url } = await startApp({ port: 0, dataDir });
    cleanups.push(() => app.close());

    const response = await fetch(`${url}/welcome`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Grace' }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };

    const result = await app.get(JobManager).waitFor<typeof SendWelcome>(id);
    expect(result).toEqual({ message: 'Welcome aboard, Grace!' });
    expect(app.get(WelcomeMailer).sent).toEqual(['Welcome aboard, Grace!']); // the same singleton the callback got

    const status = await (await fetch(`${url}/welcome/${id}`)).json();
    expect(status).toMatchObject({ id, status: 'completed', attempt: 1 });
  });

  it('answers 400 to a body without a name', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'nestjs-worker-test-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { app, url } = await startApp({ port: 0, dataDir });
    cleanups.push(() => app.close());
    const response = await fetch(`${url}/welcome`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(400);
  });
});

describe('the built app (npm run serve)', () => {
  it('stops gracefully on SIGTERM (enableShutdownHooks)', async () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd, encoding: 'utf8' });
    expect(`${build.stdout}${build.stderr}`).toBe('');
    const dataDir = await mkdtemp(join(tmpdir(), 'nestjs-worker-test-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd,
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(async () => void child.kill('SIGKILL'));
    let output = '';
    const seen = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) resolve(match);
        };
        const onData = (chunk: Buffer) => {
          output += chunk;
          check();
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', () => reject(new Error(`exited before ${pattern}; output:\n${output}`)));
        check();
      });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? code)),
    );

    const [, url] = await seen(/listening on (http:\/\/\S+)/);
    const response = await fetch(`${url}/welcome`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Linus' }),
    });
    expect(response.status).toBe(202);
    await seen(/\[mailer\] sent: Welcome aboard, Linus!/);

    child.kill('SIGTERM');
    // Nest closes the app, then re-raises the signal.
    expect(await exited).toBe('SIGTERM');
    expect(output).toMatch(/\[app\] shut down on SIGTERM: dispatcher stopped/);
  });
});
