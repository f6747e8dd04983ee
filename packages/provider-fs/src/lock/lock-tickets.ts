import { linkSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { unlinkQuietly } from '../io/durable-io.js';
import { ownedName, ownerOfName } from '../naming/owned-names.js';
import { isProcessAlive } from '../process/process-identity.js';

/**
 * The line of processes waiting for a {@link FileLock}: one ticket file per
 * waiting lock instance in the lock's folder, a hard link to its owner file
 * named `~<owner>.<seq>.<stamp>.<lock>.wait`, where `stamp` is the wall
 * clock in microseconds when it joined. The oldest live ticket goes first.
 *
 * Tickets only order the waiters: mutual exclusion is still the lock file's
 * `link`, so a clock step or a ticket left behind can cost fairness, never
 * safety. Tickets of dead processes are ignored and removed (and swept with
 * their owner's other files).
 */
export class LockTickets {
  private readonly suffix: string;

  constructor(
    private readonly dir: string,
    lockName: string,
    private readonly ownerFile: string,
  ) {
    this.suffix = `.${lockName.replace(/[^a-z0-9-]/gi, '-')}.wait`;
  }

  /** Joins the line; returns the ticket's name. */
  take(): string {
    const stamp = String(Math.floor((performance.timeOrigin + performance.now()) * 1000)).padStart(17, '0');
    const name = ownedName(`${stamp}${this.suffix}`);
    linkSync(this.ownerFile, join(this.dir, name));
    return name;
  }

  /** Leaves the line (or removes a stale ticket of someone else). */
  drop(name: string): void {
    unlinkQuietly(join(this.dir, name));
  }

  /** The live tickets, oldest first (dead owners' tickets are removed). */
  line(): string[] {
    const tickets: Array<[string, string]> = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith(this.suffix)) continue;
      const owner = ownerOfName(name);
      if (!owner || !isProcessAlive(owner)) {
        this.drop(name);
        continue;
      }
      tickets.push([stampOf(name, this.suffix), name]);
    }
    tickets.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    return tickets.map(([, name]) => name);
  }

  /** True when a live ticket other than `mine` is in line. */
  othersWaiting(mine?: string): boolean {
    return this.line().some((name) => name !== mine);
  }
}

function stampOf(name: string, suffix: string): string {
  const head = name.slice(0, -suffix.length);
  return head.slice(head.lastIndexOf('.') + 1);
}
