import type { BindTask, BoundTask } from '../bound';
import { type Dataset, db, type Run } from '../db/schema';
import { inputError } from '../errors';

/** A stored run with its dataset and its task bound: what exports and derived datasets read. */
export interface BoundRun {
  run: Run;
  dataset: Dataset;
  bound: BoundTask;
}

export async function loadRun(runId: string, bind: BindTask): Promise<BoundRun> {
  const run = await db.runs.get(runId);
  if (!run) throw inputError('That run no longer exists.');
  const dataset = await db.datasets.get(run.datasetId);
  if (!dataset) throw inputError('The dataset of this run was deleted.');
  return { run, dataset, bound: bind(run) };
}
