import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary folder and a way to remove it. */
export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'jobservice-rabbitmq-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
