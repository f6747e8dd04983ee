import { join, resolve } from 'node:path';
import { FileSystemDocumentProvider, FileSystemQueueProvider } from '@jobservice/provider-fs';

/** The folder both processes share (`DATA_DIR`, default `.jobservice-data/` here). */
export const dataDir = resolve(process.env.DATA_DIR ?? '.jobservice-data');

/** Opens the shared store (every state change fsynced) and the shared doorbell. */
export async function openShared() {
  const store = await FileSystemDocumentProvider.open({ root: join(dataDir, 'jobs') });
  const queue = await FileSystemQueueProvider.open({ root: join(dataDir, 'bells') });
  return { store, queue };
}

/** The job both sides agree on, by name: the producer does not need the worker's code. */
export const SEND_RECEIPT = 'send-receipt';

/** What a receipt job carries (a type alias, so it is assignable to JSON). */
export type ReceiptMetadata = {
  orderId: string;
  email: string;
};
