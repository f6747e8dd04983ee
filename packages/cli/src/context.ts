import { resolve } from 'node:path';
import type { Logger } from '@jobservice/core';
import { type CliConfig, type LoadedConfig, loadConfig } from './config.js';
import { oneLine, usageError } from './errors.js';
import { type Colors, colorsFor, prettyJson } from './format/values.js';
import type { CliIo } from './io.js';
import { type OpenStore, type OpenStoreOptions, openStore } from './open-store.js';
import { ACCEPTED_STORE_FORMS, parseStoreUrl, type StoreDescription } from './store-url.js';

/** The options every command takes. */
export interface GlobalOptions {
  /** `--store <url>`. */
  store?: string;
  /** `--schema <name>`. */
  schema?: string;
  /** `--config <path>`. */
  config?: string;
}

/** The environment variable naming the store when `--store` is not given. */
export const STORE_ENV = 'JOBSERVICE_STORE';

/**
 * What a command runs with: the I/O, the global options, and (loaded on
 * first use) the config file and the store.
 */
export class CommandContext {
  /** Colours for stdout (off unless it is a terminal). */
  readonly colors: Colors;
  private loaded: Promise<LoadedConfig | undefined> | undefined;

  constructor(
    /** Where the command reads and writes. */
    readonly io: CliIo,
    /** The parsed global options. */
    readonly globals: GlobalOptions,
  ) {
    this.colors = colorsFor(io.stdout.isTTY, io.env);
  }

  /** Writes text to stdout. */
  print(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes a value to stdout as pretty JSON. */
  printJson(value: unknown): void {
    this.io.stdout.write(prettyJson(value));
  }

  /** Writes a warning line to stderr. */
  warn(text: string): void {
    this.io.stderr.write(`jobservice: ${text}\n`);
  }

  /** A logger for providers and dispatchers: warnings and errors as lines on stderr, the rest dropped. */
  logger(): Logger {
    const line = (message: string) => this.warn(oneLine(message));
    return { debug: () => {}, info: () => {}, warn: line, error: line };
  }

  /** The config file (`--config`, else one in the working directory), or `undefined`. */
  configFile(): Promise<LoadedConfig | undefined> {
    this.loaded ??= loadConfig(this.io.cwd, this.globals.config);
    return this.loaded;
  }

  /** The config file's settings (`{}` without one). */
  async config(): Promise<CliConfig> {
    return (await this.configFile())?.config ?? {};
  }

  /** Resolves a path from the config file against the file's folder. */
  async configPath(path: string): Promise<string> {
    const file = await this.configFile();
    return resolve(file?.dir ?? this.io.cwd, path);
  }

  /**
   * Which store to use: `--store`, else `JOBSERVICE_STORE`, else the config
   * file's `store`. None, or a URL of another kind, is a usage error.
   */
  async storeDescription(): Promise<StoreDescription> {
    if (this.globals.store !== undefined) return parseStoreUrl(this.globals.store, this.io.cwd);
    const fromEnv = this.io.env[STORE_ENV];
    if (fromEnv !== undefined && fromEnv !== '') return parseStoreUrl(fromEnv, this.io.cwd);
    const file = await this.configFile();
    if (file?.config.store !== undefined) return parseStoreUrl(file.config.store, file.dir);
    throw usageError(
      `no store given: pass --store <url>, set ${STORE_ENV}, or put "store" in jobservice.config.json (${ACCEPTED_STORE_FORMS})`,
    );
  }

  /** The PostgreSQL schema: `--schema`, else the config file's `schema`. */
  async schema(store: StoreDescription): Promise<string | undefined> {
    if (store.kind !== 'postgres') {
      if (this.globals.schema !== undefined) throw usageError('--schema applies to PostgreSQL stores only');
      return undefined;
    }
    return this.globals.schema ?? (await this.config()).schema;
  }

  /** Opens the store, runs `fn` with it, and closes it whatever happens. */
  async withStore<T>(
    options: Omit<OpenStoreOptions, 'schema'>,
    fn: (store: OpenStore) => Promise<T>,
  ): Promise<T> {
    const description = await this.storeDescription();
    const schema = await this.schema(description);
    const store = await openStore(description, { ...options, ...(schema === undefined ? {} : { schema }) });
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  }
}
