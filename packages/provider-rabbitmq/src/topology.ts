import type { Channel } from 'amqplib';

/** `x-max-priority` of every work queue: bell priorities map onto 0–10. */
export const MAX_PRIORITY = 10;

/** The header a delayed bell carries to pick its bucket queue in the delay exchange (not `x-`: a headers exchange ignores those). */
export const BUCKET_HEADER = 'jobservice-delay-bucket';

/** Callback names that get a queue of their own (core's callback-name pattern). */
const QUEUE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * The names of everything one prefix declares. Work queues are durable,
 * `x-max-priority` 10 (see {@link MAX_PRIORITY}); bells are persistent.
 *
 * - `<prefix>.bells` (direct exchange, `alternate-exchange` =
 *   `<prefix>.unrouted`): a bell is published with its callback name as the
 *   routing key and lands in `<prefix>.name.<name>`, declared and bound by
 *   the first subscriber of that name.
 * - `<prefix>.unrouted` (fanout) → `<prefix>.any`: unnamed bells, and named
 *   bells no name queue is bound for yet. Every subscription consumes it.
 * - `<prefix>.delay` (headers exchange) → `<prefix>.delay.<ms>`: one bucket
 *   queue per delay bucket, `x-message-ttl` = the bucket, dead-lettering
 *   into `<prefix>.bells` with the bell's own routing key. All messages of
 *   a bucket share one TTL, so the head always expires first (per-message
 *   TTL would wait behind a longer head).
 * - `<prefix>.delayed` (`x-delayed-message`, only where the plugin is
 *   enabled), bound into `<prefix>.bells`.
 */
export class TopologyNames {
  /** The direct exchange bells are published to. */
  readonly bells: string;
  /** The fanout alternate exchange for bells no name queue takes. */
  readonly unrouted: string;
  /** The queue of unnamed and unrouted bells. */
  readonly any: string;
  /** The headers exchange in front of the delay buckets. */
  readonly delay: string;
  /** The delayed-message plugin exchange (declared only where the plugin is enabled). */
  readonly delayed: string;

  constructor(readonly prefix: string) {
    this.bells = `${prefix}.bells`;
    this.unrouted = `${prefix}.unrouted`;
    this.any = `${prefix}.any`;
    this.delay = `${prefix}.delay`;
    this.delayed = `${prefix}.delayed`;
  }

  /** The work queue of one callback name. */
  nameQueue(name: string): string {
    return `${this.prefix}.name.${name}`;
  }

  /** The bucket queue holding bells for `ms`. */
  bucketQueue(ms: number): string {
    return `${this.prefix}.delay.${ms}`;
  }

  /** The routing key of a bell: its name where it may have a queue, else '' (to `<prefix>.any`). */
  routingKey(name: string | undefined): string {
    return name !== undefined && isQueueableName(name) ? name : '';
  }
}

/** Whether `name` may have a work queue of its own. */
export function isQueueableName(name: string): boolean {
  return QUEUE_NAME_PATTERN.test(name);
}

const WORK_QUEUE_ARGS = { 'x-max-priority': MAX_PRIORITY };

/** Declares the exchanges and the `any` queue (idempotent). */
export async function declareBase(channel: Channel, names: TopologyNames): Promise<void> {
  await channel.assertExchange(names.unrouted, 'fanout', { durable: true });
  await channel.assertExchange(names.bells, 'direct', {
    durable: true,
    arguments: { 'alternate-exchange': names.unrouted },
  });
  await channel.assertQueue(names.any, { durable: true, arguments: WORK_QUEUE_ARGS });
  await channel.bindQueue(names.any, names.unrouted, '');
}

/** Declares and binds the work queue of `name` (idempotent). */
export async function declareNameQueue(
  channel: Channel,
  names: TopologyNames,
  name: string,
): Promise<string> {
  const queue = names.nameQueue(name);
  await channel.assertQueue(queue, { durable: true, arguments: WORK_QUEUE_ARGS });
  await channel.bindQueue(queue, names.bells, name);
  return queue;
}

/** Declares the delay exchange and the bucket queue of `ms` (idempotent). */
export async function declareBucket(channel: Channel, names: TopologyNames, ms: number): Promise<void> {
  await channel.assertExchange(names.delay, 'headers', { durable: true });
  const queue = names.bucketQueue(ms);
  await channel.assertQueue(queue, {
    durable: true,
    arguments: { 'x-message-ttl': ms, 'x-dead-letter-exchange': names.bells },
  });
  await channel.bindQueue(queue, names.delay, '', { 'x-match': 'all', [BUCKET_HEADER]: String(ms) });
}

/**
 * Declares the plugin's delayed exchange (fanout underneath: it keeps each
 * bell's routing key) bound into `<prefix>.bells`. Rejects (and the broker
 * closes `channel`) where the plugin is not enabled.
 */
export async function declarePluginExchange(channel: Channel, names: TopologyNames): Promise<void> {
  await channel.assertExchange(names.delayed, 'x-delayed-message', {
    durable: true,
    arguments: { 'x-delayed-type': 'fanout' },
  });
  await channel.bindExchange(names.bells, names.delayed, '');
}

/**
 * Deletes what this prefix declared: the base exchanges and queue, the
 * given name queues and bucket queues, and the plugin exchange. Missing
 * ones are fine (RabbitMQ deletes idempotently).
 */
export async function deleteTopology(
  channel: Channel,
  names: TopologyNames,
  nameQueues: Iterable<string>,
  buckets: Iterable<number>,
): Promise<void> {
  for (const name of nameQueues) await channel.deleteQueue(names.nameQueue(name));
  for (const ms of buckets) await channel.deleteQueue(names.bucketQueue(ms));
  await channel.deleteQueue(names.any);
  await channel.deleteExchange(names.delayed);
  await channel.deleteExchange(names.delay);
  await channel.deleteExchange(names.bells);
  await channel.deleteExchange(names.unrouted);
}
