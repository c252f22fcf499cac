import { create } from 'zustand';
import type { Recipe, RunStep } from '../recipes/schema';
import { formWithStep } from '../recipes/steps';
import { useForm } from './form';
import { setExportAs } from './review';

/**
 * The recipe last opened, while the page stays open: the Run step offers to
 * run its steps. Not kept across a reload; the form it filled is.
 */
export interface RecipeState {
  /** `id` tells one opening from the next, of the same file too. */
  opened?: { id: string; recipe: Recipe; from: string };
}

export const useRecipe = create<RecipeState>()(() => ({}));

/**
 * Fills the form from a checked recipe (read.ts): every slice at once from its
 * last step, which is always a run; the API key stays what it was. Sets the
 * export shape, and keeps the recipe for Run the steps.
 */
export function applyRecipe(recipe: Recipe, from: string): void {
  putInForm(recipe.steps.at(-1) as RunStep);
  setExportAs(recipe.export?.as ?? 'rows');
  useRecipe.setState({ opened: { id: crypto.randomUUID(), recipe, from } });
}

/** Puts a run step in the form, and with `datasetId` selects the dataset it runs on, at once. */
export function putInForm(step: RunStep, datasetId?: string): void {
  useForm.setState((form) => ({
    ...formWithStep(form, step),
    data: datasetId ? { ...form.data, datasetId } : form.data,
  }));
}
