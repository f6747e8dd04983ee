import { createHash } from 'node:crypto';
import type { RedisClient } from '../options.js';
import { CLAIM_JOBS } from './claim.js';
import { INSERT_JOBS } from './insert.js';
import { EXTEND_LEASES, RECOVER_JOBS } from './leases.js';
import { QUERY_JOBS } from './query.js';
import { SETTLE_JOBS } from './settle.js';
import { DELETE_JOB, PRUNE_JOBS, READ_CLOCK, UPDATE_JOB } from './update.js';

/** Every script, by operation. */
const SOURCES = {
  insert: INSERT_JOBS,
  update: UPDATE_JOB,
  delete: DELETE_JOB,
  prune: PRUNE_JOBS,
  clock: READ_CLOCK,
  claim: CLAIM_JOBS,
  settle: SETTLE_JOBS,
  extend: EXTEND_LEASES,
  recover: RECOVER_JOBS,
  query: QUERY_JOBS,
} as const;

/** An operation that has a script. */
export type ScriptName = keyof typeof SOURCES;

/** Calls one script: the one declared key (`<prefix>:clock`), then its arguments. */
export type ScriptCall = (name: ScriptName, args: ReadonlyArray<string | number>) => Promise<unknown>;

type Command = (key: string, ...args: Array<string | number>) => Promise<unknown>;

/**
 * Registers the scripts on `client` with ioredis's `defineCommand` (EVALSHA,
 * loading the script with EVAL when the server answers NOSCRIPT, e.g. after
 * a restart or on a new cluster node). Command names carry the script's
 * hash, so two versions of this package never collide on one client.
 */
export function defineScripts(client: RedisClient, clockKey: string): ScriptCall {
  const commands = new Map<ScriptName, string>();
  const target = client as unknown as Record<string, Command | undefined>;
  for (const [name, lua] of Object.entries(SOURCES) as Array<[ScriptName, string]>) {
    const command = `jobservice_${name}_${createHash('sha1').update(lua).digest('hex').slice(0, 12)}`;
    if (typeof target[command] !== 'function') client.defineCommand(command, { numberOfKeys: 1, lua });
    commands.set(name, command);
  }
  return (name, args) => {
    const fn = target[commands.get(name) as string] as Command;
    return fn.call(client, clockKey, ...args);
  };
}
