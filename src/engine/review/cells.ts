/** A cell as text: strings as they are, lists and objects as JSON, nothing as empty. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A grid shows this much of a cell; Row details shows it whole. */
export const CELL_PREVIEW = 300;

export function clipped(text: string): string {
  return text.length > CELL_PREVIEW ? `${text.slice(0, CELL_PREVIEW)}…` : text;
}
