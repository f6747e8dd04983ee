import { type FSWatcher, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { type Bell, clampTimerDelay, type Logger } from '@jobservice/core';
import { errorCode, unlinkQuietly } from '../io/durable-io.js';
import { ownerOfName } from '../naming/owned-names.js';
import { isProcessAlive } from '../process/process-identity.js';
import { ANY_NAME, type BellRef, parseBellFileName, parseBells, tagOf } from './bell-file.js';
import { BellSchedule } from './bell-schedule.js';

/** One subscription's handler and routing. */
export interface Subscriber {
  handler: (bell: Bell) => void;
  /** Names taken (plus unnamed bells); `null` for every bell. */
  names: ReadonlySet<string> | null;
}

/** Bell files delivered per turn of the event loop before yielding. */
const DELIVER_PER_TURN = 64;

/**
 * Delivers bells to this process's subscribers: learns of bell files from
 * `fs.watch` on `ready/` (plus a slow safety rescan), keeps them in one
 * schedule with ONE timer for the next delayed bell, and takes each due file
 * by renaming it into its own `claimed/<owner>/` folder, so exactly one
 * consumer wins it. The file is deleted once its bells were handed over.
 * Files of consumers found dead go back to `ready/`.
 */
export class BellConsumer {
  private readonly schedule = new BellSchedule();
  private readonly subscribers: Subscriber[] = [];
  private watcher: FSWatcher | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private dueTimer: NodeJS.Timeout | undefined;
  private dueAt = Number.POSITIVE_INFINITY;
  private pumpScheduled = false;
  private turn = 0;

  constructor(
    private readonly readyDir: string,
    private readonly claimedRoot: string,
    private readonly claimedDir: string,
    private readonly rescanMs: number,
    private readonly logger: Logger,
    private readonly requeue: (bells: Bell[]) => void,
  ) {}

  /** Adds a subscriber (starting to consume with the first). */
  add(subscriber: Subscriber): void {
    this.subscribers.push(subscriber);
    if (this.subscribers.length === 1) this.start();
    else this.schedulePump();
  }

  /** Removes a subscriber (stopping with the last). */
  remove(subscriber: Subscriber): void {
    const i = this.subscribers.indexOf(subscriber);
    if (i < 0) return;
    this.subscribers.splice(i, 1);
    if (this.subscribers.length === 0) this.stop();
  }

  /** Bell files this process just wrote: no need to wait for the watch. */
  noticed(refs: readonly BellRef[]): void {
    if (this.subscribers.length === 0) return;
    for (const ref of refs) this.schedule.add(ref);
    this.schedulePump();
  }

  /** Stops consuming; files taken but not delivered go back to `ready/`. */
  stop(): void {
    this.subscribers.length = 0;
    try {
      this.watcher?.close();
    } catch {
      // already closed
    }
    this.watcher = undefined;
    clearInterval(this.rescanTimer);
    clearTimeout(this.dueTimer);
    this.rescanTimer = undefined;
    this.dueTimer = undefined;
    this.dueAt = Number.POSITIVE_INFINITY;
    this.schedule.clear();
    returnFiles(this.claimedDir, this.readyDir);
  }

  private start(): void {
    mkdirSync(this.claimedDir, { recursive: true });
    try {
      this.watcher = watch(this.readyDir, { persistent: false }, (_event, file) => this.onEvent(file));
      this.watcher.on('error', (error) => this.logger.warn('fs-queue: watching ready/ failed', { error }));
    } catch (error) {
      this.logger.warn('fs-queue: cannot watch ready/; relying on rescans', { error });
    }
    this.rescan();
    this.rescanTimer = setInterval(() => this.rescan(), this.rescanMs);
    this.rescanTimer.unref();
  }

  private onEvent(file: string | Buffer | null): void {
    if (file === null) {
      this.rescan();
      return;
    }
    const ref = parseBellFileName(String(file));
    if (ref && this.schedule.add(ref)) this.schedulePump();
  }

  private rescan(): void {
    try {
      this.recoverDeadConsumers();
      const present = new Set<string>();
      for (const file of readdirSync(this.readyDir)) {
        present.add(file);
        const ref = parseBellFileName(file);
        if (ref) this.schedule.add(ref);
        else {
          const owner = ownerOfName(file);
          if (owner && !isProcessAlive(owner)) unlinkQuietly(join(this.readyDir, file));
        }
      }
      this.schedule.retainOnly(present);
      this.schedulePump();
    } catch (error) {
      this.logger.warn('fs-queue: rescanning ready/ failed', { error });
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.subscribers.length === 0) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.subscribers.length === 0) return;
    const tags = this.acceptedTags();
    const next = this.schedule.promote(Date.now());
    for (let delivered = 0; ; delivered++) {
      if (delivered >= DELIVER_PER_TURN) {
        this.schedulePump();
        break;
      }
      const ref = this.schedule.pop(tags);
      if (!ref) break;
      this.deliver(ref);
      if (this.subscribers.length === 0) return;
    }
    if (next !== undefined) this.armTimer(next);
  }

  private deliver(ref: BellRef): void {
    const taken = join(this.claimedDir, ref.file);
    try {
      renameSync(join(this.readyDir, ref.file), taken);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') this.logger.warn(`fs-queue: cannot take ${ref.file}`, { error });
      return; // another consumer won it
    }
    let bells: Bell[] | null = null;
    try {
      bells = parseBells(readFileSync(taken, 'utf8'));
    } catch {
      bells = null;
    }
    if (!bells) {
      this.logger.error(
        `fs-queue: bell file ${ref.file} is unreadable; dropped it (the store still has the jobs)`,
      );
      unlinkQuietly(taken);
      return;
    }
    const unrouted: Bell[] = [];
    for (const bell of bells) {
      const subscriber = this.pick(bell);
      if (!subscriber) {
        unrouted.push(bell);
        continue;
      }
      try {
        subscriber.handler(bell);
      } catch (error) {
        this.logger.error('fs-queue: a bell handler threw', { error });
      }
    }
    unlinkQuietly(taken);
    if (unrouted.length > 0) this.requeue(unrouted);
  }

  /** The next subscriber (round robin) that takes this bell's name. */
  private pick(bell: Bell): Subscriber | undefined {
    const n = this.subscribers.length;
    for (let k = 0; k < n; k++) {
      const subscriber = this.subscribers[(this.turn + k) % n] as Subscriber;
      if (subscriber.names === null || bell.name === undefined || subscriber.names.has(bell.name)) {
        this.turn = (this.turn + k + 1) % n;
        return subscriber;
      }
    }
    return undefined;
  }

  private acceptedTags(): ReadonlySet<string> | 'all' {
    const tags = new Set<string>([ANY_NAME]);
    for (const subscriber of this.subscribers) {
      if (subscriber.names === null) return 'all';
      for (const name of subscriber.names) tags.add(tagOf(name));
    }
    return tags;
  }

  private armTimer(at: number): void {
    if (this.dueTimer && at >= this.dueAt) return;
    clearTimeout(this.dueTimer);
    this.dueAt = at;
    this.dueTimer = setTimeout(
      () => {
        this.dueTimer = undefined;
        this.dueAt = Number.POSITIVE_INFINITY;
        this.schedulePump();
      },
      // Clamped to Node's longest timer: a later bell fires it early, and the pump re-arms it.
      clampTimerDelay(Math.max(1, at - Date.now() + 1)),
    );
    this.dueTimer.unref();
  }

  private recoverDeadConsumers(): void {
    for (const name of readdirSync(this.claimedRoot)) {
      const owner = ownerOfName(name);
      if (!owner || isProcessAlive(owner)) continue;
      const dir = join(this.claimedRoot, name);
      const moved = returnFiles(dir, this.readyDir);
      if (moved > 0) this.logger.warn(`fs-queue: returned ${moved} bell file(s) of dead consumer ${name}`);
    }
  }
}

/** Moves every file of `dir` back to `readyDir` and removes `dir`; returns how many moved. */
function returnFiles(dir: string, readyDir: string): number {
  let moved = 0;
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const file of files) {
    try {
      renameSync(join(dir, file), join(readyDir, file));
      moved++;
    } catch {
      // taken back by someone else
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // not empty or gone
  }
  return moved;
}
