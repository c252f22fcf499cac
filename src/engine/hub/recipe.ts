import { EngineError, inputError } from '../errors';
import { datasetId, type HubAccess, hubEndpoint } from './access';
import { RECIPE_FILE } from './card';
import { hubFetch } from './http';

/**
 * The recipe pushed with a Hub dataset (its retort-recipe.json on main), read
 * with the token when there is one, so a private dataset's recipe opens too:
 * its text and a name for messages, which the page hands to the recipes
 * module's openRecipe to check and open.
 */
export async function hubRecipe(
  access: HubAccess,
  typedId: string,
  signal?: AbortSignal,
): Promise<{ text: string; name: string }> {
  const id = datasetId(typedId);
  const url = `${hubEndpoint(access)}/datasets/${id}/resolve/main/${RECIPE_FILE}`;
  try {
    const response = await hubFetch(access, { dataset: id, signal })(url);
    return { text: await response.text(), name: `${id}/${RECIPE_FILE}` };
  } catch (error) {
    // A missing dataset is said as such; a 404 left is the dataset without the file.
    if (!EngineError.isInstance(error) || error.status !== 404) throw error;
    throw inputError(
      `The dataset “${id}” has no ${RECIPE_FILE}: it was not pushed from Retort, or was pushed without its recipe.`,
    );
  }
}
