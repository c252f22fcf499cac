/** Prints a benchmark's figures as an aligned plain-text table under a title. */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => columns.map((c) => format(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  console.log(
    [`\n${title}`, line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join(
      '\n',
    ),
  );
}

function format(value: string | number | undefined): string {
  if (typeof value !== 'number') return value ?? '';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) < 10 ? value.toFixed(2) : value.toFixed(1);
}
