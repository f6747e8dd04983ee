/**
 * Every ```ts block of every README is a program that compiles (strict tsc
 * against the built packages) and runs to exit 0, so the docs cannot drift
 * from the code. Snippets that register tests (the conformance kit) run
 * under vitest. Run after `npm run build` (`npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { readmes, type Snippet, snippetsOf } from './extract-snippets.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(here, '.out');
const snippets: Snippet[] = readmes(root).flatMap((readme) => snippetsOf(root, readme));
// Snippets run in a temp folder (their data folders land there), so tsx is given by path.
const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 90_000,
  });
}

describe('README snippets', () => {
  let compiled: { status: number | null; output: string };

  beforeAll(() => {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    for (const s of snippets) writeFileSync(join(out, `${s.slug}.ts`), `${s.code}\n`);
    const tsc = run('npx', ['tsc', '-p', join(here, 'tsconfig.json'), '--noEmit'], root, {});
    compiled = { status: tsc.status, output: `${tsc.stdout}${tsc.stderr}` };
  });

  it('finds the snippets of every README', () => {
    expect(snippets.length).toBeGreaterThan(5);
    expect(snippets.map((s) => s.readme)).toContain('README.md');
  });

  it('compile under strict TypeScript against the built packages', () => {
    expect(compiled.output).toBe('');
    expect(compiled.status).toBe(0);
  });

  for (const snippet of snippets) {
    it(`${snippet.readme}:${snippet.line} runs to exit 0`, () => {
      const file = join(out, `${snippet.slug}.ts`);
      const cwd = mkdtempSync(join(tmpdir(), 'jobservice-snippet-'));
      try {
        const env = { DATABASE_URL: inject('databaseUrl'), JOBSERVICE_SNIPPET: '1' };
        const result = snippet.isTestFile
          ? run('npx', ['vitest', 'run', '--config', join(here, 'snippet.vitest.config.ts'), file], here, env)
          : run(process.execPath, ['--import', tsx, file], cwd, env);
        const output = `${result.stdout}\n${result.stderr}`;
        // On failure the message carries the end of the snippet's output (a kit run's failing test).
        const said = `exit ${result.status}, signal ${result.signal}; output:\n${output.slice(-6_000)}`;
        expect({ status: result.status, signal: result.signal }, said).toEqual({ status: 0, signal: null });
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});
