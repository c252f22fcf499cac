import type { Run } from '../../engine/db/schema';
import { pipelineOfRun } from '../../export/distilabel/ofRun';
import { useReview } from '../../state/review';
import { downloadFile } from '../download';
import { useLineage } from '../queries';

/**
 * Export distilabel pipeline: the selected run, after the runs that made its
 * dataset, as a Python file that makes the same dataset with distilabel, on
 * this machine or a Ray cluster. Says what the file needs before it runs.
 */
export function PipelineExport({
  run,
  onError,
  onNote,
}: {
  run: Run;
  onError: (error: unknown) => void;
  onNote: (note: string | undefined) => void;
}) {
  const lineage = useLineage(run.datasetId);
  const exportAs = useReview((s) => s.exportAs);
  const start = lineage?.start;

  function download() {
    if (!lineage || !start) return;
    onError(null);
    onNote(undefined);
    try {
      const { fileName, text } = pipelineOfRun(run, { made: lineage.made, start }, exportAs);
      downloadFile(new Blob([text], { type: 'text/x-python' }), fileName);
      const placeholders = text.match(/PLACEHOLDER:/g)?.length ?? 0;
      onNote(
        placeholders === 0
          ? `Downloaded ${fileName}.`
          : `Downloaded ${fileName}: ${placeholders === 1 ? 'one place marked PLACEHOLDER needs' : `${placeholders} places marked PLACEHOLDER need`} something from you before it runs.`,
      );
    } catch (failure) {
      onError(failure);
    }
  }

  return (
    <button type="button" className="secondary" disabled={!start} onClick={download}>
      Export distilabel pipeline
    </button>
  );
}
