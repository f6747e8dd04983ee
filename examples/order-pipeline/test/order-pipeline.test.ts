import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const here = fileURLToPath(new URL('..', import.meta.url));
const tsx = join(here, '..', '..', 'node_modules', '.bin', 'tsx');

it('runs the flows in order: the declined order cancels its email and invoice, and still archives', async () => {
  const data = mkdtempSync(join(tmpdir(), 'order-pipeline-test-'));
  try {
    const { stdout } = await run(tsx, ['src/main.ts'], {
      cwd: here,
      env: { ...process.env, JOBSERVICE_DATA: data },
    });
    const lines = stdout.split('\n');
    const at = (step: string, what: string) => {
      const index = lines.findIndex((l) => new RegExp(`^${step}\\s+${what}`).test(l));
      expect(index, `${step} ${what}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    expect(stdout).toContain('refused at enqueue, nothing written');
    expect(stdout).toContain('email: Invalid email');
    expect(at('A-1001 charge', 'completed')).toBeLessThan(at('A-1001 email', 'started'));
    expect(at('A-1001 charge', 'completed')).toBeLessThan(at('A-1001 invoice', 'started'));
    expect(Math.max(at('A-1001 email', 'completed'), at('A-1001 invoice', 'completed'))).toBeLessThan(
      at('A-1001 archive', 'started'),
    );
    at('A-1001 email', 'log info: receipt for \\{"chargeId":"ch_A-1001"\\} to ada@example.com');
    at('A-1002 charge', 'failed: card declined for A-1002');
    expect(lines.some((l) => /^A-1002 (email|invoice)\s+started/.test(l))).toBe(false);
    for (const step of ['email', 'invoice']) at(`  A-1002 ${step}`, 'cancelled');
    at('  A-1002 archive', 'completed');
    at(
      'A-1002 archive',
      'completed \\{"archived":\\["order.email=cancelled","order.invoice=cancelled"\\]\\}',
    );
    expect(stdout).toContain(
      'A-1001 archive result: {"archived":["order.email=completed","order.invoice=completed"]}',
    );
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}, 60_000);
