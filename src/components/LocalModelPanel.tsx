import type { ReactNode } from 'react';
import type { LocalModelState } from '../engine/llm/localModels';
import { localModelKey } from '../engine/llm/types';
import { engine } from '../engineClient';
import { useForm } from '../state/form';
import { useLocalModel } from '../state/localModel';
import { selectLocalProvider } from '../state/selectors';
import { ErrorAlert } from './Section';

/**
 * Loading the local model the form describes: what it takes before it starts
 * (`before`: download size, offline availability), progress while it downloads
 * and compiles, and how it runs once loaded. Run loads it too when needed.
 */
export function LocalModelPanel({ before }: { before: ReactNode }) {
  const selected = selectLocalProvider(useForm());
  const state = useLocalModel();
  const config = selected.ok ? selected.value : undefined;
  const problem = selected.ok ? undefined : selected.problem;
  const mine = config !== undefined && state.key === localModelKey(config);
  const status = mine ? state.status : 'none';
  const percent = state.progress === undefined ? undefined : Math.round(state.progress * 100);

  function load() {
    // A failure reaches the page through the model's watcher, as a run's load does.
    if (config) engine.loadModel(config).catch(() => {});
  }

  return (
    <div>
      {status === 'loading' ? (
        <div
          role="progressbar"
          aria-label="Model loading"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          className="progress"
        >
          <div className="bar" style={{ width: `${percent ?? 0}%` }} />
        </div>
      ) : (
        before
      )}
      <p role="status" aria-label="Model status" className="muted">
        {problem ?? statusText(status, state, mine)}
      </p>
      <div className="actions">
        {status === 'loading' || status === 'ready' ? (
          <button type="button" className="secondary" onClick={() => engine.unloadModel()}>
            {status === 'loading' ? 'Stop loading' : 'Unload model'}
          </button>
        ) : (
          <button type="button" disabled={!config} onClick={load}>
            Load model
          </button>
        )}
      </div>
      {status === 'failed' && <ErrorAlert error={state.error?.message} />}
    </div>
  );
}

function statusText(
  status: LocalModelState['status'],
  state: LocalModelState,
  mine: boolean,
): string {
  if (status === 'loading') return state.text ?? 'Loading…';
  if (status === 'ready') return `Loaded: ${state.name} · ${state.text}`;
  if (!mine && state.status === 'ready')
    return `Not loaded. ${state.name} is loaded now; loading this one unloads it.`;
  return 'Not loaded yet: it loads with Load model, or when a run starts.';
}
