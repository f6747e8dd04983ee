import {
  identityPrefix,
  identityTag,
  type ProcessIdentity,
  selfIdentity,
} from '../process/process-identity.js';

let sequence = 0;

/**
 * A temp file name owned by this process: `~pid.start.boot.ns.seq.tmp`. It is
 * written next to its target and renamed over it; a sweep on open removes
 * the ones whose owner is dead (never a live process's in-flight file).
 */
export function tempName(): string {
  sequence++;
  return `~${identityTag(selfIdentity())}.${sequence}.tmp`;
}

/** A name unique to this process and `kind`: `~pid.start.boot.ns.seq.kind`. */
export function ownedName(kind: string): string {
  sequence++;
  return `~${identityTag(selfIdentity())}.${sequence}.${kind}`;
}

/** The owner of a name made by {@link tempName} or {@link ownedName}; `null` for other names. */
export function ownerOfName(name: string): ProcessIdentity | null {
  if (!name.startsWith('~')) return null;
  return identityPrefix(name.slice(1));
}
