import type { BindTask, BoundTask, TaskSpec } from '../bound';
import { readRows } from '../db/datasets';
import { ratedGood } from '../db/results';
import { db } from '../db/schema';
import { inputError } from '../errors';
import type { Row } from '../task';

/**
 * A run's few-shot examples: the generations rated good (and kept) in the run
 * its settings name, each as one row of the task's inputs, read from the
 * dataset, and its outputs, the person's edits in place of the model's. Read
 * when a run starts or regenerates, and for the form's preview; undefined
 * when the run takes none.
 */
async function readExamples(
  spec: TaskSpec & { datasetId: string },
  bound: BoundTask,
): Promise<Row[] | undefined> {
  const fewShot = bound.task.fewShot ? spec.settings.fewShot : undefined;
  if (!fewShot) return undefined;
  const source = await db.runs.get(fewShot.fromRunId);
  if (!source)
    throw inputError(
      'Pick the run whose generations rated good become examples, under Use rated rows as examples.',
    );
  if (source.datasetId !== spec.datasetId)
    throw inputError(
      'The run picked for examples belongs to another dataset: pick a run of this one under Use rated rows as examples.',
    );
  const rated = await ratedGood(source.id, fewShot.count);
  const examples: Row[] = [];
  for (const result of rated) {
    const outputs = { ...result.outputs, ...result.judgement?.edits };
    const missing = bound.outputs.filter((column) => !Object.hasOwn(outputs, column));
    if (missing.length > 0)
      throw inputError(
        `The run picked for examples has no ${missing.map((c) => `"${c}"`).join(', ')}: pick a run whose task writes the same columns as this one.`,
      );
    const [row] = await readRows(spec.datasetId, result.rowIndex, 1);
    const mapped = bound.mapRow(row ?? {});
    examples.push({
      ...pick(
        mapped,
        bound.inputs.map((input) => input.name),
      ),
      ...pick(outputs, bound.outputs),
    });
  }
  return examples;
}

/** The spec with its few-shot examples read, as a run keeps it. */
export async function withExamples<S extends TaskSpec & { datasetId: string }>(
  spec: S,
  bind: BindTask,
): Promise<S> {
  return { ...spec, examples: await readExamples(spec, bind(spec)) };
}

function pick(values: Row, names: readonly string[]): Row {
  return Object.fromEntries(
    names.filter((n) => Object.hasOwn(values, n)).map((n) => [n, values[n]]),
  );
}
