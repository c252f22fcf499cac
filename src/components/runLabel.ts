import type { Run } from '../engine/db/schema';
import type { ProviderConfig } from '../engine/llm/types';
import { taskLabel } from '../tasks';

/** How a run is named in lists: the person's name, else its task; then model and time. */
export function runLabel(run: Run): string {
  const when = new Date(run.created).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
  return `${run.name ?? taskLabel(run.taskId)} · ${run.provider.model} · ${when}`;
}

/** The model a run talks to: its id, and the address of a remote one. */
export function describeProvider(provider: ProviderConfig): string {
  return provider.provider === 'openai'
    ? `${provider.model} at ${provider.baseURL}`
    : provider.model;
}
