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
 * log to `jobs/` while this process is quiet (it has not committed for one
 * interval), at most 256 per turn so a turn holds the lock briefly.
 */
export class Upkeep {
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly writeBackTimer: NodeJS.Timeout;

  constructor(
    private readonly engine: StoreEngine,
    private readonly settings: EngineSettings,
  ) {
    this.sweepTimer = setInterval(() => void this.sweepIfSomeoneDied(), settings.sweepIntervalMs);
    this.sweepTimer.unref();
    this.writeBackTimer = setInterval(() => void this.writeBackIfQuiet(), settings.writeBackIntervalMs);
    this.writeBackTimer.unref();
  }

  /** Stops both timers. */
  stop(): void {
    clearInterval(this.sweepTimer);
    clearInterval(this.writeBackTimer);
  }

  private async writeBackIfQuiet(): Promise<void> {
    const { engine } = this;
    if (engine.isClosed || engine.index.inLog.size === 0) return;
    if (Date.now() - engine.lastCommitAt < this.settings.writeBackIntervalMs) return;
    try {
      await writeBack(engine, WRITE_BACK_BATCH);
    } catch (error) {
      if (!engine.isClosed) engine.logger.warn('fs: writing documents back to jobs/ failed', { error });
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
