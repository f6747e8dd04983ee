/**
 * @jobservice/provider-fs: a crash-safe file-system job store and a
 * cross-process file queue for jobservice, for one host without any server.
 */
export type { Durability } from './io/durable-io.js';
export type { FileSystemQueueProviderOptions } from './queue/fs-queue-provider.js';
export { FileSystemQueueProvider, QUEUE_FORMAT, QUEUE_FORMAT_VERSION } from './queue/fs-queue-provider.js';
export { STORE_FORMAT, STORE_FORMAT_VERSION } from './store/engine-types.js';
export type { FileSystemDocumentProviderOptions } from './store/fs-document-provider.js';
export { FileSystemDocumentProvider } from './store/fs-document-provider.js';
