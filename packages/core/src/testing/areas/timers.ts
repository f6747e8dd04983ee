import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import { MAX_TIMER_DELAY_MS } from '../../util/timer-limit.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, eventually, uniqueName } from '../kit-context.js';
import { delegatingStore } from '../required-methods-only.js';

const DAY = 24 * 3_600_000;
const IDLE_POLL_MS = 200;

/**
 * Timers past Node's limit (2^31 − 1 ms) clamp and re-arm: a job due in 30
 * days, or one with a longer timeout, never makes an idle dispatcher wake
 * more often than its idle interval. Wake-ups are counted as claims, not
 * measured in wall time.
 */
export function timersArea({ test, needs, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  needs('queue')('a job 30 days out and a timeout past the timer limit arm no short timer', async () => {
    const h = await open();
    const name = uniqueName('far');
    let overflowWarnings = 0;
    const onWarning = (warning: Error) => {
      if (warning.name === 'TimeoutOverflowWarning') overflowWarnings++;
    };
    process.on('warning', onWarning);
    try {
      const Callback = defineCallback(name, async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return JobExecutionResult.success();
      });
      let claims = 0;
      const store = h.store;
      const counted = store.claim
        ? delegatingStore(store, {
            claim: (request) => {
              claims++;
              return store.claim!(request);
            },
          })
        : delegatingStore(store, {
            query: (q) => {
              if (q.order === 'claim') claims++;
              return store.query(q);
            },
          });
      const m = manager(h, [Callback]);
      const d = dispatcher({ callbacks: [Callback], store: counted, idlePollMs: IDLE_POLL_MS }, h);
      await d.start();
      const far = await m.enqueue(Callback, {}, { delayMs: 30 * DAY });
      const long = await m.enqueue(Callback, {}, { timeoutMs: MAX_TIMER_DELAY_MS + 1 });
      await eventually(
        async () => (await m.get(long.id))?.status === 'completed',
        15_000,
        'the long-timeout job',
      );
      const before = claims;
      const windowMs = 5 * IDLE_POLL_MS;
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      const idleClaims = claims - before;
      await d.stop();
      expect(overflowWarnings).toBe(0);
      // An idle dispatcher claims about once per idle interval; a spinning timer claims hundreds of times.
      expect(idleClaims).toBeLessThanOrEqual(windowMs / IDLE_POLL_MS + 3);
      expect((await m.get(far.id))!.status).toBe('scheduled');
    } finally {
      process.off('warning', onWarning);
    }
  });
}
