import { findTask } from '../../tasks';
import { importRows, iterateRowPages } from '../db/datasets';
import { resultsInRange } from '../db/runs';
import { type Dataset, db, PAGE_SIZE, type Run } from '../db/schema';
import { inputError } from '../errors';
import { type Row, resolveParams, taskOutputs } from '../task';
import { groupByRow, runOutputRows } from './outputRows';

/**
 * Chains of runs: a run's results become a dataset of their own, and runs of
 * several models over one dataset become one `generations` list per row,
 * ready for a judge such as UltraFeedback.
 */

/** A run's output rows as a new dataset (without distilabel_metadata, which stays with the run). */
export async function datasetFromRun(runId: string): Promise<Dataset> {
  const run = await requireRun(runId);
  const dataset = await db.datasets.get(run.datasetId);
  return importRows(
    {
      name: `${dataset?.name ?? 'dataset'} · ${findTask(run.taskId).label}`,
      source: `run ${run.id}`,
    },
    async (sink) => {
      for await (const rows of runOutputRows(run)) {
        await sink.add(rows.map(({ distilabel_metadata: _, ...row }) => row));
      }
    },
  );
}

/**
 * For each row of a dataset, the answers of several runs side by side:
 * `generations` (every generation of every run, in run order) and
 * `generation_models` (who wrote each), as distilabel's CombineOutputs and
 * GroupColumns give. A row some run has no answer for keeps what the others gave.
 */
export async function combineRuns(runIds: string[]): Promise<Dataset> {
  if (runIds.length < 2) throw inputError('Pick at least two runs to combine.');
  const runs = await Promise.all(runIds.map(requireRun));
  const datasetId = runs[0].datasetId;
  if (runs.some((r) => r.datasetId !== datasetId))
    throw inputError('Only runs over the same dataset can be combined.');
  const dataset = await db.datasets.get(datasetId);
  if (!dataset) throw inputError('The dataset of these runs was deleted.');
  const answerColumn = runs.map((run) => {
    const task = findTask(run.taskId);
    return taskOutputs(task, resolveParams(task, run.taskParams))[0];
  });
  return importRows(
    { name: `${dataset.name} · ${runs.length} models`, source: `runs ${runIds.join(', ')}` },
    async (sink) => {
      for await (const record of iterateRowPages(datasetId)) {
        const start = record.page * PAGE_SIZE;
        const end = start + record.rows.length;
        const perRun = await Promise.all(
          runs.map(async (run) => groupByRow(await resultsInRange(run.id, start, end))),
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
  );
}

async function requireRun(runId: string): Promise<Run> {
  const run = await db.runs.get(runId);
  if (!run) throw inputError('That run no longer exists.');
  return run;
}
