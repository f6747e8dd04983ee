import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type JobDispatcher, JobManager, silentLogger } from '@jobservice/core';
import { FileSystemDocumentProvider } from '@jobservice/provider-fs';
import { SpanKind } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrument } from '../src/index.js';
import { dispatcherFor, only, recordEnds, setUpTracing } from './support.js';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('the trace survives the store', () => {
  let tracing: ReturnType<typeof setUpTracing>;
  let root: string;
  const cleanup: Array<() => Promise<void> | void> = [];

  beforeEach(async () => {
    tracing = setUpTracing();
    root = await mkdtemp(join(tmpdir(), 'jobservice-otel-'));
  });

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    await tracing.tearDown();
    await rm(root, { recursive: true, force: true });
  });

  async function producer() {
    const store = await FileSystemDocumentProvider.open({ root, logger: silentLogger });
    cleanup.push(() => store.close());
    const manager = new JobManager({ store });
    cleanup.push(instrument({ manager, tracerProvider: tracing.provider, metrics: false }));
    const enqueue = () =>
      tracing.provider.getTracer('app').startActiveSpan('http request', async (span) => {
        try {
          return await manager.enqueue('send-email', { to: 'ada@example.com' });
        } finally {
          span.end();
        }
      });
    return { manager, enqueue };
  }

  it('from a manager on one store instance to a dispatcher on another of the same folder', async () => {
    const { enqueue } = await producer();
    const workerStore = await FileSystemDocumentProvider.open({ root, logger: silentLogger });
    cleanup.push(() => workerStore.close());
    const dispatcher: JobDispatcher = dispatcherFor(workerStore);
    cleanup.push(() => dispatcher.stop());
    cleanup.push(instrument({ dispatcher, tracerProvider: tracing.provider, metrics: false }));
    const ends = recordEnds(dispatcher);

    const { id } = await enqueue();
    await dispatcher.start();
    await ends.until('completed', id);

    const spans = await tracing.spans();
    const send = only(spans, 'send send-email');
    const consumer = only(spans, 'process send-email');
    expect(consumer.spanContext().traceId).toBe(send.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    expect(only(spans, 'smtp.write').parentSpanContext?.spanId).toBe(consumer.spanContext().spanId);
  });

  it('from this process to a worker in a child process', async () => {
    const { manager, enqueue } = await producer();
    const { id } = await enqueue();
    const send = only(await tracing.spans(), 'send send-email');

    const output = await runWorker(join(here, 'fixtures', 'fs-worker.ts'), [root, id]);
    const spans = JSON.parse(output.trim().split('\n').at(-1) ?? '[]') as Array<{
      name: string;
      kind: number;
      traceId: string;
      spanId: string;
      parentSpanId?: string;
      attributes: Record<string, unknown>;
    }>;
    const consumer = spans.find((s) => s.name === 'process send-email');
    expect(consumer).toMatchObject({
      kind: SpanKind.CONSUMER,
      traceId: send.spanContext().traceId,
      parentSpanId: send.spanContext().spanId,
      attributes: { 'messaging.message.id': id, 'jobservice.outcome': 'completed', 'jobservice.attempt': 1 },
    });
    expect(spans.find((s) => s.name === 'smtp.write')?.parentSpanId).toBe(consumer?.spanId);
    expect(await manager.waitFor(id)).toEqual({ sent: 'ada@example.com' });
  });
});

/** Runs a TypeScript script with tsx; resolves with its stdout when it exits 0. */
function runWorker(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: join(here, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`worker exited with ${code ?? signal}: ${stderr}`));
    });
  });
}
