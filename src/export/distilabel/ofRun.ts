import type { Dataset, Run } from '../../engine/db/schema';
import type { ExportShape } from '../../engine/io/exportRun';
import { type Derivation, recipeOfRun } from '../../recipes/steps';
import { distilabelPipeline, pipelineFileName } from './pipeline';
import { rowSourceOf } from './source';

/** The chain of runs behind a dataset, as the Results step reads it (components/queries.ts). */
export interface RunLineage {
  made: readonly Derivation[];
  /** The dataset the chain starts on. */
  start: Dataset;
}

/**
 * A stored run as a distilabel pipeline file: the steps that made its dataset
 * (as Save recipe writes them), then the run itself, exported as `exportAs`.
 */
export function pipelineOfRun(
  run: Run,
  lineage: RunLineage,
  exportAs: ExportShape,
): { fileName: string; text: string } {
  const name = run.name ?? `${lineage.start.name} ${run.taskId}`;
  return {
    fileName: pipelineFileName(name),
    text: distilabelPipeline({
      recipe: recipeOfRun(run, lineage.made, exportAs),
      source: rowSourceOf(lineage.start),
      name,
    }),
  };
}
