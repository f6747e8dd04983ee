import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A static file the page loads. */
export interface Asset {
  type: string;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

function here(): string {
  return typeof __dirname !== 'undefined' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

/**
 * Finds the bundled client: `./assets` beside the built `dist/index.js`, or
 * `dist/assets` of this package when running from `src/` (tests).
 */
export function locateAssets(): string {
  const base = here();
  const candidates = [join(base, 'assets'), join(base, '../../dist/assets'), join(base, '../dist/assets')];
  const found = candidates.find((dir) => existsSync(join(dir, 'app.js')));
  if (!found) {
    throw new Error(
      `@jobservice/dashboard: client assets not found (looked in ${candidates.join(', ')}); run its build`,
    );
  }
  return found;
}

let cache: Map<string, Asset> | null = null;

/** The asset called `name` (`app.js`, `app.css`), or null for any other name. */
export function readAsset(name: string): Asset | null {
  const type = TYPES[name];
  if (!type) return null;
  cache ??= new Map();
  let asset = cache.get(name);
  if (!asset) {
    asset = { type, body: readFileSync(join(locateAssets(), name)) };
    cache.set(name, asset);
  }
  return asset;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** JSON safe inside a `<script>` element: `<`, `>`, `&` and line separators escaped. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The page's configuration, read by the client from `#dashboard-config`. */
export interface PageConfig {
  basePath: string;
  title: string;
  csrf: string;
  canAct: boolean;
}

/** The index page: a shell that loads the bundled client. */
export function indexHtml(config: PageConfig): string {
  const base = config.basePath === '/' ? '' : config.basePath;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(config.title)}</title>
<link rel="stylesheet" href="${escapeHtml(base)}/assets/app.css">
</head>
<body>
<div id="app"><p>Loading…</p></div>
<script type="application/json" id="dashboard-config">${scriptJson(config)}</script>
<script type="module" src="${escapeHtml(base)}/assets/app.js"></script>
</body>
</html>
`;
}
