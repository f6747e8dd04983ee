import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, uniqueName } from '../kit-context.js';

/** Bad flow-control input: a typed error naming the field, and nothing written. */
export function flowInputChecks({ test, it, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  it('refuses bad limits, windows and keys at enqueue with a typed error, writing nothing', async () => {
    const h = await open();
    const name = uniqueName('bad-flow');
    const Callback = defineCallback(name, () => JobExecutionResult.success());
    const m = manager(h, [Callback]);
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ concurrencyKey: 'k', concurrencyLimit: 0 }, 'concurrencyLimit'],
      [{ concurrencyKey: 'k', concurrencyLimit: 1.5 }, 'concurrencyLimit'],
      [{ concurrencyLimit: 2 }, 'concurrencyLimit'],
      [{ concurrencyKey: 'x'.repeat(201) }, 'concurrencyKey'],
      [{ concurrencyKey: '' }, 'concurrencyKey'],
      [{ rateLimit: { key: 'api', max: 10, perMs: 0 } }, 'rateLimit.perMs'],
      [{ rateLimit: { key: 'api', max: 0, perMs: 1_000 } }, 'rateLimit.max'],
      [{ rateLimit: { key: 'api', max: 2.5, perMs: 1_000 } }, 'rateLimit.max'],
      [{ rateLimit: { key: 'y'.repeat(201), max: 1, perMs: 1_000 } }, 'rateLimit.key'],
    ];
    for (const [options, field] of bad) {
      const error = await m.enqueue(Callback, {}, options).then(
        () => undefined,
        (e: unknown) => e as { code?: string; message?: string },
      );
      expect(error?.code).toBe('INVALID_INPUT');
      expect(error?.message?.includes(field)).toBe(true);
    }
    const page = await h.store.query({ names: [name] });
    expect(page.items).toEqual([]);
  });

  it('refuses a claim with a bad nameLimits cap with a typed error, leasing nothing', async () => {
    const h = await open();
    const name = uniqueName('bad-name-cap');
    const Callback = defineCallback(name, () => JobExecutionResult.success());
    const { id } = await manager(h, [Callback]).enqueue(Callback, {});
    for (const cap of [-1, 1.5, '2', 10_001]) {
      const request = {
        names: [name],
        limit: 5,
        workerId: 'kit',
        leaseMs: 30_000,
        nameLimits: { [name]: cap },
      };
      const error = await h.jobs.claim(request as never).then(
        () => undefined,
        (e: unknown) => e as { code?: string; message?: string },
      );
      expect(error?.code).toBe('INVALID_INPUT');
      expect(error?.message?.includes(`request.nameLimits.${name}`)).toBe(true);
    }
    expect((await h.jobs.get(id))?.status).toBe('scheduled');
  });

  it('refuses a non-positive or fractional maxParallelism when the dispatcher is built', async () => {
    const h = await open();
    const name = uniqueName('bad-cap');
    const Callback = defineCallback(name, () => JobExecutionResult.success());
    for (const cap of [0, -1, 1.5]) {
      expect(() => dispatcher({ callbacks: [Callback], maxParallelism: { [name]: cap } }, h)).toThrow(
        /maxParallelism/,
      );
    }
    expect(() => dispatcher({ callbacks: [Callback], maxParallelism: { nope: 1 } }, h)).toThrow(
      /maxParallelism\.nope/,
    );
    Object.assign(Callback, { maxParallelism: 2, maxParallelismScope: 'everywhere' });
    expect(() => dispatcher({ callbacks: [Callback] }, h)).toThrow(/maxParallelismScope/);
  });
}
