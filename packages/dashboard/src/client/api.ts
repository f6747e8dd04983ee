/** What the server embeds in the page. */
export interface Config {
  basePath: string;
  title: string;
  csrf: string;
  canAct: boolean;
}

const element = document.getElementById('dashboard-config');
/** The page's configuration. */
export const config: Config = JSON.parse(element?.textContent ?? '{}');
const base = config.basePath === '/' ? '' : config.basePath;

/** The URL of an API path under the base path. */
export function apiUrl(path: string): string {
  return `${base}/api/${path}`;
}

async function parse<T>(response: Response): Promise<T> {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body as { error?: string }).error ?? `HTTP ${response.status}`);
  return body as T;
}

/** GETs an API path. */
export async function get<T>(path: string): Promise<T> {
  return parse<T>(await fetch(apiUrl(path), { headers: { accept: 'application/json' } }));
}

/** POSTs an action with the CSRF token. */
export async function post<T>(path: string): Promise<T> {
  return parse<T>(
    await fetch(apiUrl(path), { method: 'POST', headers: { 'x-dashboard-csrf': config.csrf } }),
  );
}

/** Encodes an id for a path segment. */
export const seg = encodeURIComponent;
