import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { newJob, uniqueName } from '@jobservice/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisProvider } from '../src/index.js';
import { type StartedRedis, startRedisServer } from './global-setup.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const AOF_ALWAYS = ['--appendonly', 'yes', '--appendfsync', 'always'];

describe.skipIf(!hasRedisServer)('durability across a Redis restart (AOF, appendfsync always)', () => {
  it('finds every acknowledged job, in the state it was acknowledged in, after SIGKILL and restart', async () => {
    let server: StartedRedis = await startRedisServer(AOF_ALWAYS);
    const dir = server.dir;
    const port = server.port;
    cleanups.push(async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const prefix = 'durable';
    let provider = new RedisProvider({ url: server.url, prefix });
    const name = uniqueName('durable');
    const jobs = Array.from({ length: 40 }, (_, i) => newJob(name, { metadata: { n: i }, key: `k-${i}` }));
    await provider.insertMany(jobs);
    const claimed = await provider.claim({ names: [name], limit: 10, workerId: 'w1', leaseMs: 60_000 });
    const settled = await provider.settle(
      claimed
        .slice(0, 5)
        .map((j) => ({ id: j.id, leaseToken: j.leaseToken, outcome: 'completed', result: j.id })),
    );
    expect(settled.every((r) => r.ok)).toBe(true);
    await provider.testing.shiftClock(1_234);
    const before = new Map<string, unknown>();
    for (const job of jobs) before.set(job.id, await provider.get(job.id));
    const countsBefore = await provider.countJobs();

    server.process.kill('SIGKILL');
    await new Promise((r) => server.process.once('exit', r));
    await provider.close();

    server = await startRedisServer(AOF_ALWAYS, dir, port);
    provider = new RedisProvider({ url: server.url, prefix });
    cleanups.push(() => provider.close());
    for (const job of jobs) expect(await provider.get(job.id)).toEqual(before.get(job.id));
    expect(sortCounts(await provider.countJobs())).toEqual(sortCounts(countsBefore));
    // Indexes came back too: keys still dedupe, the rest still claim in order.
    expect(await provider.insert(newJob(name, { key: 'k-0' }))).toEqual({ id: jobs[0]!.id, created: false });
    const rest = await provider.claim({ names: [name], limit: 100, workerId: 'w2', leaseMs: 60_000 });
    expect(rest.map((j) => j.id)).toEqual(jobs.slice(10).map((j) => j.id));
    expect(await provider.now()).toBeGreaterThan(0);
  });
});

function sortCounts<T extends { name: string; status: string }>(counts: T[]): T[] {
  return [...counts].sort((a, b) => `${a.status}${a.name}`.localeCompare(`${b.status}${b.name}`));
}
