import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * Summarises the `.cpuprofile` files `node --cpu-prof` wrote into `dir`:
 * self time per function (top `limit`), with idle and GC shares — enough to
 * see whether a worker is bound by its own CPU or waiting on the database.
 */
export function summarizeCpuProfiles(dir: string, limit = 20): string {
  const lines: string[] = [];
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return 'no profile written';
  }
  const merged = new Map<string, number>();
  let mergedTotal = 0;
  let mergedMs = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      nodes: ProfileNode[];
      startTime: number;
      endTime: number;
      samples: number[];
    };
    const msPerHit = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
    const self = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url ? ` ${url.split('/').slice(-3).join('/')}:${lineNumber + 1}` : '';
      const key = `${functionName || '(anonymous)'}${where}`;
      const hits = node.hitCount ?? 0;
      self.set(key, (self.get(key) ?? 0) + hits);
      total += hits;
    }
    for (const [key, hits] of self) merged.set(key, (merged.get(key) ?? 0) + hits * msPerHit);
    mergedTotal += total * msPerHit;
    mergedMs += total * msPerHit;
  }
  lines.push(`${files.length} profile(s), ${Math.round(mergedMs)} ms sampled; self time by function:`);
  for (const [key, ms] of [...merged].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    const share = ((100 * ms) / Math.max(1, mergedTotal)).toFixed(1).padStart(5);
    lines.push(`${String(Math.round(ms)).padStart(7)} ms ${share}%  ${key}`);
  }
  return lines.join('\n') || 'no profile written';
}
