import { useState } from 'react';
import { byteSize } from '../engine/bytes';
import type { Dataset } from '../engine/db/schema';
import { callback } from '../engineClient';
import { setData } from '../state/form';
import { askToKeepDataOnce } from '../state/storage';
import { rowCount } from './format';
import { useCancellable } from './useCancellable';

/** An import under way, from a file, the Hub or a URL: what it has read so far. */
export interface ImportProgressState {
  name: string;
  rows: number;
  /** Bytes read, when the source says. */
  bytes?: number;
}

/** The line an import shows while it runs, with its Cancel import button. */
export function ImportProgress({
  importing,
  onCancel,
}: {
  importing: ImportProgressState | null;
  onCancel: () => void;
}) {
  if (!importing) return null;
  return (
    <div className="actions">
      <p className="muted" aria-live="polite">
        Importing {importing.name}… {rowCount(importing.rows)} so far
        {importing.bytes ? ` (${byteSize(importing.bytes)} read)` : ''}.
      </p>
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel import
      </button>
    </div>
  );
}

/** Hears the rows (and bytes) an import has read so far. */
export type ImportProgressCallback = (rows: number, bytes?: number) => void;

/**
 * Runs imports from a file, the Hub or a URL the same way: progress while it
 * reads, Cancel, the new dataset selected (and persistent storage asked for
 * once), a cancel or an error told through `report`.
 */
export function useImport(report: {
  setError: (error: unknown) => void;
  setNote: (note: string | undefined) => void;
}) {
  const [importing, setImporting] = useState<ImportProgressState | null>(null);
  const command = useCancellable();

  async function run(
    name: string,
    start: (onProgress: ImportProgressCallback, signal: AbortSignal) => Promise<Dataset>,
  ): Promise<void> {
    report.setError(null);
    report.setNote(undefined);
    setImporting({ name, rows: 0 });
    // Progress can arrive after the import's own answer: ignore it then.
    let finished = false;
    const onProgress = (rows: number, bytes?: number) => {
      if (!finished) setImporting({ name, rows, bytes });
    };
    try {
      const outcome = await command.start((signal) => start(callback(onProgress), signal));
      if (outcome.cancelled) report.setNote(`Import of ${name} cancelled: nothing was stored.`);
      else {
        setData({ datasetId: outcome.value.id });
        askToKeepDataOnce();
      }
    } catch (failure) {
      report.setError(failure);
    } finally {
      finished = true;
      setImporting(null);
    }
  }

  return { importing, run, cancel: command.cancel };
}
