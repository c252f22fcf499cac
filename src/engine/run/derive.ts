import { importRows, iterateRowPages } from '../db/datasets';
import { resultsInRange } from '../db/results';
import { type Dataset, PAGE_SIZE } from '../db/schema';
import { inputError } from '../errors';
import type { Row } from '../task';
import type { BoundRun } from './boundRun';
import { groupByRow, judgementColumns, runOutputRows } from './outputRows';

/**
 * Chains of runs: a run's results become a dataset of their own, and runs of
 * several models over one dataset become one `generations` list per row,
 * ready for a judge such as UltraFeedback.
 */

/** A run's output rows as a new dataset, with the person's edits, without deleted rows, metadata or ratings. */
export function datasetFromRun(
  { run, dataset, bound }: BoundRun,
  signal?: AbortSignal,
): Promise<Dataset> {
  const judged = judgementColumns(bound.outputs);
  const stayWithRun = ['distilabel_metadata', judged.rating, judged.comment];
  return importRows(
    {
      name: `${dataset.name} · ${bound.task.label}`,
      source: `run ${run.id}`,
      derivedFrom: { kind: 'results', runId: run.id },
    },
    async (sink) => {
      for await (const rows of runOutputRows(run, bound, { signal })) {
        // The metadata and the person's judgement stay with the run.
        await sink.add(rows.map((row) => withoutColumns(row, stayWithRun)));
      }
    },
    signal,
  );
}

/**
 * For each row of a dataset, the answers of several runs side by side:
 * `generations` (every generation of every run, in run order) and
 * `generation_models` (who wrote each), as distilabel's CombineOutputs and
 * GroupColumns give. A row some run has no answer for keeps what the others gave.
 */
export async function combineRuns(runs: BoundRun[], signal?: AbortSignal): Promise<Dataset> {
  if (runs.length < 2) throw inputError('Pick at least two runs to combine.');
  const { dataset } = runs[0];
  if (runs.some((r) => r.run.datasetId !== dataset.id))
    throw inputError('Only runs over the same dataset can be combined.');
  // Each run's answer is its task's first output column.
  const answerColumn = runs.map((r) => r.bound.outputs[0]);
  return importRows(
    {
      name: `${dataset.name} · ${runs.length} models`,
      source: `runs ${runs.map((r) => r.run.id).join(', ')}`,
      derivedFrom: { kind: 'combine', runIds: runs.map((r) => r.run.id) },
    },
    async (sink) => {
      for await (const record of iterateRowPages(dataset.id)) {
        const start = record.page * PAGE_SIZE;
        const end = start + record.rows.length;
        const perRun = await Promise.all(
          runs.map(async ({ run }) => groupByRow(await resultsInRange(run.id, start, end))),
        );
        const rows: Row[] = record.rows.map((row, position) => {
          const generations: unknown[] = [];
          const models: string[] = [];
          perRun.forEach((byRow, r) => {
            for (const result of byRow.get(start + position) ?? []) {
              const answer = result.outputs[answerColumn[r]];
              if (result.status !== 'done' || answer === null || answer === undefined) continue;
              generations.push(answer);
              models.push(result.modelName);
            }
          });
          return { ...row, generations, generation_models: models };
        });
        await sink.add(rows);
      }
    },
    signal,
  );
}

function withoutColumns(row: Row, columns: readonly string[]): Row {
  return Object.fromEntries(Object.entries(row).filter(([column]) => !columns.includes(column)));
}
