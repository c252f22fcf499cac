import { useState } from 'react';
import type { HubDataset } from '../engine/hub/datasets';
import { engine } from '../engineClient';
import { hubAccess } from '../state/hub';
import { HubSettings } from './HubSettings';
import { ImportProgress, useImport } from './ImportProgress';
import { NumberField } from './NumberField';
import { ErrorAlert, Note } from './Section';

/**
 * Datasets from elsewhere: a config and split of a Hugging Face Hub dataset
 * (all its rows, or the first N for a first look), or a CSV, JSON Lines or
 * Parquet file at a URL. Either import shows progress, can be cancelled, and
 * selects the new dataset.
 */
export function HubImport() {
  const [typedId, setTypedId] = useState('');
  const [found, setFound] = useState<HubDataset>();
  const [config, setConfig] = useState('');
  const [split, setSplit] = useState('');
  const [rowLimit, setRowLimit] = useState<number>();
  const [url, setUrl] = useState('');
  const [finding, setFinding] = useState(false);
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<unknown>(null);
  const { importing, run, cancel } = useImport({ setError, setNote });
  const splits = found?.configs.find((c) => c.name === config)?.splits ?? [];

  async function find() {
    setError(null);
    setFound(undefined);
    setFinding(true);
    try {
      const dataset = await engine.hubDataset(hubAccess(), typedId);
      setFound(dataset);
      pickConfig(dataset, dataset.configs[0].name);
    } catch (failure) {
      setError(failure);
    } finally {
      setFinding(false);
    }
  }

  function pickConfig(dataset: HubDataset, name: string) {
    setConfig(name);
    const names = dataset.configs.find((c) => c.name === name)?.splits ?? [];
    setSplit(names.includes('train') ? 'train' : names[0]);
  }

  function importFromHub() {
    if (!found) return;
    const request = { dataset: found.id, config, split, rowLimit };
    void run(`${found.id}/${config}/${split}`, (onProgress, signal) =>
      engine.importFromHub(hubAccess(), request, onProgress, signal),
    );
  }

  function importFromUrl() {
    void run(url.trim(), (onProgress, signal) =>
      engine.importFromUrl(hubAccess(), url, onProgress, signal),
    );
  }

  const busy = importing !== null;
  return (
    <details className="more">
      <summary>From the Hugging Face Hub or a URL</summary>
      <HubSettings />
      <div className="field-row">
        <label className="field">
          <span>Hub dataset</span>
          <input
            value={typedId}
            placeholder="owner/name"
            spellCheck={false}
            onChange={(e) => {
              setTypedId(e.target.value);
              setFound(undefined);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && typedId.trim() && !finding) void find();
            }}
          />
        </label>
        <button
          type="button"
          className="secondary"
          disabled={!typedId.trim() || finding || busy}
          onClick={find}
        >
          Find dataset
        </button>
      </div>
      {found && (
        <div className="field-row">
          <label className="field">
            <span>Config</span>
            <select value={config} onChange={(e) => pickConfig(found, e.target.value)}>
              {found.configs.map((c) => (
                <option key={c.name}>{c.name}</option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Split</span>
            <select value={split} onChange={(e) => setSplit(e.target.value)}>
              {splits.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
          <NumberField
            label="Row limit"
            value={rowLimit}
            min={1}
            placeholder="every row"
            onChange={setRowLimit}
          />
          <button type="button" disabled={busy} onClick={importFromHub}>
            Import from Hub
          </button>
        </div>
      )}
      <div className="field-row">
        <label className="field">
          <span>Dataset URL</span>
          <input
            type="url"
            value={url}
            placeholder="https://…/rows.csv, .jsonl or .parquet"
            spellCheck={false}
            onChange={(e) => setUrl(e.target.value)}
          />
        </label>
        <button type="button" disabled={!url.trim() || busy} onClick={importFromUrl}>
          Import from URL
        </button>
      </div>
      <ImportProgress importing={importing} onCancel={cancel} />
      <Note>{note}</Note>
      <ErrorAlert error={error} />
    </details>
  );
}
