import { iterateRowPages } from '../db/datasets';
import { storedKeysOfPage } from '../db/results';
import { PAGE_SIZE, type Run } from '../db/schema';
import type { Row } from '../task';

/** One row with the generations it still lacks: a prompt task's one request, or a chain's one generation. */
export interface WorkItem {
  rowIndex: number;
  row: Row;
  generations: number[];
}

/**
 * The work still to do, read a page of rows at a time: every (row, generation)
 * without a stored result. A chain makes each generation in requests of its
 * own, so each is an item; a prompt task asks for a row's missing ones at once.
 */
export async function* pendingWork(run: Run, oneGenerationEach: boolean): AsyncGenerator<WorkItem> {
  const n = run.settings.numGenerations;
  for await (const { page, rows } of iterateRowPages(run.datasetId)) {
    const stored = await storedKeysOfPage(run.id, page);
    for (const [position, row] of rows.entries()) {
      const rowIndex = page * PAGE_SIZE + position;
      const generations = [...Array(n).keys()].filter((g) => !stored.has(`${rowIndex}:${g}`));
      if (generations.length === 0) continue;
      if (oneGenerationEach) for (const g of generations) yield { rowIndex, row, generations: [g] };
      else yield { rowIndex, row, generations };
    }
  }
}
