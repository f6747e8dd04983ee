import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Bundles the client into dist/assets from the current sources, so the tests never serve a stale or missing bundle. */
export default function setup(): void {
  const script = fileURLToPath(new URL('../../scripts/build-assets.mjs', import.meta.url));
  execFileSync(process.execPath, [script], { stdio: 'inherit' });
}
