import { mkdirSync, readdirSync, renameSync, statfsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidInputError, ProviderError } from '@jobservice/core';
import { tempName } from '../naming/owned-names.js';
import { errorCode, fsyncDirectory, readTextIfExists, unlinkQuietly, writeNewFile } from './durable-io.js';

/** The file naming a root's format; a root without it is not ours. */
export const FORMAT_FILE = 'format.json';

/** What a root folder must be. */
export interface RootSpec {
  /** Provider name for messages (`fs`, `fs-queue`). */
  provider: string;
  /** Absolute path of the root. */
  root: string;
  /** The format's name, e.g. `jobservice-fs-store`. */
  format: string;
  /** The newest format version this code reads and writes. */
  version: number;
  /** Sub-folders to create. */
  folders: readonly string[];
  /** Create the root when it is missing. */
  create: boolean;
  /** Fsync the format file and the root when creating them. */
  durable: boolean;
}

/**
 * Makes sure `spec.root` is a usable root: creates it (when allowed) with a
 * format file, refuses a root written by a newer format or a non-empty
 * folder that is not ours, and creates the sub-folders. Every failure is a
 * ProviderError that names the path and the fix.
 */
export async function prepareRoot(spec: RootSpec): Promise<void> {
  const { provider, root } = spec;
  ensureDirectory(spec);
  const formatPath = join(root, FORMAT_FILE);
  let text: string | null;
  try {
    text = readTextIfExists(formatPath);
  } catch (error) {
    throw fail(provider, `cannot read ${formatPath}`, error);
  }
  if (text === null) {
    const foreign = readdirSync(root).filter((name) => !name.startsWith('~'));
    if (foreign.includes(FORMAT_FILE)) {
      // Another process initialised the root between our two looks.
      return prepareRoot(spec);
    }
    if (foreign.length > 0) {
      throw new ProviderError(
        provider,
        `${root} is not empty and has no ${FORMAT_FILE} (found ${foreign.slice(0, 3).join(', ')}); point the ${spec.format} at a new or empty folder`,
      );
    }
    await writeFormat(spec, formatPath);
  } else if (checkFormat(spec, formatPath, text) < spec.version) {
    // An older format this code reads: mark the root as the newer one, so that older code refuses it.
    await writeFormat(spec, formatPath);
  }
  for (const folder of spec.folders) {
    try {
      mkdirSync(join(root, folder), { recursive: true });
    } catch (error) {
      throw fail(provider, `cannot create ${join(root, folder)}`, error);
    }
  }
}

/**
 * Kernel file systems that look like folders but hold no files of ours
 * (`statfs` magic numbers): proc, sysfs, debugfs, tracefs, securityfs,
 * cgroup v1 and v2, devpts, pstore, bpf. Node's recursive `mkdir` spins on
 * some of them (under /proc it loops at full CPU), so a root there is
 * refused before anything is created.
 */
const KERNEL_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x1cd1, 'devpts'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
]);

/** Refuses a root on a kernel file system, judged by its nearest existing ancestor. */
function refuseKernelFileSystem(provider: string, root: string): void {
  let probe = root;
  for (;;) {
    try {
      const { type } = statfsSync(probe);
      const kind = KERNEL_FILE_SYSTEMS.get(Number(type));
      if (kind) {
        throw new InvalidInputError(
          'options.root',
          `${provider}: ${root} is on the kernel's ${kind} file system, which cannot hold a store; use a folder on a disk (e.g. /var/lib/myapp/jobs)`,
        );
      }
      return;
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      const parent = dirname(probe);
      if (parent === probe) return;
      probe = parent;
    }
  }
}

function ensureDirectory(spec: RootSpec): void {
  const { provider, root } = spec;
  refuseKernelFileSystem(provider, root);
  try {
    if (!statSync(root).isDirectory()) {
      throw new ProviderError(provider, `root ${root} is a file, not a folder`);
    }
    return;
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    if (errorCode(error) !== 'ENOENT') throw fail(provider, `cannot open root ${root}`, error);
  }
  if (!spec.create) {
    throw new ProviderError(
      provider,
      `root ${root} does not exist; create it or pass create: true to let the provider create it`,
    );
  }
  try {
    mkdirSync(root, { recursive: true });
  } catch (error) {
    throw fail(provider, `cannot create root ${root}`, error);
  }
}

async function writeFormat(spec: RootSpec, formatPath: string): Promise<void> {
  const tmp = join(spec.root, tempName());
  const body = `${JSON.stringify({ format: spec.format, version: spec.version })}\n`;
  try {
    await writeNewFile(tmp, body, spec.durable);
    renameSync(tmp, formatPath);
    if (spec.durable) await fsyncDirectory(spec.root);
  } catch (error) {
    unlinkQuietly(tmp);
    throw fail(spec.provider, `cannot initialise root ${spec.root}`, error);
  }
}

/** Checks a root's format file; returns its version. */
function checkFormat(spec: RootSpec, formatPath: string, text: string): number {
  let parsed: { format?: unknown; version?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new ProviderError(spec.provider, `${formatPath} is not valid JSON; this root is damaged`);
  }
  if (parsed?.format !== spec.format) {
    throw new ProviderError(
      spec.provider,
      `${spec.root} holds ${JSON.stringify(parsed?.format)}, not a ${spec.format}; use another folder`,
    );
  }
  const version = parsed.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ProviderError(spec.provider, `${formatPath} has no valid version; this root is damaged`);
  }
  if (version > spec.version) {
    throw new ProviderError(
      spec.provider,
      `${spec.root} was written by ${spec.format} format version ${version}, newer than the version ${spec.version} this package reads; upgrade @jobservice/provider-fs in every process using it`,
    );
  }
  return version;
}

/** A ProviderError naming what failed, with the system error's code and a hint for the common ones. */
export function fail(provider: string, what: string, error: unknown): ProviderError {
  const code = errorCode(error);
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? ': permission denied; the process needs read and write access to the folder'
      : code === 'EROFS'
        ? ': the file system is read-only; the provider must write there'
        : code === 'ENOSPC'
          ? ': the disk is full'
          : code === 'ENOTDIR'
            ? ': a part of the path is a file, not a folder'
            : `: ${(error as Error)?.message ?? String(error)}`;
  return new ProviderError(provider, `${what}${hint}`, { cause: error });
}
