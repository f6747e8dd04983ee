/**
 * @jobservice/cli: the `jobservice` command line. `run(argv, io?)` runs it
 * in-process; the pure helpers are exported for tools that build on it.
 */
export type { CliConfig, LoadedConfig } from './config.js';
export { CONFIG_FILE_NAMES, checkConfig, loadConfig } from './config.js';
export { CommandContext, type GlobalOptions, STORE_ENV } from './context.js';
export {
  CliError,
  describeFailure,
  EXIT,
  type ExitCode,
  type Failure,
  oneLine,
  usageError,
} from './errors.js';
export { type Column, formatTable, truncate } from './format/table.js';
export { type Colors, colorsFor, formatInterval, formatTime } from './format/values.js';
export type { CliIo, Output } from './io.js';
export { collectCallbacks, isCallbackClass, type LoadedCallbacks, loadCallbacks } from './load-callbacks.js';
export { fsLayout, type OpenStore, type OpenStoreOptions, openStore } from './open-store.js';
export { buildProgram, CLI_VERSION } from './program.js';
export { run } from './run.js';
export {
  ACCEPTED_STORE_FORMS,
  describeStore,
  type FsStoreDescription,
  type PostgresStoreDescription,
  parseStoreUrl,
  redact,
  type StoreDescription,
} from './store-url.js';
