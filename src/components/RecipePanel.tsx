import { useEffect, useState } from 'react';
import { engine } from '../engineClient';
import { openRecipe, type RecipeSource, takeRecipeFromAddress } from '../recipes/open';
import { recipeText } from '../recipes/read';
import { recipeOf } from '../recipes/steps';
import { useForm } from '../state/form';
import { hubAccess } from '../state/hub';
import { useRecipe } from '../state/recipe';
import { useReview } from '../state/review';
import { type Lineage, useDataset, useLineage } from './queries';
import { RecipeSteps } from './RecipeSteps';
import { ErrorAlert, Note } from './Section';

const FILE_NAME = 'retort-recipe.json';

/**
 * Save recipe writes the form as it is, after the steps that made the
 * selected dataset from runs; Open recipe reads one from a file, a URL, or
 * `?recipe=<url>` in the page's address (once, at load) and fills the form.
 * A recipe of several steps can then be run here, step by step.
 */
export function RecipePanel() {
  const datasetId = useForm((s) => s.data.datasetId);
  const dataset = useDataset(datasetId);
  const lineage = useLineage(datasetId);
  const opened = useRecipe((s) => s.opened);
  const [url, setUrl] = useState('');
  const [hubId, setHubId] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string>();

  async function open(source: RecipeSource) {
    setError(null);
    setNote(undefined);
    try {
      const { steps } = await openRecipe(source);
      setNote(
        steps.length === 1
          ? 'Opened the recipe: its settings are in the form.'
          : 'Opened the recipe: its last step is in the form, and its steps are listed below.',
      );
    } catch (failure) {
      setError(failure);
    }
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: the address is read once, when the page loads.
  useEffect(() => {
    const address = takeRecipeFromAddress();
    if (address) void open({ url: address });
  }, []);

  function save() {
    if (!lineage) return;
    setError(null);
    setNote(undefined);
    const recipe = recipeOf(useForm.getState(), lineage.made, useReview.getState().exportAs);
    let text: string;
    try {
      text = recipeText(recipe, 'This recipe');
    } catch (failure) {
      return setError(failure);
    }
    const href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    Object.assign(document.createElement('a'), { href, download: FILE_NAME }).click();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
    setNote(
      `Downloaded ${FILE_NAME} (${recipe.steps.length} ${recipe.steps.length === 1 ? 'step' : 'steps'}).`,
    );
  }

  return (
    <section aria-labelledby="recipe-heading">
      <h3 id="recipe-heading">Recipe</h3>
      <p className="muted">{whatIsSaved(lineage, dataset?.name)}</p>
      <div className="actions">
        <button type="button" className="secondary" disabled={!lineage} onClick={save}>
          Save recipe
        </button>
        <label className="field">
          <span>Open recipe</span>
          <input
            type="file"
            accept=".json,application/json"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void open({ file });
            }}
          />
        </label>
      </div>
      <form
        className="actions"
        onSubmit={(e) => {
          e.preventDefault();
          void open({ url: url.trim() });
        }}
      >
        <label className="field wide">
          <span>Recipe URL</span>
          <input
            type="url"
            value={url}
            placeholder="https://…/retort-recipe.json"
            onChange={(e) => setUrl(e.target.value)}
          />
        </label>
        <button type="submit" className="secondary" disabled={!url.trim()}>
          Open from URL
        </button>
      </form>
      <form
        className="actions"
        onSubmit={(e) => {
          e.preventDefault();
          setNote(undefined);
          // The recipe pushed with a dataset, read with the Hub address and token of the Hub settings.
          engine.hubRecipe(hubAccess(), hubId).then(open, setError);
        }}
      >
        <label className="field wide">
          <span>Recipe on the Hub (dataset id)</span>
          <input
            value={hubId}
            placeholder="owner/name"
            spellCheck={false}
            onChange={(e) => setHubId(e.target.value)}
          />
        </label>
        <button type="submit" className="secondary" disabled={!hubId.trim()}>
          Open from Hub
        </button>
      </form>
      <ErrorAlert error={error} />
      <Note>{note}</Note>
      {opened && opened.recipe.steps.length > 1 && (
        <RecipeSteps key={opened.id} recipe={opened.recipe} from={opened.from} />
      )}
    </section>
  );
}

/** What Save recipe writes, said before it is pressed. */
function whatIsSaved(lineage: Lineage | undefined, name: string | undefined): string {
  const end = 'to retort-recipe.json: never the API key, never the data.';
  if (!lineage || lineage.made.length === 0 || !name)
    return `Save recipe writes the settings of Task, Model and Run ${end}`;
  const steps = lineage.made.reduce((sum, { runs }) => sum + runs.length + 1, 0);
  const start = lineage.start ? ` from “${lineage.start.name}”` : '';
  const cut = lineage.cut ? ' (the runs before it are deleted)' : '';
  return `Save recipe writes the ${steps} steps that made “${name}”${start}${cut}, then the settings of Task, Model and Run, ${end}`;
}
