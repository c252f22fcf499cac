import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Row } from '../src/engine/task';

/**
 * Row `i` of the generated datasets, the same in Node (which writes the CSV)
 * and in the browser (which writes the same rows to the store directly).
 * About 100 bytes of CSV, with a quoted value holding commas and quotes.
 */
export function benchRow(i: number): Row {
  return {
    id: String(i),
    instruction: `Write a short, friendly paragraph about topic number ${i}, in "plain" words for everyone.`,
    topic: `category ${i % 97}`,
  };
}

export const CSV_HEADER = 'id,instruction,topic\n';

export function csvLine(i: number): string {
  const row = benchRow(i);
  return `${row.id},"${String(row.instruction).replaceAll('"', '""')}",${row.topic}\n`;
}

/** Writes a CSV of rows 0..rows-1 to `path`, streamed. */
export async function writeBenchCSV(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(CSV_HEADER);
  for (let first = 0; first < rows; first += 10_000) {
    const chunk = Array.from({ length: Math.min(10_000, rows - first) }, (_, i) =>
      csvLine(first + i),
    ).join('');
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
