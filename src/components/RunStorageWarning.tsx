import { useForm } from '../state/form';
import { selectTaskSpec } from '../state/selectors';
import { freeBytes, runNeeds, useStorage } from '../state/storage';
import { useDataset } from './queries';
import { storedSize } from './StorageStatus';

/** Max new tokens where the form leaves it empty: what the engine's estimate assumes. */
const DEFAULT_MAX_TOKENS = 256;

/**
 * Before a run: a warning when its results, every answer as long as Max new
 * tokens allows, may not fit in what the browser leaves for Retort.
 */
export function RunStorageWarning({ datasetId }: { datasetId: string | undefined }) {
  const dataset = useDataset(datasetId);
  const numGenerations = useForm((s) => selectTaskSpec(s).settings.numGenerations);
  const maxTokens = useForm((s) => s.sampling.maxTokens) ?? DEFAULT_MAX_TOKENS;
  const free = useStorage(freeBytes);
  if (!dataset || free === undefined) return null;
  const generations = dataset.rowCount * numGenerations;
  const needs = runNeeds(generations, maxTokens);
  if (needs <= free) return null;
  return (
    <p className="alert" role="alert">
      This run’s results may need up to {storedSize(needs)} ({generations.toLocaleString()}{' '}
      generations of up to {maxTokens.toLocaleString()} tokens), and this browser has{' '}
      {storedSize(free)} left for Retort. A run that runs out of space stops, keeping what it made.
      Lower Max new tokens or Generations per row, or delete datasets you no longer need.
    </p>
  );
}
