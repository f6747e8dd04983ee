/** @jobservice/provider-channel: an in-process channel queue (the doorbell). */
export type { ChannelQueueOptions } from './channel-queue-provider.js';
export { ChannelQueueProvider } from './channel-queue-provider.js';
