import { useEffect, useState } from 'react';
import type { Run } from '../engine/db/schema';
import type { PushedRun, PushProgress } from '../engine/hub/push';
import type { ExportShape } from '../engine/io/exportRun';
import { callback, engine } from '../engineClient';
import { recipeText } from '../recipes/read';
import { recipeOfRun } from '../recipes/steps';
import { hubAccess, useHub } from '../state/hub';
import { useReview } from '../state/review';
import { HubSettings } from './HubSettings';
import { useDataset, useLineage } from './queries';
import { ErrorAlert, Note } from './Section';
import { useCancellable } from './useCancellable';
import { useScoped } from './useScoped';

/** Licenses the Hub knows by these ids; "unknown" states none on the person's behalf. */
const LICENSES: [id: string, label: string][] = [
  ['unknown', 'Not stated (unknown)'],
  ['apache-2.0', 'Apache 2.0'],
  ['mit', 'MIT'],
  ['cc-by-4.0', 'CC BY 4.0'],
  ['cc-by-sa-4.0', 'CC BY-SA 4.0'],
  ['cc-by-nc-4.0', 'CC BY-NC 4.0'],
  ['cc0-1.0', 'CC0 1.0'],
  ['odc-by', 'ODC-By'],
  ['other', 'Other'],
];

/**
 * Push to Hub: the selected run, as Export Parquet writes it (in the shape
 * Export as says), with a dataset card and its recipe, to a dataset
 * repository made if missing; with progress, Cancel, and a link to the
 * dataset once it is there.
 */
export function HubPush({ run }: { run: Run }) {
  const dataset = useDataset(run.datasetId);
  const lineage = useLineage(run.datasetId);
  const shape = useReview((s) => s.exportAs);
  const [open, setOpen] = useState(false);
  const account = useTokenAccount(open);
  const [typedRepo, setTypedRepo] = useState<string>();
  const [isPrivate, setPrivate] = useState(false);
  const [license, setLicense] = useState('unknown');
  const [progress, setProgress] = useState<PushProgress | 'starting' | null>(null);
  const [error, setError] = useScoped<unknown>(run.id);
  const [pushed, setPushed] = useScoped<PushedRun>(run.id);
  const [note, setNote] = useScoped<string>(run.id);
  const command = useCancellable();
  const repo = typedRepo ?? (account && dataset ? `${account}/${repoName(dataset.name)}` : '');

  async function push() {
    if (!lineage) return;
    setError(null);
    setPushed(undefined);
    setNote(undefined);
    setProgress('starting');
    // Progress can arrive after the push's own answer: ignore it then.
    let finished = false;
    const onProgress = (step: PushProgress) => {
      if (!finished) setProgress(step);
    };
    const { recipe, refused } = recipeOrRefusal(run, lineage.made, shape);
    const request = { repo, private: isPrivate, license, shape, recipe };
    try {
      const outcome = await command.start((signal) =>
        engine.pushToHub(hubAccess(), run.id, request, callback(onProgress), signal),
      );
      if (outcome.cancelled) return setNote(CANCELLED);
      setPushed(outcome.value);
      setNote([outcome.value.skipped, refused].filter(Boolean).join(' ') || undefined);
    } catch (failure) {
      setError(failure);
    } finally {
      finished = true;
      setProgress(null);
    }
  }

  return (
    <details className="more" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Push to the Hugging Face Hub</summary>
      <HubSettings />
      <div className="field-row">
        <label className="field wide">
          <span>Hub repository</span>
          <input
            value={repo}
            placeholder="owner/name"
            spellCheck={false}
            onChange={(e) => setTypedRepo(e.target.value)}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={isPrivate}
            onChange={(e) => setPrivate(e.target.checked)}
          />
          <span>Private</span>
        </label>
        <label className="field">
          <span>License</span>
          <select value={license} onChange={(e) => setLicense(e.target.value)}>
            {LICENSES.map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!repo.trim() || !lineage || progress !== null}
          onClick={push}
        >
          Push to Hub
        </button>
        {progress && (
          <button type="button" className="secondary" onClick={command.cancel}>
            Cancel push
          </button>
        )}
      </div>
      <p className="muted">
        Pushes the rows Export Parquet writes ({SHAPES[shape]}, with your edits and ratings) as
        data/train-00000-of-00001.parquet, with a README.md dataset card and retort-recipe.json, in
        one commit. A repository that is missing is made (private if ticked); the token needs write
        access.
      </p>
      {progress && (
        <p className="muted" aria-live="polite">
          {describe(progress)}
        </p>
      )}
      {pushed && (
        <p role="status">
          Pushed {pushed.rows.toLocaleString()} rows to{' '}
          {pushed.created ? 'a new repository' : 'the repository'}:{' '}
          <a href={pushed.url} target="_blank" rel="noreferrer">
            {pushed.url}
          </a>
        </p>
      )}
      <Note>{note}</Note>
      <ErrorAlert error={error} />
    </details>
  );
}

const SHAPES: Record<ExportShape, string> = {
  rows: 'rows as the run made them',
  dpo: 'as DPO pairs',
  sft: 'as SFT conversations',
};

const CANCELLED =
  'Push cancelled: nothing was committed (a repository it had just made stays, empty).';

/** The recipe pushed beside the run; a run whose recipe would not open again is pushed without one. */
function recipeOrRefusal(...[run, made, shape]: Parameters<typeof recipeOfRun>) {
  try {
    return { recipe: recipeText(recipeOfRun(run, made, shape), 'The recipe of this run') };
  } catch (refused) {
    return { refused: `retort-recipe.json was left out: ${(refused as Error).message}` };
  }
}

function describe(progress: PushProgress | 'starting'): string {
  if (progress === 'starting') return 'Checking the token…';
  switch (progress.step) {
    case 'export':
      return `Writing the Parquet file… ${progress.rows.toLocaleString()} rows so far.`;
    case 'hash':
      return `Reading ${progress.path}… ${Math.round(progress.fraction * 100)}%`;
    case 'upload':
      return `Uploading ${progress.path}… ${Math.round(progress.fraction * 100)}%`;
    case 'commit':
      return 'Committing…';
  }
}

/**
 * The account of the Hub token, asked of the Hub while `asking` (the panel is
 * open) and the token rests; undefined until known. A refused token is said
 * by the push itself.
 */
function useTokenAccount(asking: boolean): string | undefined {
  const endpoint = useHub((s) => s.endpoint);
  const token = useHub((s) => s.token);
  const key = `${endpoint}\n${token}`;
  const [known, setKnown] = useState<{ key: string; name: string }>();
  useEffect(() => {
    if (!asking || !token.trim()) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      engine
        .hubAccount(hubAccess(), controller.signal)
        .then(({ name }) => setKnown({ key, name }))
        .catch(() => undefined);
    }, 400);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [asking, key, token]);
  return known?.key === key ? known.name : undefined;
}

/** A Hub repository name from a dataset's: letters, digits and - _ . (no two in a row), at most 96. */
function repoName(name: string): string {
  const cleaned = name
    .replace(/[^\w.-]+/g, '-')
    .replace(/([-.])[-.]+/g, '$1')
    .slice(0, 96)
    .replace(/^[-.]+|[-.]+$/g, '');
  return cleaned || 'dataset';
}
