import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'amqplib';
import { inject } from 'vitest';
import { type RabbitMqQueueOptions, RabbitMqQueueProvider } from '../../src/index.js';

/** The broker the global setup checked. */
export function amqpUrl(): string {
  return inject('amqpUrl');
}

/** Why the broker tests are skipped ('' when they run). */
export function brokerSkipReason(): string {
  return inject('amqpSkipReason');
}

/** Why the rabbitmqctl tests are skipped ('' when they run). */
export function rabbitmqctlSkipReason(): string {
  return inject('rabbitmqctlSkipReason');
}

/** A prefix no other test uses. */
export function uniquePrefix(tag = 't'): string {
  return `jstest-${tag}-${randomBytes(5).toString('hex')}`;
}

/** A connected queue on a fresh prefix. */
export function openQueue(options: RabbitMqQueueOptions = {}): Promise<RabbitMqQueueProvider> {
  return RabbitMqQueueProvider.connect({ url: amqpUrl(), prefix: uniquePrefix(), ...options });
}

/** Deletes the queue's topology and closes it; never throws (cleanup). */
export async function disposeQueue(
  queue: RabbitMqQueueProvider,
  extraNames: readonly string[] = [],
): Promise<void> {
  await queue.deleteTopology(extraNames).catch(() => undefined);
  await queue.close().catch(() => undefined);
}

/** Purges queues on a connection of its own; returns the messages removed per queue. */
export async function purgeQueues(queues: readonly string[]): Promise<number[]> {
  const connection = await connect(amqpUrl());
  try {
    const counts: number[] = [];
    for (const queue of queues) {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      try {
        counts.push((await channel.purgeQueue(queue)).messageCount);
      } catch {
        counts.push(0); // the queue does not exist
      } finally {
        await channel.close().catch(() => undefined);
      }
    }
    return counts;
  } finally {
    await connection.close();
  }
}

/** Messages waiting in `queue` (on a connection of its own). */
export async function messagesIn(queue: string): Promise<number> {
  const connection = await connect(amqpUrl());
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close();
  }
}

/**
 * Closes, from the server side, every broker connection whose client
 * `connection_name` starts with `name` (`rabbitmqctl close_connection`).
 * Targeted rather than `close_all_connections`, so test files running in
 * parallel keep their connections. Returns how many it closed.
 */
export function closeConnectionsFromServer(name: string): number {
  const listing = execFileSync(
    'rabbitmqctl',
    ['list_connections', 'pid', 'client_properties', '--no-table-headers', '-q'],
    {
      encoding: 'utf8',
    },
  );
  let closed = 0;
  for (const line of listing.split('\n')) {
    const [pid, properties] = line.split('\t');
    if (!pid || !properties?.includes(`{"connection_name","${name}`)) continue;
    execFileSync('rabbitmqctl', ['close_connection', pid, 'test'], { encoding: 'utf8' });
    closed++;
  }
  return closed;
}
