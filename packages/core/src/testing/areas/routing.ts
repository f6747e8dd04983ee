import { JobExecutionResult } from '../../callbacks/job-execution-result.js';
import type { KitContext } from '../kit-context.js';
import { defineCallback, uniqueName } from '../kit-context.js';

/** Routing: a dispatcher claims only the names it has callbacks for. */
export function routingArea({ test, it, open, manager, dispatcher }: KitContext): void {
  const { expect } = test;

  it('never claims a job it has no callback for', async () => {
    const h = await open();
    const mine = defineCallback(uniqueName('mine'), () => JobExecutionResult.success('mine'));
    const theirs = defineCallback(uniqueName('theirs'), () => JobExecutionResult.success('theirs'));
    const m = manager(h);
    const a = await m.enqueue(mine, {});
    const b = await m.enqueue(theirs, {});
    await dispatcher({ callbacks: [mine] }, h).drain();
    expect((await m.get(a.id))!.status).toBe('completed');
    expect(await m.get(b.id)).toMatchObject({ status: 'scheduled', attempt: 0 });
    await dispatcher({ callbacks: [theirs] }, h).drain();
    expect(await m.get(b.id)).toMatchObject({ status: 'completed', result: 'theirs' });
  });
}
