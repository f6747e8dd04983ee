import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One ```ts block of a README, to be compiled and run as a program. */
export interface Snippet {
  /** The README it comes from, relative to the repository root. */
  readme: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** A file-name-safe id: `packages-core-README-2`. */
  slug: string;
  code: string;
  /** It registers tests (imports vitest): run it with vitest, not node. */
  isTestFile: boolean;
  /** It needs PostgreSQL (`DATABASE_URL`). */
  needsPostgres: boolean;
}

/** Every README the project ships: the root's, each package's and each example's. */
export function readmes(root: string): string[] {
  const found = [join(root, 'README.md')];
  for (const folder of ['packages', 'examples']) {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      if (entry.isDirectory()) found.push(join(root, folder, entry.name, 'README.md'));
    }
  }
  return found.filter((path) => {
    try {
      readFileSync(path);
      return true;
    } catch {
      return false;
    }
  });
}

/** The ```ts blocks of `readme` (a fence of exactly ```ts or ```typescript). */
export function snippetsOf(root: string, readme: string): Snippet[] {
  const lines = readFileSync(readme, 'utf8').split('\n');
  const out: Snippet[] = [];
  const rel = relative(root, readme);
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? '')) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i++) body.push(lines[i] ?? '');
    const code = body.join('\n');
    out.push({
      readme: rel,
      line: start + 1,
      slug: `${rel.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-${out.length + 1}`,
      code,
      isTestFile: /from 'vitest'/.test(code),
      needsPostgres: /@jobservice\/provider-postgres/.test(code),
    });
  }
  return out;
}
