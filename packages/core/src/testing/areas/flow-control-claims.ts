import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { EnqueueOptions } from '../../manager/enqueue-options.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, uniqueName } from '../kit-context.js';

/**
 * What one flow-controlled claim admits, asked of the store's `claim`
 * directly: each keyed job by its own limit, a startable job found behind
 * blocked ones, a rate-limited job claimed only to start.
 */
export function flowClaimChecks({ test, needs, open, manager }: KitContext): void {
  const { expect } = test;

  /** A fresh callback name on a fresh harness: enqueue with options, claim up to `limit` (`start` of them started). */
  async function rig(prefix: string) {
    const h = await open();
    const name = uniqueName(prefix);
    const Callback = defineCallback(name, () => JobExecutionResult.success());
    const m = manager(h, [Callback]);
    return {
      h,
      name,
      enqueue: async (options: EnqueueOptions) => (await m.enqueue(Callback, {}, options)).id,
      claim: async (limit: number, start = limit) =>
        h.jobs.claim({ names: [name], workerId: 'kit', leaseMs: 30_000, limit, start }),
    };
  }

  needs('native-flow-control')(
    'admits each keyed job by its own limit: a limit-1 job waits while a limit-3 job of its key may start',
    async () => {
      const { h, name, enqueue, claim } = await rig('own-limit');
      const ids: string[] = [];
      for (const limit of [1, 1, 3, 3])
        ids.push(await enqueue({ concurrencyKey: `k:${name}`, concurrencyLimit: limit }));
      expect((await claim(1)).map((j) => j.id)).toEqual([ids[0]]);
      // One job of the key runs: the second limit-1 job may not join it; the limit-3 ones may (at most 3 in all).
      const next = (await claim(10)).map((j) => j.id);
      expect(next.every((id) => id === ids[2] || id === ids[3])).toBe(true);
      expect((await h.jobs.get(ids[1] as string))?.status).toBe('scheduled');
    },
  );

  needs('native-flow-control')(
    'finds a startable job behind a head of blocked ones in one claim',
    async () => {
      const { name, enqueue, claim } = await rig('behind-blocked');
      const busy = { concurrencyKey: `busy:${name}` };
      const running = await enqueue(busy);
      expect((await claim(1)).map((j) => j.id)).toEqual([running]);
      for (let i = 0; i < 3; i++) await enqueue(busy);
      const free = await enqueue({ concurrencyKey: `free:${name}` });
      expect((await claim(1)).map((j) => j.id)).toEqual([free]);
    },
  );

  needs('native-flow-control')(
    'claims a rate-limited job only to start it: never reserved, so its stored start is the one its window counted',
    async () => {
      const { h, name, enqueue, claim } = await rig('rated-start');
      const id = await enqueue({ rateLimit: { key: `api:${name}`, max: 5, perMs: 60_000 } });
      expect(await claim(5, 0)).toEqual([]);
      expect((await h.jobs.get(id))?.status).toBe('scheduled');
      const [job] = await claim(5, 1);
      expect(job?.id).toBe(id);
      expect(job?.reserved).toBe(false);
      expect(job?.attempt).toBe(1);
    },
  );
}
