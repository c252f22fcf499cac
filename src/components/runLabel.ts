import type { Run } from '../engine/db/schema';
import { taskLabel } from '../tasks';

/** How a run is named in lists: the person's name, else its task; then model and time. */
export function runLabel(run: Run): string {
  const when = new Date(run.created).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
  return `${run.name ?? taskLabel(run.taskId)} · ${run.provider.model} · ${when}`;
}
