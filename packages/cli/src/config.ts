import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError, EXIT, usageError } from './errors.js';
import { importModule } from './import-module.js';

/** What a `jobservice.config.*` file may hold. Every field is optional. */
export interface CliConfig {
  /** The store URL (see `--store`); a relative `fs:` folder is relative to the config file. */
  store?: string;
  /** The PostgreSQL schema (see `--schema`). */
  schema?: string;
  /** The callbacks module `worker` loads (see `--module`), relative to the config file. */
  module?: string;
  /** Jobs the worker runs at once (see `--concurrency`). */
  concurrency?: number;
}

/** A loaded config file: its settings and where it was. */
export interface LoadedConfig {
  /** The settings. */
  config: CliConfig;
  /** The config file's absolute path. */
  path: string;
  /** Its folder: relative paths in it are resolved against this. */
  dir: string;
}

/** The file names looked for in the working directory, in this order. */
export const CONFIG_FILE_NAMES = [
  'jobservice.config.js',
  'jobservice.config.mjs',
  'jobservice.config.ts',
  'jobservice.config.json',
] as const;

/**
 * Loads the config file: `explicitPath` when given (missing → usage error),
 * else the first of {@link CONFIG_FILE_NAMES} in `cwd`, else `undefined`.
 * A `.js`/`.mjs`/`.ts` file's default export (or its module namespace) is
 * the config; a `.json` file's content is.
 */
export async function loadConfig(cwd: string, explicitPath?: string): Promise<LoadedConfig | undefined> {
  let path: string | undefined;
  if (explicitPath !== undefined) {
    path = resolve(cwd, explicitPath);
    if (!existsSync(path)) throw usageError(`config file not found: ${path}`);
  } else {
    path = CONFIG_FILE_NAMES.map((name) => resolve(cwd, name)).find((p) => existsSync(p));
    if (path === undefined) return undefined;
  }
  const raw = await readConfigFile(path);
  return { config: checkConfig(raw, path), path, dir: dirname(path) };
}

async function readConfigFile(path: string): Promise<unknown> {
  if (extname(path) === '.json') {
    const text = await readFile(path, 'utf8');
    try {
      return JSON.parse(text);
    } catch (error) {
      throw usageError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
    }
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = await importModule(pathToFileURL(path).href);
  } catch (error) {
    throw new CliError(`cannot load config file ${path}: ${(error as Error).message}`, EXIT.usage, {
      cause: error,
    });
  }
  return 'default' in namespace ? namespace.default : namespace;
}

/** Checks a config object's fields; a wrong type is a usage error naming the field and the file. */
export function checkConfig(raw: unknown, path: string): CliConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw usageError(`config file ${path} must export an object like { store: 'fs:./data' }`);
  }
  const input = raw as Record<string, unknown>;
  const config: CliConfig = {};
  for (const field of ['store', 'schema', 'module'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') {
      throw usageError(`config file ${path}: ${field} must be a non-empty string`);
    }
    config[field] = value;
  }
  if (input.concurrency !== undefined) {
    const value = input.concurrency;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw usageError(`config file ${path}: concurrency must be a whole number ≥ 1`);
    }
    config.concurrency = value;
  }
  return config;
}
