import { join } from 'node:path';
import { writeBack } from './checkpoint.js';
import type { EngineSettings } from './engine-types.js';
import { deadOwners, ownedFolders, sweepDeadFiles } from './recovery.js';
import type { StoreEngine } from './store-engine.js';

/** Documents written back per turn of the background write-back (one lock hold). */
const WRITE_BACK_BATCH = 256;

/**
 * The store's background chores, each on its own unref'd timer: sweeping
 * files left by dead processes, and writing documents back from the index
 * log to `jobs/` while the store is quiet (no process committed for one
 * interval), at most 256 per turn, in short lock holds.
 *
 * Quiet means the whole store, not this process: a process that is merely
 * starved of the lock must not add 256 fsyncs and renames per turn to a
 * busy store (that made every other call slower, and more processes idle).
 */
export class Upkeep {
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly writeBackTimer: NodeJS.Timeout;
  /** The log position at the last look, and when it last moved (`Date.now()`). */
  private seen = '';
  private movedAt = Date.now();
  /** A write-back turn is running (a slow disk must not make turns pile up). */
  private writingBack = false;
  /** The running write-back turn, so `stop()` can wait for its files. */
  private turn: Promise<unknown> | undefined;

  constructor(
    private readonly engine: StoreEngine,
    private readonly settings: EngineSettings,
  ) {
    this.sweepTimer = setInterval(() => void this.sweepIfSomeoneDied(), settings.sweepIntervalMs);
    this.sweepTimer.unref();
    this.writeBackTimer = setInterval(() => void this.writeBackIfQuiet(), settings.writeBackIntervalMs);
    this.writeBackTimer.unref();
  }

  /** Stops both timers and waits for a write-back turn in progress (it writes files outside the lock). */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    clearInterval(this.writeBackTimer);
    await this.turn?.catch(() => {});
  }

  private async writeBackIfQuiet(): Promise<void> {
    const { engine } = this;
    if (this.writingBack || engine.isClosed || engine.index.inLog.size === 0) return;
    const interval = this.settings.writeBackIntervalMs;
    if (Date.now() - engine.lastCommitAt < interval) return;
    try {
      await engine.refresh(); // reads what others committed: their commits are activity too
      if (engine.log.position !== this.seen) {
        this.seen = engine.log.position;
        this.movedAt = Date.now();
      }
      if (Date.now() - this.movedAt < interval) return;
      this.writingBack = true;
      this.turn = writeBack(engine, WRITE_BACK_BATCH);
      await this.turn;
      this.seen = engine.log.position; // our own write-back line is not activity
    } catch (error) {
      if (!engine.isClosed) engine.logger.warn('fs: writing documents back to jobs/ failed', { error });
    } finally {
      this.writingBack = false;
      this.turn = undefined;
    }
  }

  private async sweepIfSomeoneDied(): Promise<void> {
    const { engine } = this;
    try {
      if (engine.isClosed || deadOwners(join(this.settings.root, 'locks')).length === 0) return;
      await engine.locked(() => sweepDeadFiles(ownedFolders(this.settings.root)));
    } catch (error) {
      if (!engine.isClosed) engine.logger.warn('fs: sweeping files of dead processes failed', { error });
    }
  }
}
