import { fileURLToPath } from 'node:url';

const TYPESCRIPT = /\.(c|m)?tsx?$/i;

/**
 * Imports a module by file URL. TypeScript files (`.ts`, `.mts`, `.cts`,
 * `.tsx`) go through tsx's `tsImport`, so a config or callbacks module
 * needs no build step.
 */
export async function importModule(url: string): Promise<Record<string, unknown>> {
  if (TYPESCRIPT.test(fileURLToPath(url))) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}
