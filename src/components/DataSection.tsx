import { type DragEvent, useState } from 'react';
import { listNames } from '../engine/names';
import { engine } from '../engineClient';
import { setData, useForm } from '../state/form';
import { freeBytes, importNeeds, readStorage } from '../state/storage';
import { BackupPanel } from './BackupPanel';
import { DeleteDataset } from './DeleteDataset';
import { rowCount } from './format';
import { HubImport } from './HubImport';
import { ImportProgress, useImport } from './ImportProgress';
import { useDataset, useDatasets, useFirstRows } from './queries';
import { RowsTable } from './RowsTable';
import { ErrorAlert, Note, Section } from './Section';
import { StorageStatus, storedSize } from './StorageStatus';

const ACCEPTED = '.csv,.json,.jsonl,.ndjson,.parquet';
/** Five instructions that ship with the app, for a first try. */
const SAMPLE_URL = `${import.meta.env.BASE_URL}sample-instructions.csv`;

export function DataSection() {
  const datasets = useDatasets();
  const datasetId = useForm((s) => s.data.datasetId);
  const dataset = useDataset(datasetId);
  const rows = useFirstRows(datasetId, 5);
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<unknown>(null);
  const { importing, run, cancel } = useImport({ setError, setNote });
  const [dragging, setDragging] = useState(false);
  // A file that may not fit, waiting for the person to import it anyway or not.
  const [tooLarge, setTooLarge] = useState<{ file: File; needs: number; free: number }>();

  /** Imports the file, unless it may not fit: then the person is asked first. */
  async function chooseFile(file: File) {
    setTooLarge(undefined);
    // Read now, not from the last refresh: another tab may have stored much since.
    const storage = await readStorage().catch(() => undefined);
    const free = storage && freeBytes(storage);
    const needs = importNeeds(file);
    if (free !== undefined && needs > free) setTooLarge({ file, needs, free });
    else await importOne(file);
  }

  function importOne(file: File) {
    setTooLarge(undefined);
    return run(file.name, (onProgress, signal) => engine.importFile(file, onProgress, signal));
  }

  async function importSample() {
    setError(null);
    try {
      const response = await fetch(SAMPLE_URL);
      if (!response.ok)
        throw new Error(`The sample file could not be read (HTTP ${response.status}).`);
      await chooseFile(new File([await response.blob()], 'sample-instructions.csv'));
    } catch (failure) {
      setError(failure);
    }
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void chooseFile(file);
  }

  return (
    <Section step={1} title="Data">
      <label
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <span>
          Drop a CSV, JSON, JSONL or Parquet file of rows here, or{' '}
          <span className="link">choose a file</span>.
        </span>
        <input
          type="file"
          className="visually-hidden"
          aria-label="Import dataset"
          accept={ACCEPTED}
          disabled={importing !== null}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void chooseFile(file);
          }}
        />
      </label>
      <HubImport />
      <ImportProgress importing={importing} onCancel={cancel} />
      <Note>{note}</Note>
      {tooLarge && (
        <div className="alert" role="alert">
          <p>
            “{tooLarge.file.name}” ({storedSize(tooLarge.file.size)}) may need about{' '}
            {storedSize(tooLarge.needs)} here, and this browser has {storedSize(tooLarge.free)} left
            for Retort. If the space runs out, the import stops and stores nothing.
          </p>
          <div className="actions">
            <button type="button" onClick={() => importOne(tooLarge.file)}>
              Import anyway
            </button>
            <button type="button" className="secondary" onClick={() => setTooLarge(undefined)}>
              Don’t import
            </button>
          </div>
        </div>
      )}
      <ErrorAlert error={error} />
      {datasets?.length === 0 && !importing && (
        <p className="muted">
          No data yet.{' '}
          <button type="button" className="secondary" onClick={importSample}>
            Try the sample file
          </button>{' '}
          (five instructions) to see the whole flow.
        </p>
      )}
      {datasets && datasets.length > 0 && (
        <div className="field-row">
          <label className="field">
            <span>Dataset</span>
            <select
              value={datasetId ?? ''}
              onChange={(e) => setData({ datasetId: e.target.value || undefined })}
            >
              <option value="">Choose a dataset…</option>
              {datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} ({rowCount(d.rowCount)})
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      <DeleteDataset dataset={dataset} />
      {dataset && rows && (
        <>
          <p className="muted">
            {rowCount(dataset.rowCount)} · columns: {listNames(dataset.columns)}
          </p>
          <RowsTable
            caption={`First rows of ${dataset.name}`}
            columns={dataset.columns}
            rows={rows}
          />
        </>
      )}
      <StorageStatus hasData={(datasets?.length ?? 0) > 0} />
      <BackupPanel />
    </Section>
  );
}
