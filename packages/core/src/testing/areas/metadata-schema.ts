import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { StandardSchemaV1 } from '../../callbacks/standard-schema.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, uniqueName } from '../kit-context.js';

/** A Standard Schema written by hand (no library): `{ count: positive integer }`, output `{ count, doubled }`. */
const countSchema: StandardSchemaV1<{ count: number }, { count: number; doubled: number }> = {
  '~standard': {
    version: 1,
    vendor: 'jobservice-kit',
    validate(value) {
      const count = (value as { count?: unknown } | null)?.count;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
        return { issues: [{ message: 'must be a whole number ≥ 1', path: ['count'] }] };
      }
      return { value: { count, doubled: count * 2 } };
    },
  },
};

/** Metadata validated by a callback's Standard Schema: at enqueue (nothing written) and before each run. */
export function metadataSchemaArea({ test, it, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  it('refuses metadata the schema rejects at enqueue, writing nothing; runs valid jobs with the output', async () => {
    const h = await open();
    const name = uniqueName('schema');
    const seen: unknown[] = [];
    const Callback = defineCallback(
      name,
      (metadata) => {
        seen.push(metadata);
        return JobExecutionResult.success();
      },
      { schema: countSchema },
    );
    const m = manager(h, [Callback]);
    await expect(m.enqueue(Callback, { count: 0 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'metadata',
      issues: [{ path: 'count' }],
    });
    expect((await h.store.query({ names: [name] })).items).toHaveLength(0);
    const { id } = await m.enqueue(Callback, { count: 4 });
    await dispatcher({ callbacks: [Callback] }, h).drain();
    expect((await m.get(id))!.status).toBe('completed');
    expect(seen).toEqual([{ count: 4, doubled: 8 }]);
  });

  it('fails a stored job whose metadata no longer validates, without running it', async () => {
    const h = await open();
    const name = uniqueName('stale');
    let runs = 0;
    const Callback = defineCallback(
      name,
      () => {
        runs++;
        return JobExecutionResult.success();
      },
      { schema: countSchema, maxAttempts: 3 },
    );
    const { id } = await manager(h).enqueue(name, { count: 'three' });
    await dispatcher({ callbacks: [Callback] }, h).drain();
    const job = await h.store.get(id);
    expect(job).toMatchObject({ status: 'failed', attempt: 1 });
    expect(job!.error!.message).toContain('no longer validates');
    expect(runs).toBe(0);
  });
}
