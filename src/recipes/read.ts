import type { z } from 'zod';
import { inputError } from '../engine/errors';
import { initialForm } from '../state/form';
import { selectBoundTask } from '../state/selectors';
import { taskById, taskLabel } from '../tasks';
import { chainProblems, RECIPE_VERSION, type Recipe, type RunStep, recipeSchema } from './schema';
import { formWithStep } from './steps';

/** Issues named in a refusal: the rest are likely the same mistake again. */
const ISSUES_SHOWN = 3;

/**
 * A recipe read from text, whole and checked, or an input error saying what is
 * wrong: not JSON, not a recipe, a newer version, an invalid field (named by
 * step and path), a task this version lacks or parameters it refuses, or a
 * chain whose steps name steps they cannot. `from` names the text for the
 * person: “retort-recipe.json”, “https://…/retort-recipe.json”.
 */
export function readRecipe(text: string, from: string): Recipe {
  const value = parseJson(text, from);
  checkVersion(value, from);
  const parsed = recipeSchema.safeParse(value);
  if (!parsed.success) throw inputError(`${from} is not a valid recipe: ${issues(parsed.error)}`);
  const problems = [...chainProblems(parsed.data.steps), ...taskProblems(parsed.data)];
  if (problems.length > 0) throw inputError(`${from} cannot be used: ${problems.join(' ')}`);
  return parsed.data;
}

/**
 * retort-recipe.json's text for a recipe, checked as it will be read: only a
 * recipe that opens again leaves (the form can hold what a recipe refuses, a
 * broken template); a refusal is thrown as an input error.
 */
export function recipeText(recipe: Recipe, from: string): string {
  const text = `${JSON.stringify(recipe, null, 2)}\n`;
  readRecipe(text, from);
  return text;
}

function parseJson(text: string, from: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw inputError(`${from} is not a recipe: it is not JSON (${(error as Error).message}).`);
  }
}

/** Before the fields: a newer recipe is said to be one, not listed as a pile of unknown fields. */
function checkVersion(value: unknown, from: string): void {
  const { retort, version } = (value ?? {}) as { retort?: unknown; version?: unknown };
  if (retort !== 'recipe')
    throw inputError(
      `${from} is not a Retort recipe: a recipe is a JSON object with "retort": "recipe".`,
    );
  if (typeof version === 'number' && Number.isInteger(version) && version > RECIPE_VERSION)
    throw inputError(
      `This recipe was written by a newer Retort (version ${version}); this one reads version ${RECIPE_VERSION}. ` +
        'Update Retort (reload the page to get the newest), then open it again.',
    );
  if (version !== RECIPE_VERSION)
    throw inputError(
      `${from} has no recipe version this Retort reads ("version" must be ${RECIPE_VERSION}).`,
    );
}

/** "step 2, sampling.temperature: Too big: expected number to be <=2" */
function issues(error: z.ZodError): string {
  const said = error.issues.slice(0, ISSUES_SHOWN).map(({ path, message }) => {
    const [first, index, ...rest] = path.map(String);
    const where =
      first === 'steps' && index !== undefined
        ? [`step ${Number(index) + 1}`, rest.join('.')].filter(Boolean).join(', ')
        : path.join('.');
    return where ? `${where}: ${message}` : message;
  });
  const more = error.issues.length - said.length;
  return `${said.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}.`;
}

/**
 * Each run step's task, bound as the form would bind it: an unknown task, or
 * parameters it refuses. A parameter it does not have is refused too: the
 * form would keep it, and every run and recipe after it.
 */
function taskProblems(recipe: Recipe): string[] {
  return recipe.steps.flatMap((step, index) => {
    if (step.kind !== 'run') return [];
    const problem = taskProblem(step);
    return problem ? [`Step ${index + 1} (${taskLabel(step.task.id)}): ${problem}`] : [];
  });
}

function taskProblem(step: RunStep): string | undefined {
  const shape = (taskById(step.task.id)?.params as z.ZodObject | undefined)?.shape;
  const strange = Object.keys(step.task.params).filter(
    (name) => shape && !Object.hasOwn(shape, name),
  );
  if (strange.length > 0)
    return `it has no parameter ${strange.map((name) => `"${name}"`).join(', ')}.`;
  const bound = selectBoundTask(formWithStep(initialForm, step));
  return bound.ok ? undefined : bound.problem;
}
