import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import type { Run } from '../engine/db/schema';
import type { ExportFormat, ExportShape } from '../engine/io/exportRun';
import { runColumns, runOutputRows } from '../engine/run/outputRows';
import type { Row } from '../engine/task';
import { engine } from '../engineClient';
import { useForm } from '../state/form';
import { ChainPanel } from './ChainPanel';
import { useLatestRun } from './queries';
import { RowsTable } from './RowsTable';
import { ErrorAlert, Section } from './Section';

const PREVIEW_ROWS = 10;

export function ResultsSection() {
  const datasetId = useForm((s) => s.datasetId);
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
  const preview = useLiveQuery(() => firstOutputRows(run), [run.id, run.updated]);
  const [error, setError] = useState<unknown>(null);
  const [exporting, setExporting] = useState<ExportFormat | null>(null);
  const [shape, setShape] = useState<ExportShape>('rows');
  // Rows a training format left out of the last download (ties, missing ratings...).
  const [skipped, setSkipped] = useState<string>();

  async function download(format: ExportFormat) {
    setError(null);
    setSkipped(undefined);
    setExporting(format);
    try {
      const { blob, fileName, skipped } = await engine.exportRun(run.id, format, shape);
      setSkipped(skipped);
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
            Export {format === 'csv' ? 'CSV' : format === 'jsonl' ? 'JSONL' : 'Parquet'}
          </button>
        ))}
      </div>
      <ErrorAlert error={error} />
      {skipped && (
        <p className="muted" role="status">
          Downloaded. {skipped}
        </p>
      )}
      {preview && preview.rows.length > 0 && (
        <RowsTable caption="First results" columns={preview.columns} rows={preview.rows} />
      )}
      <ChainPanel run={run} />
    </>
  );
}

async function firstOutputRows(run: Run): Promise<{ columns: string[]; rows: Row[] }> {
  const rows: Row[] = [];
  for await (const batch of runOutputRows(run, { limitRows: PREVIEW_ROWS })) rows.push(...batch);
  const columns = (await runColumns(run)).filter((c) => c !== 'distilabel_metadata');
  return { columns, rows: rows.slice(0, PREVIEW_ROWS) };
}
