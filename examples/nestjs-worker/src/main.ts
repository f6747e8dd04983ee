import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobManager } from '@jobservice/core';
import { startApp } from './bootstrap.js';
import type { SendWelcome } from './send-welcome.job.js';

/**
 * `node dist/main.js` serves until SIGTERM/SIGINT; `--demo` (what
 * `npm start` runs) posts one request to itself, waits for the job, prints
 * it and exits 0.
 */
const demo = process.argv.includes('--demo') || process.env.DEMO === '1';
const port = Number(process.env.PORT ?? (demo ? 0 : 3000));
const dataDir = process.env.DATA_DIR ?? (demo ? await mkdtemp(join(tmpdir(), 'nestjs-worker-')) : './data');

const { app, url } = await startApp({ port, dataDir });
console.log(`[app] listening on ${url} (jobs in ${dataDir})`);

if (demo) {
  const response = await fetch(`${url}/welcome`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ada' }),
  });
  if (response.status !== 202) throw new Error(`POST /welcome answered ${response.status}`);
  const { id } = (await response.json()) as { id: string };
  const result = await app.get(JobManager).waitFor<typeof SendWelcome>(id);
  console.log(`[app] job ${id} completed:`, result);
  console.log('[app] GET /welcome/:id ->', await (await fetch(`${url}/welcome/${id}`)).json());
  await app.close(); // stops the dispatcher, closes the store and the queue
  if (!process.env.DATA_DIR) await rm(dataDir, { recursive: true, force: true });
  console.log('[app] closed');
} else {
  console.log(
    `[app] try: curl -X POST ${url}/welcome -H 'content-type: application/json' -d '{"name":"Ada"}'`,
  );
}
