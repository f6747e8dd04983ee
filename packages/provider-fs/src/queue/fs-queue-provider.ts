import { closeSync, openSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type Bell,
  consoleLogger,
  InvalidInputError,
  type IQueueProvider,
  type Logger,
  type QueueSubscription,
  type RingOptions,
  ShutdownError,
  type SubscribeOptions,
} from '@jobservice/core';
import { unlinkQuietly, writeAll } from '../io/durable-io.js';
import { fail, prepareRoot } from '../io/root-folder.js';
import { ownedName, tempName } from '../naming/owned-names.js';
import { identityTag, selfIdentity } from '../process/process-identity.js';
import { BellConsumer, type Subscriber } from './bell-consumer.js';
import { type BellRef, bellFileName, checkBells, groupBells } from './bell-file.js';

/** The queue's on-disk format. */
export const QUEUE_FORMAT = 'jobservice-fs-queue';
/** The format version this code reads and writes. */
export const QUEUE_FORMAT_VERSION = 1;
const PROVIDER = 'fs-queue';
let bellSequence = 0;

/** Options for {@link FileSystemQueueProvider}. */
export interface FileSystemQueueProviderOptions {
  /** The folder holding the bells; every process on this host that uses it shares them. */
  root: string;
  /** Create `root` when it does not exist. @default true */
  create?: boolean;
  /** The safety rescan of `ready/`, for a missed file event (and dead consumers' bells). @default 2_000 */
  rescanMs?: number;
  /** Where unreadable bell files and recoveries are reported. @default consoleLogger */
  logger?: Logger;
}

/**
 * A doorbell between processes on one host, Maildir style: `enqueue` writes
 * a small file into `ready/` atomically (temp file, then rename); a consumer
 * takes a due file by renaming it into its own `claimed/<owner>/` folder, so
 * exactly one process wins it; delayed bells wait in one schedule with one
 * timer; `fs.watch` wakes consumers, a slow rescan backs it up, nothing
 * busy-polls. Bells of a consumer that died go back to `ready/`. Bells are
 * not fsynced: it is a doorbell, and the store is the ledger.
 *
 * @example
 * const queue = await FileSystemQueueProvider.open({ root: '/var/lib/myapp/bells' });
 * const dispatcher = new JobDispatcher({ store, queue, callbacks: [SendEmail] });
 */
export class FileSystemQueueProvider implements IQueueProvider {
  /** `fs-queue`: starts every error message. */
  readonly providerName = PROVIDER;
  /** The queue's folder (absolute). */
  readonly root: string;
  private readonly readyDir: string;
  private readonly consumer: BellConsumer;
  private readonly create: boolean;
  private opening: Promise<void> | undefined;
  private closed = false;

  /** Opens a queue (creating its folder when allowed). */
  static async open(options: FileSystemQueueProviderOptions): Promise<FileSystemQueueProvider> {
    const queue = new FileSystemQueueProvider(options);
    await queue.ready();
    return queue;
  }

  /** Creates the queue; it opens on first use (or call {@link ready}). Prefer {@link open}. */
  constructor(options: FileSystemQueueProviderOptions) {
    if (
      options === null ||
      typeof options !== 'object' ||
      typeof options.root !== 'string' ||
      !options.root
    ) {
      throw new InvalidInputError('options.root', 'must be the path of the folder that holds the bells');
    }
    const rescanMs = options.rescanMs ?? 2_000;
    if (typeof rescanMs !== 'number' || !(rescanMs > 0)) {
      throw new InvalidInputError('options.rescanMs', `must be a positive number, got ${String(rescanMs)}`);
    }
    this.root = resolve(options.root);
    this.create = options.create ?? true;
    this.readyDir = join(this.root, 'ready');
    const claimedRoot = join(this.root, 'claimed');
    this.consumer = new BellConsumer(
      this.readyDir,
      claimedRoot,
      join(claimedRoot, ownedName('consumer')),
      rescanMs,
      options.logger ?? consoleLogger,
      (bells) => void this.enqueue(bells).catch(() => undefined),
    );
  }

  /** Resolves once the root is checked and its folders exist. */
  ready(): Promise<void> {
    this.opening ??= prepareRoot({
      provider: PROVIDER,
      root: this.root,
      format: QUEUE_FORMAT,
      version: QUEUE_FORMAT_VERSION,
      folders: ['ready', 'claimed'],
      create: this.create,
      durable: false,
    });
    return this.opening;
  }

  /** Rings bells: one file per (name, priority, notBefore) group of up to 32 bells. */
  async enqueue(bells: readonly Bell[], options?: RingOptions): Promise<void> {
    if (options?.transaction !== undefined) {
      throw new InvalidInputError(
        'options.transaction',
        'the file-system queue has no transactions; omit it',
      );
    }
    checkBells(bells);
    this.assertOpen();
    await this.ready();
    const now = Date.now();
    const refs: BellRef[] = [];
    for (const group of groupBells(bells)) {
      const notBefore = group.bells[0]?.notBefore ?? now;
      const unique = `${identityTag(selfIdentity())}.${String(++bellSequence).padStart(12, '0')}`;
      const file = bellFileName(notBefore, group.priority, group.tag, unique);
      this.writeBellFile(file, JSON.stringify(group.bells));
      refs.push({
        file,
        notBefore: Math.max(0, Math.floor(notBefore)),
        priority: group.priority,
        tag: group.tag,
      });
    }
    this.consumer.noticed(refs);
  }

  /** Delivers each due bell to one subscriber in this or another process (round robin within a process). */
  async subscribe(handler: (bell: Bell) => void, options: SubscribeOptions = {}): Promise<QueueSubscription> {
    if (typeof handler !== 'function') throw new InvalidInputError('handler', 'must be a function');
    if (options.names !== undefined && !Array.isArray(options.names)) {
      throw new InvalidInputError('options.names', 'must be an array of callback names');
    }
    this.assertOpen();
    await this.ready();
    const subscriber: Subscriber = { handler, names: options.names ? new Set(options.names) : null };
    this.consumer.add(subscriber);
    return {
      unsubscribe: async () => {
        this.consumer.remove(subscriber);
      },
    };
  }

  /** Stops delivery; undelivered taken bells go back to `ready/`. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.consumer.stop();
  }

  private writeBellFile(file: string, text: string): void {
    const tmp = join(this.readyDir, tempName());
    try {
      const fd = openSync(tmp, 'wx');
      try {
        writeAll(fd, Buffer.from(text, 'utf8'));
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(this.readyDir, file));
    } catch (error) {
      unlinkQuietly(tmp);
      throw fail(PROVIDER, `cannot write a bell to ${this.readyDir}`, error);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ShutdownError(PROVIDER);
  }
}
