/** Figures in words, as the page shows them. */

export const money = (value: number) => `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** "1 row", "2,000 rows". */
export function rowCount(rows: number): string {
  return `${rows.toLocaleString()} ${rows === 1 ? 'row' : 'rows'}`;
}
