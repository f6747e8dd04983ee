import { spawnSync } from 'node:child_process';
import { connect } from 'amqplib';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The broker the tests use: `AMQP_URL`, or guest@127.0.0.1:5672. */
    amqpUrl: string;
    /** Why the broker tests are skipped; empty when the broker answered. */
    amqpSkipReason: string;
    /** Why tests that need `rabbitmqctl` are skipped; empty when it works. */
    rabbitmqctlSkipReason: string;
  }
}

const DEFAULT_URL = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Checks that the broker answers (one AMQP handshake, 5 s at most). Where it
 * does not, the broker tests are skipped with the printed reason — except
 * under `CI=true`, where that fails the run. Also checks `rabbitmqctl`
 * (used to close connections from the server side).
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.AMQP_URL ?? DEFAULT_URL;
  project.provide('amqpUrl', url);
  const ci = process.env.CI === 'true';
  let reason = '';
  try {
    const connection = await Promise.race([
      connect(url, { timeout: 5_000 }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5_000)),
    ]);
    await connection.close();
  } catch (error) {
    reason = `RabbitMQ at ${url.replace(/:[^:@/]*@/, ':***@')} does not answer (${error instanceof Error ? error.message : String(error)}); start it or set AMQP_URL`;
  }
  if (reason && ci) throw new Error(`provider-rabbitmq: ${reason} (CI=true: not skipping)`);
  if (reason) console.warn(`provider-rabbitmq: skipping the broker tests: ${reason}`);
  project.provide('amqpSkipReason', reason);

  let ctlReason = '';
  const ctl = spawnSync('rabbitmqctl', ['list_connections', 'pid', '--no-table-headers', '-q'], {
    timeout: 30_000,
    encoding: 'utf8',
  });
  if (ctl.error || ctl.status !== 0) {
    ctlReason = `rabbitmqctl is not usable here (${ctl.error?.message ?? ctl.stderr.trim().split('\n')[0] ?? `exit ${ctl.status}`})`;
    if (ci && !reason) throw new Error(`provider-rabbitmq: ${ctlReason} (CI=true: not skipping)`);
    console.warn(`provider-rabbitmq: skipping the server-side disconnect test: ${ctlReason}`);
  }
  project.provide('rabbitmqctlSkipReason', ctlReason);
}
