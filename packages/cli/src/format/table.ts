/** One column of a {@link formatTable} table. */
export interface Column<Row> {
  /** The header text. */
  header: string;
  /** The cell's plain text (its width is measured on this). */
  value: (row: Row) => string;
  /** Decorates the padded cell (colour); must not change its visible width. */
  style?: (padded: string, row: Row) => string;
  /** Right-align (numbers). @default false */
  alignRight?: boolean;
}

/**
 * Lays rows out as an aligned text table: a header line, then one line per
 * row, columns separated by two spaces, no trailing spaces. Cells are
 * flattened to one line.
 *
 * @example
 * formatTable([{ id: 'a', n: 1 }], [{ header: 'ID', value: (r) => r.id }, { header: 'N', value: (r) => String(r.n) }]);
 * // 'ID  N\na   1\n'
 */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => flatten(column.value(row))));
  const widths = columns.map((column, i) =>
    Math.max(width(column.header), ...cells.map((line) => width(line[i] ?? ''))),
  );
  const render = (texts: readonly string[], row: Row | undefined): string =>
    texts
      .map((text, i) => {
        const column = columns[i] as Column<Row>;
        const target = widths[i] ?? 0;
        const gap = ' '.repeat(Math.max(0, target - width(text)));
        const last = i === texts.length - 1;
        const padded = column.alignRight ? gap + text : last ? text : text + gap;
        return row !== undefined && column.style ? column.style(padded, row) : padded;
      })
      .join('  ')
      .trimEnd();
  const lines = [
    render(
      columns.map((c) => c.header),
      undefined,
    ),
  ];
  for (const [i, line] of cells.entries()) lines.push(render(line, rows[i] as Row));
  return `${lines.join('\n')}\n`;
}

/** The text on one line: newlines and tabs become spaces. */
function flatten(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}

/** Visible width in terminal columns (code points; good enough for ids, names and messages). */
function width(text: string): number {
  return [...text].length;
}

/** `text` cut to `max` characters, with `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
