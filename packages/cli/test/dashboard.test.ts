import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killStarted, startCli } from './helpers/cli.js';
import { fsFixture, type StoreFixture } from './helpers/stores.js';

afterEach(() => killStarted());

describe('dashboard', () => {
  let fx: StoreFixture;
  beforeAll(async () => {
    fx = await fsFixture();
    await fx.manager.enqueue('send-email', { to: 'ada@example.com' });
  });
  afterAll(async () => {
    await fx?.destroy();
  });

  it('serves read-only by default and stops on SIGTERM', async () => {
    const dashboard = startCli([...fx.storeArgs, 'dashboard', '--port', '0', '--base-path', '/jobs']);
    const [, url] = await dashboard.waitFor(
      /^dashboard \(read-only\): (http:\/\/127\.0\.0\.1:\d+\/jobs\/)\n/m,
    );
    const response = await fetch(url as string);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<');
    dashboard.child.kill('SIGTERM');
    expect(await dashboard.exited).toBe(0);
    expect(dashboard.output().stderr).toBe('');
  });

  it('warns when actions are allowed', async () => {
    const dashboard = startCli([...fx.storeArgs, 'dashboard', '--port', '0', '--allow-actions']);
    await dashboard.waitFor(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/\n/m);
    expect(dashboard.output().stderr).toBe(
      'jobservice: actions are allowed: anyone who can reach this port can retry, cancel and delete jobs\n',
    );
    dashboard.child.kill('SIGINT');
    expect(await dashboard.exited).toBe(0);
  });
});
