/** Rows, verdicts and the printed table of a chaos run. */

/** One measured figure of one run, checked against its bound. */
export interface Row {
  /** Scenario id (`kill9`, `poison`, …). */
  scenario: string;
  /** Which run of the scenario (`postgres quiet`, `fs busy`, …). */
  run: string;
  /** What was measured. */
  check: string;
  /** The measured value, as printed. */
  value: string;
  /** The bound it must meet, as printed (`= 0`, `≤ 40`, `info`). */
  bound: string;
  /** `true` passes, `false` fails, `null` is information only. */
  pass: boolean | null;
}

/** What one scenario returns. */
export interface ScenarioResult {
  scenario: string;
  rows: Row[];
  /** Observations worth reading (findings, hangs, errors seen). */
  notes: string[];
  /** Wall time of the scenario, ms. */
  ms: number;
}

/** Collects rows for one scenario. */
export class RowSink {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];

  constructor(readonly scenario: string) {}

  /** Adds a checked row; `pass` null means information only. */
  add(run: string, check: string, value: string | number, bound: string, pass: boolean | null): void {
    const text = typeof value === 'number' ? value.toLocaleString('en-US') : value;
    this.rows.push({ scenario: this.scenario, run, check, value: text, bound, pass });
  }

  /** Adds an information-only row. */
  info(run: string, check: string, value: string | number): void {
    this.add(run, check, value, 'info', null);
  }

  /** Records an observation (printed under the table). */
  note(text: string): void {
    this.notes.push(text);
  }

  /**
   * The rows every recovery scenario ends with: nothing lost, nothing
   * failed, and everything complete within `boundMs` after `what` (faults
   * stop, the network heals).
   */
  outcome(
    run: string,
    jobs: number,
    counts: { completed: number; failed: number },
    done: boolean,
    afterMs: number,
    what: string,
    boundMs = 90_000,
  ): void {
    this.add(run, 'lost (not completed)', jobs - counts.completed, '= 0', jobs - counts.completed === 0);
    this.add(run, 'failed', counts.failed, '= 0', counts.failed === 0);
    const value = done ? afterMs.toLocaleString('en-US') : `not in ${afterMs.toLocaleString('en-US')}`;
    this.add(run, `all complete after ${what} (ms)`, value, `≤ ${boundMs.toLocaleString('en-US')}`, done);
  }

  /** Runs one run of a scenario; a run that throws becomes a failed `run` row, and the next run goes on. */
  async guard(run: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      this.add(run, 'run', String(error).slice(0, 120), 'completes', false);
    }
  }
}

/** PASS when no row of the scenario fails (a scenario with no checked row fails: it measured nothing). */
export function verdict(rows: readonly Row[]): 'PASS' | 'FAIL' {
  const checked = rows.filter((r) => r.pass !== null);
  return checked.length > 0 && checked.every((r) => r.pass) ? 'PASS' : 'FAIL';
}

const HEADERS = ['scenario', 'run', 'check', 'value', 'bound', 'ok'] as const;

function cells(row: Row): string[] {
  return [
    row.scenario,
    row.run,
    row.check,
    row.value,
    row.bound,
    row.pass === null ? '' : row.pass ? 'ok' : 'FAIL',
  ];
}

/** A plain-text table, columns padded. */
export function textTable(rows: readonly Row[]): string {
  const all = [[...HEADERS], ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(all[0] as string[]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...all.slice(1).map(line),
  ].join('\n');
}

/** A Markdown table of the rows. */
export function markdownTable(rows: readonly Row[]): string {
  const escapeCell = (s: string) => s.replaceAll('|', '\\|');
  const head = `| ${HEADERS.join(' | ')} |\n| ${HEADERS.map(() => '---').join(' | ')} |`;
  return [head, ...rows.map((r) => `| ${cells(r).map(escapeCell).join(' | ')} |`)].join('\n');
}
