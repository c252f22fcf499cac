import { inputError } from '../engine/errors';
import { applyRecipe } from '../state/recipe';
import { readRecipe } from './read';
import type { Recipe } from './schema';

/** Where a recipe comes from: a file the person picked, text with a name, or a web address. */
export type RecipeSource = { file: File } | { text: string; name: string } | { url: string };

/**
 * Reads, checks and opens a recipe: fills the form and keeps the recipe for
 * Run the steps (applyRecipe). Nothing changes unless the whole recipe is
 * valid; otherwise an input error says why. The one entry point for every
 * way a recipe arrives (the Recipe panel, `?recipe=` in the address, the Hub).
 */
export async function openRecipe(source: RecipeSource): Promise<Recipe> {
  const { text, from } = await readSource(source);
  const recipe = readRecipe(text, from);
  applyRecipe(recipe, from);
  return recipe;
}

async function readSource(source: RecipeSource): Promise<{ text: string; from: string }> {
  if ('file' in source) return { text: await source.file.text(), from: `“${source.file.name}”` };
  if ('text' in source) return { text: source.text, from: `“${source.name}”` };
  return { text: await fetchText(source.url), from: `“${source.url}”` };
}

async function fetchText(address: string): Promise<string> {
  // Relative to the page, where there is one.
  const base = globalThis.location?.href;
  const url = URL.canParse(address, base) ? new URL(address, base) : undefined;
  if (!url || !['http:', 'https:'].includes(url.protocol))
    throw inputError(
      `“${address}” is not a web address: give the full address of a retort-recipe.json (https://…).`,
    );
  let response: Response;
  try {
    response = await fetch(url);
  } catch {
    throw inputError(
      `The recipe at ${url} could not be fetched: the address did not answer, or its server does not let other sites read it (CORS). Check the address, or download the file and open it from disk.`,
    );
  }
  if (!response.ok)
    throw inputError(
      `The recipe at ${url} could not be fetched: the server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
    );
  return response.text();
}

/**
 * The recipe address given as `?recipe=<url>` when the page was opened, taken
 * out of the address at once so that a reload does not open it again.
 */
export function takeRecipeFromAddress(): string | undefined {
  const address = new URL(location.href);
  const recipe = address.searchParams.get('recipe') ?? undefined;
  if (recipe === undefined) return undefined;
  address.searchParams.delete('recipe');
  history.replaceState(history.state, '', address);
  return recipe;
}
