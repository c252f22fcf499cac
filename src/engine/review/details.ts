import type { BindTask } from '../bound';
import { readRows } from '../db/datasets';
import { resultsInRange } from '../db/results';
import type { Result } from '../db/schema';
import { inputError } from '../errors';
import { loadRun } from '../run/boundRun';
import type { Row } from '../task';

/** One row whole, for Row details: its input values and every generation of each run shown. */
export interface RowDetails {
  rowIndex: number;
  row: Row;
  runs: { runId: string; taskId: string; outputs: readonly string[]; generations: Result[] }[];
}

export async function rowDetails(
  spec: { datasetId: string; runIds: string[] },
  rowIndex: number,
  bind: BindTask,
): Promise<RowDetails> {
  const [row] = await readRows(spec.datasetId, rowIndex, 1);
  if (!row) throw inputError(`The dataset has no row ${rowIndex + 1}.`);
  const runs = await Promise.all(
    spec.runIds.map(async (runId) => {
      const { run, bound } = await loadRun(runId, bind);
      return {
        runId,
        taskId: run.taskId,
        outputs: bound.outputs,
        generations: await resultsInRange(runId, rowIndex, rowIndex + 1),
      };
    }),
  );
  return { rowIndex, row, runs };
}
