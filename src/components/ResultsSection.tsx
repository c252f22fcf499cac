import { useState } from 'react';
import type { Run } from '../engine/db/schema';
import type { ExportFormat, ExportShape } from '../engine/io/exportRun';
import { engine } from '../engineClient';
import { useForm } from '../state/form';
import { ChainPanel } from './ChainPanel';
import { useFirstOutputRows, useLatestRun } from './queries';
import { RowsTable } from './RowsTable';
import { ErrorAlert, Section } from './Section';
import { useCancellable } from './useCancellable';

const PREVIEW_ROWS = 10;

const FORMAT_NAMES: Record<ExportFormat, string> = {
  csv: 'CSV',
  jsonl: 'JSONL',
  parquet: 'Parquet',
};

export function ResultsSection() {
  const datasetId = useForm((s) => s.data.datasetId);
  const run = useLatestRun(datasetId);
  return (
    <Section step={5} title="Results">
      {run ? (
        <RunResults run={run} />
      ) : (
        <p className="muted">Results appear here as the run produces them.</p>
      )}
    </Section>
  );
}

function RunResults({ run }: { run: Run }) {
  const preview = useFirstOutputRows(run, PREVIEW_ROWS);
  const [error, setError] = useState<unknown>(null);
  const [exporting, setExporting] = useState<ExportFormat | null>(null);
  const [shape, setShape] = useState<ExportShape>('rows');
  // What the last download left out (ties, missing ratings...), or that it was cancelled.
  const [note, setNote] = useState<string>();
  const command = useCancellable();

  async function download(format: ExportFormat) {
    setError(null);
    setNote(undefined);
    setExporting(format);
    try {
      const outcome = await command.start((signal) =>
        engine.exportRun(run.id, format, shape, signal),
      );
      if (outcome.cancelled) return setNote('Export cancelled.');
      const { blob, fileName, skipped } = outcome.value;
      if (skipped) setNote(`Downloaded. ${skipped}`);
      const url = URL.createObjectURL(blob);
      const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (failure) {
      setError(failure);
    } finally {
      setExporting(null);
    }
  }

  return (
    <>
      <div className="actions">
        <label className="field">
          <span>Export as</span>
          <select value={shape} onChange={(e) => setShape(e.target.value as ExportShape)}>
            <option value="rows">Rows as the run made them</option>
            <option value="dpo">DPO pairs (prompt, chosen, rejected)</option>
            <option value="sft">SFT conversations (prompt, messages)</option>
          </select>
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
      </div>
      {exporting && (
        <p className="muted" aria-live="polite">
          Writing the {FORMAT_NAMES[exporting]} file…
        </p>
      )}
      <ErrorAlert error={error} />
      {note && (
        <p className="muted" role="status">
          {note}
        </p>
      )}
      {preview && preview.rows.length > 0 && (
        <RowsTable caption="First results" columns={preview.columns} rows={preview.rows} />
      )}
      <ChainPanel run={run} />
    </>
  );
}
