import { expect, inject, it } from 'vitest';
import { runDemo } from '../src/demo.js';

it('renders every invoice once across two worker processes, the delayed one not before its time', async () => {
  process.env.DATABASE_URL = inject('databaseUrl');
  const lines: string[] = [];
  const result = await runDemo((line) => lines.push(line));
  const rendered = Object.values(result.byWorker).flat().sort();
  expect(rendered).toEqual(Array.from({ length: 12 }, (_, i) => `A-${100 + i}`));
  expect(Object.keys(result.byWorker).every((w) => w === 'worker-a' || w === 'worker-b')).toBe(true);
  expect(result.delayedRanAfterMs).toBeGreaterThanOrEqual(1_400);
  expect(lines.some((line) => line.includes('RabbitMQ prefix'))).toBe(true);
});
