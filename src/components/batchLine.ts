import type { Run } from '../engine/db/schema';
import { formatDuration } from './format';

/**
 * The batches of a batch-mode run still at the provider, in words:
 * "Batch batch_abc: 320 of 500 done · polling every 30 s". Undefined when none is.
 */
export function batchLine(run: Pick<Run, 'batches' | 'status'>): string | undefined {
  const open = run.batches?.filter((job) => !job.collected) ?? [];
  if (open.length === 0) return undefined;
  return open
    .map(({ id, status, requestCounts, pollMs }) => {
      const counts = requestCounts
        ? `${requestCounts.completed.toLocaleString()} of ${requestCounts.total.toLocaleString()} done`
        : status;
      const failed = requestCounts?.failed
        ? `, ${requestCounts.failed.toLocaleString()} failed`
        : '';
      const polling =
        run.status === 'running' && pollMs !== undefined
          ? ` · polling every ${formatDuration(pollMs / 1000)}`
          : '';
      return `Batch ${id}: ${counts}${failed}${polling}`;
    })
    .join('; ');
}
