import { useState } from 'react';
import type { Run } from '../../engine/db/schema';
import type { ExportFormat, ExportShape } from '../../engine/io/exportRun';
import { callback, engine } from '../../engineClient';
import { setExportAs, useReview } from '../../state/review';
import { ErrorAlert, Note } from '../Section';
import { useCancellable } from '../useCancellable';
import { useScoped } from '../useScoped';
import { PipelineExport } from './PipelineExport';

const FORMAT_NAMES: Record<ExportFormat, string> = {
  csv: 'CSV',
  jsonl: 'JSONL',
  parquet: 'Parquet',
};

/**
 * Downloads of the selected run: its rows as made (with the person's edits and
 * ratings), or reshaped for a trainer; with progress and Cancel.
 */
export function ExportPanel({ run }: { run: Run }) {
  const [exporting, setExporting] = useState<{ format: ExportFormat; rows: number } | null>(null);
  const shape = useReview((s) => s.exportAs);
  const [onlyGood, setOnlyGood] = useState(false);
  // A refusal, or what the last download left out (ties, missing ratings...):
  // true of this run and these choices only.
  const scope = `${run.id}|${shape}|${onlyGood}`;
  const [error, setError] = useScoped<unknown>(scope);
  const [note, setNote] = useScoped<string>(scope);
  const command = useCancellable();

  async function download(format: ExportFormat) {
    setError(null);
    setNote(undefined);
    setExporting({ format, rows: 0 });
    // Progress can arrive after the export's own answer: ignore it then.
    let finished = false;
    const onProgress = (rows: number) => {
      if (!finished) setExporting({ format, rows });
    };
    try {
      const outcome = await command.start((signal) =>
        engine.exportRun(run.id, { format, shape, onlyGood }, callback(onProgress), signal),
      );
      if (outcome.cancelled) return setNote('Export cancelled.');
      const { file, fileName, skipped } = outcome.value;
      if (skipped) setNote(`Downloaded. ${skipped}`);
      const url = URL.createObjectURL(file);
      const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (failure) {
      setError(failure);
    } finally {
      finished = true;
      setExporting(null);
    }
  }

  return (
    <>
      <div className="actions">
        <label className="field">
          <span>Export as</span>
          <select value={shape} onChange={(e) => setExportAs(e.target.value as ExportShape)}>
            <option value="rows">Rows as the run made them</option>
            <option value="dpo">DPO pairs (prompt, chosen, rejected)</option>
            <option value="sft">SFT conversations (prompt, messages)</option>
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={onlyGood}
            onChange={(e) => setOnlyGood(e.target.checked)}
          />
          <span>Only rows rated good</span>
        </label>
        {(['csv', 'jsonl', 'parquet'] as const).map((format) => (
          <button
            key={format}
            type="button"
            className="secondary"
            disabled={exporting !== null}
            onClick={() => download(format)}
          >
            Export {FORMAT_NAMES[format]}
          </button>
        ))}
        {exporting && (
          <button type="button" className="secondary" onClick={command.cancel}>
            Cancel export
          </button>
        )}
        <PipelineExport run={run} onError={setError} onNote={setNote} />
      </div>
      {exporting && (
        <p className="muted" aria-live="polite">
          Writing the {FORMAT_NAMES[exporting.format]} file… {exporting.rows.toLocaleString()} rows
          so far.
        </p>
      )}
      <ErrorAlert error={error} />
      <Note>{note}</Note>
    </>
  );
}
