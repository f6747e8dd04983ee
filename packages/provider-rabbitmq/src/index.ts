/** @jobservice/provider-rabbitmq: a RabbitMQ doorbell (queue only) that pairs with any store. */
export { BELL_CONTENT_TYPE, brokerPriority, pickBucket } from './bell-codec.js';
export { PROVIDER } from './connect-error.js';
export type { DelayStrategy, RabbitMqQueueOptions } from './options.js';
export { DEFAULT_AMQP_URL, DEFAULT_DELAY_BUCKETS_MS, PREFIX_PATTERN } from './options.js';
export { RabbitMqQueueProvider } from './rabbitmq-queue-provider.js';
export { BUCKET_HEADER, MAX_PRIORITY, TopologyNames } from './topology.js';
