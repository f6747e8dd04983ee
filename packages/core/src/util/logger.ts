/** A minimal structured logger; pino, winston and console fit it. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything (the default: events carry the facts). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** A logger writing one line per entry to the console. */
export const consoleLogger: Logger = {
  debug: (m, f) => console.debug(`[jobservice] ${m}`, f ?? ''),
  info: (m, f) => console.info(`[jobservice] ${m}`, f ?? ''),
  warn: (m, f) => console.warn(`[jobservice] ${m}`, f ?? ''),
  error: (m, f) => console.error(`[jobservice] ${m}`, f ?? ''),
};
