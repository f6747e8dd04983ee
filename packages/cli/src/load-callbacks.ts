import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getJobName, type JobCallbackClass } from '@jobservice/core';
import { CliError, EXIT, usageError } from './errors.js';
import { importModule } from './import-module.js';

/** The callbacks a worker module provides. */
export interface LoadedCallbacks {
  /** The module's absolute path. */
  path: string;
  /** The callback classes, each once. */
  callbacks: JobCallbackClass[];
  /** Their job names, in the same order. */
  names: string[];
}

/**
 * Loads a worker module (`.js`, `.mjs`, `.cjs`, or `.ts`/`.mts` through tsx)
 * and collects its callbacks: every export that is a class with a job name
 * (`@JobCallbackName` or `static jobName`), plus the classes of an exported
 * `callbacks` array. A module with none is a usage error naming the module.
 */
export async function loadCallbacks(modulePath: string, baseDir: string): Promise<LoadedCallbacks> {
  const path = resolve(baseDir, modulePath);
  if (!existsSync(path)) throw usageError(`callbacks module not found: ${path}`);
  let namespace: Record<string, unknown>;
  try {
    namespace = await importModule(pathToFileURL(path).href);
  } catch (error) {
    throw new CliError(`cannot load callbacks module ${path}: ${(error as Error).message}`, EXIT.failed, {
      cause: error,
    });
  }
  const callbacks = collectCallbacks(namespace);
  if (callbacks.length === 0) {
    throw usageError(
      `${path} exports no callbacks: export classes labelled with @JobCallbackName('name') (or static jobName), or an array named callbacks`,
    );
  }
  return { path, callbacks, names: callbacks.map((c) => getJobName(c)) };
}

/**
 * The callback classes among a module's exports (the default export
 * included) and in its `callbacks` array, each once, in export order.
 */
export function collectCallbacks(namespace: Record<string, unknown>): JobCallbackClass[] {
  const found = new Set<JobCallbackClass>();
  const consider = (value: unknown): void => {
    if (isCallbackClass(value)) found.add(value);
  };
  for (const [key, value] of Object.entries(namespace)) {
    if (key === 'callbacks' && Array.isArray(value)) value.forEach(consider);
    else consider(value);
  }
  const fallback = namespace.default as { callbacks?: unknown } | undefined;
  if (fallback && typeof fallback === 'object' && Array.isArray(fallback.callbacks)) {
    fallback.callbacks.forEach(consider);
  }
  return [...found];
}

/** True for a class that carries a job name of its own. */
export function isCallbackClass(value: unknown): value is JobCallbackClass {
  if (typeof value !== 'function') return false;
  try {
    getJobName(value as JobCallbackClass);
    return true;
  } catch {
    return false;
  }
}
