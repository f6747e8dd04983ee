/**
 * `npm run chaos`: the reliability suite. Real worker processes against the
 * real stores (PostgreSQL, fs, Redis), one scenario per file in `scenarios/`.
 *
 * Flags: `--quick` (small form), `--only=a,b` (scenario ids),
 * `--provider=postgres,fs,redis`. Prints a table, exits 1 when any verdict
 * fails, and after a full run (no `--quick`, no `--only`, every provider) rewrites
 * docs/RELIABILITY.md.
 */
import { killEverything } from './lib/fleet.js';
import { writeReliabilityDoc } from './lib/reliability-doc.js';
import { type Row, type ScenarioResult, textTable, verdict } from './lib/report.js';
import type { ScenarioContext } from './lib/scenario.js';
import { PROVIDER_KINDS, type ProviderKind } from './lib/stores.js';
import { SCENARIOS } from './scenarios/index.js';

function parseArgs(argv: readonly string[]): { ctx: ScenarioContext; only: string[] | null } {
  let quick = false;
  let only: string[] | null = null;
  let providers: ProviderKind[] = [...PROVIDER_KINDS];
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg.startsWith('--only=')) only = arg.slice(7).split(',').filter(Boolean);
    else if (arg.startsWith('--provider=')) {
      const list = arg.slice(11).split(',').filter(Boolean);
      for (const p of list)
        if (!PROVIDER_KINDS.includes(p as ProviderKind))
          throw new Error(`--provider: unknown '${p}' (${PROVIDER_KINDS.join(', ')})`);
      providers = list as ProviderKind[];
    } else
      throw new Error(
        `unknown argument '${arg}' (use --quick, --only=a,b, --provider=${PROVIDER_KINDS.join(',')})`,
      );
  }
  if (only) {
    const known = new Set(SCENARIOS.map((s) => s.id));
    for (const id of only)
      if (!known.has(id)) throw new Error(`--only: unknown scenario '${id}' (${[...known].join(', ')})`);
  }
  return { ctx: { quick, providers }, only };
}

process.on('SIGINT', () => {
  killEverything();
  process.exit(130);
});

const { ctx, only } = parseArgs(process.argv.slice(2));
const started = Date.now();
const results: ScenarioResult[] = [];
for (const scenario of SCENARIOS) {
  if (only && !only.includes(scenario.id)) continue;
  console.log(`\n== ${scenario.id}: ${scenario.title}${ctx.quick ? ' (quick)' : ''}`);
  let result: ScenarioResult;
  const t0 = Date.now();
  try {
    result = await scenario.run(ctx);
  } catch (error) {
    const row: Row = {
      scenario: scenario.id,
      run: '-',
      check: 'run',
      value: String(error).slice(0, 200),
      bound: 'completes',
      pass: false,
    };
    result = { scenario: scenario.id, rows: [row], notes: [], ms: Date.now() - t0 };
  }
  results.push(result);
  console.log(textTable(result.rows));
  for (const note of result.notes) console.log(`  note: ${note}`);
  console.log(`${scenario.id}: ${verdict(result.rows)} (${(result.ms / 1000).toFixed(1)} s)`);
}

const rows = results.flatMap((r) => r.rows);
const totalMs = Date.now() - started;
console.log('\n== summary');
console.log(textTable(rows));
for (const r of results)
  console.log(`${r.scenario.padEnd(10)} ${verdict(r.rows)}  ${(r.ms / 1000).toFixed(1)} s`);
console.log(`total ${(totalMs / 1000).toFixed(1)} s`);
const failed = results.filter((r) => verdict(r.rows) === 'FAIL');
const full = !ctx.quick && only === null && ctx.providers.length === PROVIDER_KINDS.length;
if (full) {
  const path = await writeReliabilityDoc(results, totalMs, process.argv.slice(2));
  console.log(`wrote ${path}`);
}
killEverything();
process.exit(failed.length > 0 ? 1 : 0);
