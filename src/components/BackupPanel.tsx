import { useState } from 'react';
import { byteSize } from '../engine/bytes';
import type { RestoreSummary } from '../engine/db/backup';
import { callback, engine } from '../engineClient';
import { setData, useForm } from '../state/form';
import { ErrorAlert, Note } from './Section';
import { useCancellable } from './useCancellable';

type Work = { kind: 'backup' | 'restore'; done: number; total: number };

/**
 * Back up everything (every dataset, run, result and judgement) as one file,
 * and restore such a file, with progress and Cancel. A restore adds to what
 * is here and never replaces it: the engine says how (db/backup.ts).
 */
export function BackupPanel() {
  const [work, setWork] = useState<Work | null>(null);
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<unknown>(null);
  const command = useCancellable();

  /** Runs one command with progress; a cancelled one says so. */
  async function perform<T>(
    kind: Work['kind'],
    start: (onProgress: (done: number, total: number) => void, signal: AbortSignal) => Promise<T>,
  ): Promise<T | undefined> {
    setError(null);
    setNote(undefined);
    setWork({ kind, done: 0, total: 0 });
    // Progress can arrive after the command's own answer: ignore it then.
    let finished = false;
    const onProgress = (done: number, total: number) => {
      if (!finished) setWork({ kind, done, total });
    };
    try {
      const outcome = await command.start((signal) => start(callback(onProgress), signal));
      if (!outcome.cancelled) return outcome.value;
      setNote(kind === 'backup' ? 'Backup cancelled.' : 'Restore cancelled: nothing was restored.');
    } catch (failure) {
      setError(failure);
    } finally {
      finished = true;
      setWork(null);
    }
  }

  async function backUp() {
    const backup = await perform('backup', (onProgress, signal) =>
      engine.backUp(onProgress, signal),
    );
    if (!backup) return;
    const url = URL.createObjectURL(backup.file);
    Object.assign(document.createElement('a'), { href: url, download: backup.fileName }).click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    setNote(`Downloaded ${backup.fileName} (${byteSize(backup.file.size)}).`);
  }

  async function restore(file: File) {
    const summary = await perform('restore', (onProgress, signal) =>
      engine.restoreBackup(file, onProgress, signal),
    );
    if (!summary) return;
    setNote(restored(summary, file.name));
    if (!useForm.getState().data.datasetId && summary.datasetIds[0])
      setData({ datasetId: summary.datasetIds[0] });
  }

  return (
    <>
      <div className="actions">
        <button type="button" className="secondary" disabled={work !== null} onClick={backUp}>
          Back up everything
        </button>
        <label className="field">
          <span>Restore from backup</span>
          <input
            type="file"
            accept=".jsonl,.gz"
            disabled={work !== null}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void restore(file);
            }}
          />
        </label>
        {work && (
          <button type="button" className="secondary" onClick={command.cancel}>
            {work.kind === 'backup' ? 'Cancel backup' : 'Cancel restore'}
          </button>
        )}
      </div>
      {work && (
        <p className="muted" aria-live="polite">
          {work.kind === 'backup' ? 'Backing up' : 'Restoring'}…{' '}
          {work.total > 0 ? `${Math.floor((100 * work.done) / work.total)}%` : ''}
        </p>
      )}
      <ErrorAlert error={error} />
      <Note>{note}</Note>
    </>
  );
}

/** "Restored 2 datasets and 3 runs from x.jsonl. 1 of them ..." */
function restored({ datasetIds, runs, renamed }: RestoreSummary, fileName: string): string {
  const datasets = `${datasetIds.length} ${datasetIds.length === 1 ? 'dataset' : 'datasets'}`;
  const said = `Restored ${datasets} and ${runs} ${runs === 1 ? 'run' : 'runs'} from ${fileName}.`;
  if (renamed === 0) return said;
  const renaming =
    renamed === 1
      ? '1 of them had an id in use here, so it got a new one'
      : `${renamed} of them had ids in use here, so they got new ones`;
  return `${said} ${renaming}: nothing was replaced.`;
}
