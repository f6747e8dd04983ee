import { describe, expect, it } from 'vitest';
import { ChannelQueueProvider } from '../src/index.js';

describe('ChannelQueueProvider', () => {
  it('applies backpressure when full and resumes as bells are delivered', async () => {
    const queue = new ChannelQueueProvider({ capacity: 2 });
    await queue.enqueue([{ id: 'a' }, { id: 'b' }]);
    let thirdDone = false;
    const third = queue.enqueue([{ id: 'c' }]).then(() => {
      thirdDone = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(thirdDone).toBe(false);
    expect(queue.size).toBe(2);
    const got: string[] = [];
    await queue.subscribe((bell) => got.push(bell.id));
    await third;
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual(['a', 'b', 'c']);
    await queue.close();
  });

  it('routes bells by name and keeps unhandled names until a subscriber for them arrives', async () => {
    const queue = new ChannelQueueProvider();
    const emails: string[] = [];
    const reports: string[] = [];
    await queue.subscribe((bell) => emails.push(bell.id), { names: ['email'] });
    await queue.enqueue([
      { id: '1', name: 'email' },
      { id: '2', name: 'report' },
      { id: '3', name: 'email' },
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(emails).toEqual(['1', '3']);
    expect(queue.size).toBe(1);
    await queue.subscribe((bell) => reports.push(bell.id), { names: ['report'] });
    expect(reports).toEqual(['2']);
    await queue.close();
  });

  it('rejects waiting producers and new calls once closed', async () => {
    const queue = new ChannelQueueProvider({ capacity: 1 });
    await queue.enqueue([{ id: 'a' }]);
    const blocked = queue.enqueue([{ id: 'b' }]);
    await queue.close();
    await expect(blocked).rejects.toMatchObject({ code: 'SHUT_DOWN' });
    await expect(queue.enqueue([{ id: 'c' }])).rejects.toMatchObject({ code: 'SHUT_DOWN' });
    await queue.close();
  });

  it('rejects a bad capacity naming the field', () => {
    expect(() => new ChannelQueueProvider({ capacity: 0 })).toThrow(/capacity/);
  });
});
