import type { Run } from '../engine/db/schema';
import type { ExportShape } from '../engine/io/exportRun';
import { readRecipe } from '../recipes/read';
import { type Derivation, recipeOf, stepOfRun } from '../recipes/steps';
import { initialForm } from '../state/form';

/**
 * retort-recipe.json of a stored run, as pushed beside its dataset: the steps
 * that made the run's dataset (`made`, as Save recipe writes them), then the
 * run itself in place of the form. Checked as Save recipe checks, so only a
 * recipe that opens again leaves; a refusal is thrown as an input error.
 */
export function recipeFileOfRun(
  run: Run,
  made: readonly Derivation[],
  exportAs: ExportShape,
): string {
  // recipeOf ends with the form's step: the run's own replaces it.
  const recipe = recipeOf(initialForm, made, exportAs);
  const steps = [...recipe.steps.slice(0, -1), stepOfRun(run)];
  const text = `${JSON.stringify({ ...recipe, steps }, null, 2)}\n`;
  readRecipe(text, 'The recipe of this run');
  return text;
}
