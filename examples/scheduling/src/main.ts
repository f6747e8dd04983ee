import { JobDispatcher, JobManager, MemoryDocumentProvider } from '@jobservice/core';
import { FakeClock } from '@jobservice/core/testing';
import { CleanupSessions, SalesReport, SendReminder } from './callbacks.js';

// A simulated clock so a whole day runs in a moment; a real worker uses the system clock.
const clock = new FakeClock(Date.UTC(2027, 2, 27, 12, 0));
const store = new MemoryDocumentProvider({ clock });
const callbacks = [SalesReport, CleanupSessions, SendReminder];
const manager = new JobManager({ store, callbacks });
const dispatcher = new JobDispatcher({ store, callbacks });

const berlin = (t: number) =>
  new Date(t).toLocaleString('en-GB', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'short' });

await manager.schedule('report-joyce', SalesReport, {
  cron: '30 2 * * *',
  timezone: 'Europe/Berlin',
  metadata: { recipient: 'joyce@example.com', region: 'DACH' },
});
await manager.schedule('cleanup', CleanupSessions, { every: '15m', overlap: 'skip' });
await manager.enqueue(
  SendReminder,
  { to: 'mike@example.com', text: 'quarterly review' },
  { delayMs: 90 * 60_000 },
);

console.log('The next three Berlin reports (the night clocks go forward has no 02:30: it runs at 03:00):');
for (const t of await manager.nextRuns('report-joyce', 3))
  console.log(`  ${berlin(t)} Berlin  (${new Date(t).toISOString()})`);

dispatcher.on('completed', ({ job, result }) => {
  if (job.name === 'cleanup-sessions' && new Date(clock.now()).getUTCMinutes() !== 0) return;
  console.log(`${berlin(clock.now())}  ${job.name.padEnd(17)} ${JSON.stringify(result)}`);
});

console.log('\nSimulating 40 hours, minute by minute (cleanup shown on the hour only):');
for (let minute = 0; minute < 40 * 60; minute++) {
  await clock.advance(60_000);
  await dispatcher.drain();
}

const joyce = await manager.getSchedule('report-joyce');
console.log(`\nPersisted on the schedule after its runs: ${JSON.stringify(joyce?.metadata)}`);
const cleanups = await manager.list({ names: ['cleanup-sessions'], statuses: ['completed'], limit: 1000 });
console.log(`Cleanup runs: ${cleanups.items.length} (every 15 minutes for 40 hours = 160)`);
await store.close();
