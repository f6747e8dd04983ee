/**
 * Store calls under CPU contention: worker processes hammer one fs store with
 * claim / settle / heartbeat / recover the way dispatchers do (concurrency 2,
 * lease 3 s, heartbeat 1 s, handlers 5–50 ms) while CPU-bound busy loops
 * compete for the cores. Each run settles as a retry due at once, so a
 * small set of jobs keeps the workers busy and the log growing (compactions
 * included). Reports call latency (p50 / p99 / max), lock wait and hold
 * times, lost leases, self-fences (no heartbeat within lease − 1.5
 * heartbeats, the dispatcher's rule) and recoveries. Bounded; the busy loops
 * are killed at the end.
 *
 *   node --import tsx packages/provider-fs/scripts/measure-contention.ts \
 *     [workers=4] [busy=3] [seconds=20] [full|relaxed] [jobs=2000]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type JobDocument, type NewJob, recoverFallback, silentLogger } from '@jobservice/core';
import { FileSystemDocumentProvider } from '../src/index.js';
import { FileLock } from '../src/lock/file-lock.js';

const LEASE_MS = 3_000;
const HEARTBEAT_MS = 1_000;
const CONCURRENCY = 2;
const NAME = 'contended';

type Durability = 'full' | 'relaxed';

if (process.argv[2] === '--worker') {
  await worker(process.argv[3] as string, Number(process.argv[4]), process.argv[5] as Durability);
} else {
  await main();
}

async function main(): Promise<void> {
  const workers = Number(process.argv[2] ?? 4);
  const busy = Number(process.argv[3] ?? 3);
  const seconds = Number(process.argv[4] ?? 20);
  const durability = (process.argv[5] ?? 'full') as Durability;
  const jobCount = Number(process.argv[6] ?? 2_000);
  const dir = mkdtempSync(join(tmpdir(), 'fs-contention-'));
  const loops: ChildProcess[] = [];
  const stopLoops = () => {
    for (const loop of loops) if (loop.exitCode === null) loop.kill('SIGKILL');
  };
  process.on('SIGINT', () => {
    stopLoops();
    process.exit(130);
  });
  try {
    const root = join(dir, 'store');
    const store = await FileSystemDocumentProvider.open({ root, durability, logger: silentLogger });
    for (let i = 0; i < jobCount; i += 1_000) {
      await store.insertMany(
        Array.from({ length: Math.min(1_000, jobCount - i) }, (_, k) => ({
          ...newJob(),
          id: `j-${String(i + k).padStart(6, '0')}-${randomBytes(4).toString('hex')}`,
        })),
      );
    }
    await store.close();
    for (let i = 0; i < busy; i++) {
      loops.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    }
    const self = fileURLToPath(import.meta.url);
    const children = Array.from({ length: workers }, () =>
      spawn(
        process.execPath,
        [...process.execArgv, self, '--worker', root, String(seconds * 1_000), durability],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      ),
    );
    const reports = children.map(collect);
    // Every worker opens (reads the whole log once) before any starts: opening is not what is measured.
    await Promise.all(children.map((child) => lineOf(child, 'ready')));
    for (const child of children) child.stdin?.end('go\n');
    const results = await Promise.all(reports);
    stopLoops();
    const figures = { workers, busy, seconds, durability, jobs: jobCount, ...merge(results) };
    console.log(JSON.stringify(figures, null, 1));
  } finally {
    stopLoops();
    rmSync(dir, { recursive: true, force: true });
  }
}

function newJob(): NewJob {
  return {
    id: '',
    name: NAME,
    metadata: {},
    priority: 0,
    runAt: 0,
    maxAttempts: 1_000,
    backoff: { type: 'fixed', delayMs: 0 },
    timeoutMs: null,
    key: null,
    scheduleId: null,
  };
}

interface Report {
  calls: Record<string, number[]>;
  waits: number[];
  holds: number[];
  settled: number;
  lost: number;
  selfFenced: number;
  recovered: number;
}

function lineOf(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.split('\n').includes(text)) return;
      child.stdout?.off('data', onData);
      resolve();
    };
    child.stdout?.on('data', onData);
    child.on('exit', () => reject(new Error(`worker exited before printing ${text}`)));
  });
}

function collect(child: ChildProcess): Promise<Report> {
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop() as string) as Report);
      else reject(new Error(`worker exited with ${code}: ${out}`));
    });
  });
}

function merge(reports: Report[]) {
  const all = (pick: (r: Report) => number[]) => reports.flatMap(pick).sort((a, b) => a - b);
  const stats = (xs: number[]) => ({
    n: xs.length,
    p50: round(xs[Math.floor(xs.length * 0.5)]),
    p99: round(xs[Math.floor(xs.length * 0.99)]),
    max: round(xs[xs.length - 1]),
  });
  const calls: Record<string, ReturnType<typeof stats>> = {};
  for (const op of ['claim', 'settle', 'extendLeases', 'recover']) {
    calls[op] = stats(all((r) => r.calls[op] ?? []));
  }
  calls.all = stats(all((r) => Object.values(r.calls).flat()));
  const sum = (pick: (r: Report) => number) => reports.reduce((a, r) => a + pick(r), 0);
  return {
    callMs: calls,
    lockWaitMs: stats(all((r) => r.waits)),
    lockHoldMs: stats(all((r) => r.holds)),
    settled: sum((r) => r.settled),
    lostLeases: sum((r) => r.lost),
    selfFenced: sum((r) => r.selfFenced),
    recovered: sum((r) => r.recovered),
  };
}

function round(x: number | undefined): number {
  return Math.round((x ?? 0) * 10) / 10;
}

/** One worker process: claim into free slots, run 5–50 ms, settle; heartbeat and reap every second. */
async function worker(root: string, durationMs: number, durability: Durability): Promise<void> {
  const report: Report = {
    calls: {},
    waits: [],
    holds: [],
    settled: 0,
    lost: 0,
    selfFenced: 0,
    recovered: 0,
  };
  let heldSince = 0;
  const acquire = FileLock.prototype.acquire;
  const release = FileLock.prototype.release;
  FileLock.prototype.acquire = async function (this: FileLock) {
    const t = performance.now();
    await acquire.call(this);
    heldSince = performance.now();
    report.waits.push(heldSince - t);
  };
  FileLock.prototype.release = function (this: FileLock) {
    report.holds.push(performance.now() - heldSince);
    release.call(this);
  };
  const store = await FileSystemDocumentProvider.open({ root, durability, logger: silentLogger });
  report.waits.length = 0; // opening (reading the whole log once) is not a store call
  report.holds.length = 0;
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const timed = async <T>(op: string, run: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await run();
    } finally {
      const calls = report.calls[op] ?? [];
      calls.push(performance.now() - t);
      report.calls[op] = calls;
    }
  };
  const held = new Map<string, { doc: JobDocument; validUntil: number }>();
  const workerId = `w${process.pid}`;
  const end = performance.now() + durationMs;
  process.stdin.pause();
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const run = async (doc: JobDocument, validUntil: number) => {
    held.set(doc.id, { doc, validUntil });
    await sleep(5 + Math.random() * 45);
    if (!held.has(doc.id)) return; // self-fenced meanwhile
    held.delete(doc.id);
    const settlement = {
      id: doc.id,
      leaseToken: doc.leaseToken,
      outcome: 'retry',
      delayMs: 0,
      error: { message: 'again' },
    } as const;
    const [result] = await timed('settle', () => store.settle([settlement]));
    if (result?.ok) report.settled++;
    else report.lost++;
  };
  const slots = async () => {
    const running = new Set<Promise<void>>();
    while (performance.now() < end) {
      const free = CONCURRENCY - running.size;
      if (free > 0) {
        const t = performance.now();
        const docs = await timed('claim', () =>
          store.claim({ names: [NAME], limit: free, workerId, leaseMs: LEASE_MS }),
        );
        for (const doc of docs) {
          const p: Promise<void> = run(doc, t + LEASE_MS).finally(() => running.delete(p));
          running.add(p);
        }
        if (docs.length === 0) await sleep(50);
      }
      if (running.size >= CONCURRENCY) await Promise.race(running);
    }
    await Promise.all(running);
  };
  const heartbeat = async () => {
    while (performance.now() < end) {
      await sleep(HEARTBEAT_MS);
      const t = performance.now();
      const items = [...held.values()];
      if (items.length > 0) {
        const results = await timed('extendLeases', () =>
          store.extendLeases(
            items.map(({ doc }) => ({ id: doc.id, leaseToken: doc.leaseToken, leaseMs: LEASE_MS })),
          ),
        );
        results.forEach((r, i) => {
          const item = items[i];
          if (r.ok && item) item.validUntil = t + LEASE_MS;
        });
      }
      const horizon = performance.now() + HEARTBEAT_MS * 1.5;
      for (const [id, item] of held) {
        if (item.validUntil <= horizon) {
          held.delete(id);
          report.selfFenced++;
        }
      }
    }
  };
  const reaper = async () => {
    const recover = store.recover
      ? (n: number) => store.recover(n)
      : (n: number) => recoverFallback(store, n);
    while (performance.now() < end) {
      await sleep(HEARTBEAT_MS);
      report.recovered += (await timed('recover', () => recover(100))).length;
    }
  };
  await Promise.all([slots(), heartbeat(), reaper()]);
  await store.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
