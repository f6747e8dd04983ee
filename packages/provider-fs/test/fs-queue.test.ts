import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Bell, silentLogger } from '@jobservice/core';
import { eventually } from '@jobservice/core/testing';
import { describe, expect, it } from 'vitest';
import { FileSystemQueueProvider, type FileSystemQueueProviderOptions } from '../src/index.js';
import { bellFileName, tagOf } from '../src/queue/bell-file.js';
import { deadTag, recordingLogger } from './helpers/fixtures.js';
import { sleep } from './helpers/proc.js';
import { tempRootsPerTest } from './helpers/temp-root.js';

describe('fs queue', () => {
  const { cleanups, newRoot } = tempRootsPerTest('bells');
  const open = async (root: string, extra: Partial<FileSystemQueueProviderOptions> = {}) => {
    const queue = await FileSystemQueueProvider.open({ root, logger: silentLogger, ...extra });
    cleanups.push(() => queue.close());
    return queue;
  };
  const ready = (root: string) => readdirSync(join(root, 'ready')).filter((f) => f.endsWith('.bell'));

  it('hands each bell to exactly one of two competing consumers on one folder', async () => {
    const root = newRoot();
    const [a, b, producer] = [await open(root), await open(root), await open(root)];
    const got: string[] = [];
    await a.subscribe((bell) => got.push(bell.id));
    await b.subscribe((bell) => got.push(bell.id));
    const ids = Array.from({ length: 400 }, (_, i) => `job-${i}`);
    for (let i = 0; i < ids.length; i += 10) {
      await producer.enqueue(ids.slice(i, i + 10).map((id) => ({ id, name: 'work' })));
    }
    await eventually(() => got.length >= ids.length, 15_000, 'every bell');
    await sleep(100);
    expect([...got].sort()).toEqual([...ids].sort());
    expect(ready(root)).toEqual([]);
  });

  it('writes one file per 32 bells of one name, priority and due time', async () => {
    const root = newRoot();
    const queue = await open(root);
    await queue.enqueue(Array.from({ length: 100 }, (_, i) => ({ id: `b${i}`, name: 'n', priority: 1 })));
    await queue.enqueue([{ id: 'x', name: 'other' }]);
    expect(ready(root)).toHaveLength(5);
  });

  it('routes by name: named bells only to subscribers of that name, unnamed bells to anyone', async () => {
    const root = newRoot();
    const queue = await open(root);
    const emails: string[] = [];
    const reports: string[] = [];
    await queue.subscribe((bell) => emails.push(bell.id), { names: ['email'] });
    await queue.subscribe((bell) => reports.push(bell.id), { names: ['report'] });
    await queue.enqueue([
      { id: 'e1', name: 'email' },
      { id: 'r1', name: 'report' },
      { id: 'nameless' },
      { id: 'p1', name: 'payroll' },
    ]);
    await eventually(() => emails.length + reports.length >= 3, 5_000, 'routed bells');
    await sleep(100);
    expect(emails.filter((id) => id !== 'nameless')).toEqual(['e1']);
    expect(reports.filter((id) => id !== 'nameless')).toEqual(['r1']);
    expect([...emails, ...reports].filter((id) => id === 'nameless')).toHaveLength(1);
    expect(ready(root)).toHaveLength(1);
    const payroll: Bell[] = [];
    await queue.subscribe((bell) => payroll.push(bell), { names: ['payroll'] });
    await eventually(() => payroll.length === 1, 5_000, 'payroll bell');
    expect(payroll).toEqual([{ id: 'p1', name: 'payroll' }]);
  });

  it('holds a delayed bell until its notBefore', async () => {
    const root = newRoot();
    const queue = await open(root);
    const at: number[] = [];
    await queue.subscribe(() => at.push(Date.now()));
    const notBefore = Date.now() + 250;
    await queue.enqueue([{ id: 'later', notBefore }]);
    await eventually(() => at.length === 1, 5_000, 'delayed bell');
    expect(at[0]).toBeGreaterThanOrEqual(notBefore);
  });

  it("returns a dead consumer's taken bells to ready/ and delivers them", async () => {
    const root = newRoot();
    await open(root);
    const deadDir = join(root, 'claimed', `~${deadTag(5)}.consumer`);
    mkdirSync(deadDir, { recursive: true });
    const file = bellFileName(Date.now(), 0, tagOf('work'), `${deadTag(6)}.000000000001`);
    writeFileSync(join(deadDir, file), JSON.stringify([{ id: 'orphan', name: 'work' }]));
    const consumer = await open(root, { rescanMs: 50 });
    const got: string[] = [];
    await consumer.subscribe((bell) => got.push(bell.id));
    await eventually(() => got.includes('orphan'), 5_000, 'orphaned bell');
    expect(readdirSync(join(root, 'claimed')).filter((d) => d.includes('99999999'))).toEqual([]);
  });

  it('drops an unreadable bell file with a logged error', async () => {
    const root = newRoot();
    const logger = recordingLogger();
    const queue = await open(root, { logger });
    writeFileSync(join(root, 'ready', bellFileName(0, 0, 'any', 'x.1')), 'garbage');
    const got: string[] = [];
    await queue.subscribe((bell) => got.push(bell.id));
    await queue.enqueue([{ id: 'fine' }]);
    await eventually(() => got.includes('fine'), 5_000, 'good bell');
    expect(logger.lines).toContainEqual({
      level: 'error',
      message: expect.stringContaining('is unreadable'),
    });
    expect(ready(root)).toEqual([]);
  });

  it('rejects bad bells at the call, naming the field, and writes nothing', async () => {
    const root = newRoot();
    const queue = await open(root);
    await expect(queue.enqueue([{ id: '' }])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'bells[0].id',
    });
    await expect(queue.enqueue([{ id: 'a', priority: 1.5 }])).rejects.toMatchObject({
      field: 'bells[0].priority',
    });
    await expect(queue.enqueue([{ id: 'a' }], { transaction: {} })).rejects.toMatchObject({
      field: 'options.transaction',
    });
    expect(ready(root)).toEqual([]);
    await queue.close();
    await queue.close();
    await expect(queue.enqueue([{ id: 'a' }])).rejects.toMatchObject({ code: 'SHUT_DOWN' });
  });
});
