import { type DragEvent, useEffect, useState } from 'react';
import { byteSize } from '../engine/bytes';
import { isFetchFailure } from '../engine/errors';
import type { GgufStatus } from '../engine/llm/localModels';
import type { ModelSource } from '../engine/llm/types';
import { engine } from '../engineClient';
import { type GgufForm, setGguf, setWllama, useForm } from '../state/form';
import { useLocalModel } from '../state/localModel';
import { selectLocalProvider } from '../state/selectors';
import { LocalModelPanel } from './LocalModelPanel';
import { ErrorAlert } from './Section';
import { clampInt } from './TaskSection';

type RemoteSource = Exclude<ModelSource, { kind: 'file' }>;

/** llama.cpp (wllama): a GGUF from the Hugging Face Hub, a URL or this device. */
export function LlamaCppForm() {
  const form = useForm();
  const { gguf, contextSize, threads } = form.provider.wllama;
  const { sampling } = form;
  const { concurrency } = form.limits;
  const [dragging, setDragging] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // What to download, when the form names it (the panel below says what is missing otherwise).
  const config = selectLocalProvider(form);
  const remote: RemoteSource | undefined =
    config.ok && config.value.provider === 'wllama' && config.value.source.kind !== 'file'
      ? config.value.source
      : undefined;

  async function pick(file: File | undefined) {
    if (!file) return;
    setError(null);
    try {
      await engine.addModelFile(file);
      setGguf({ kind: 'file', fileName: file.name });
      // Reading a file is quick, so it loads at once: a file that is no model is caught before any run.
      const picked = selectLocalProvider(useForm.getState());
      // A failure reaches the page through the model's watcher.
      if (picked.ok) engine.loadModel(picked.value).catch(() => {});
    } catch (failure) {
      setError(failure);
    }
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    void pick(event.dataTransfer.files[0]);
  }

  return (
    // The whole form takes a dropped file, whatever the source shown.
    <fieldset
      aria-label="llama.cpp model"
      style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <p className="muted">
        llama.cpp, compiled to WebAssembly, runs a GGUF model on this device: on the GPU when WebGPU
        offers shader-f16, else on the CPU. You can drop a .gguf file here.
      </p>
      <div className="field-row">
        <label className="field">
          <span>Source</span>
          <select
            value={gguf.kind}
            onChange={(e) => setGguf({ kind: e.target.value as GgufForm['kind'] })}
          >
            <option value="hf">Hugging Face Hub</option>
            <option value="url">Web address</option>
            <option value="file">File on this device</option>
          </select>
        </label>
        {gguf.kind === 'hf' && (
          <>
            <label className="field">
              <span>Repository</span>
              <input
                size={34}
                value={gguf.repo}
                placeholder="owner/name"
                onChange={(e) => setGguf({ repo: e.target.value.trim() })}
              />
            </label>
            <label className="field">
              <span>GGUF file</span>
              <input
                size={34}
                value={gguf.file}
                placeholder="model-q4_k_m.gguf"
                onChange={(e) => setGguf({ file: e.target.value.trim() })}
              />
            </label>
          </>
        )}
        {gguf.kind === 'url' && (
          <label className="field wide">
            <span>Model URL</span>
            <input
              type="url"
              value={gguf.url}
              placeholder="https://example.org/model.gguf"
              onChange={(e) => setGguf({ url: e.target.value.trim() })}
            />
          </label>
        )}
      </div>
      {gguf.kind === 'file' && (
        <label className={`dropzone${dragging ? ' dragging' : ''}`}>
          <span>
            {gguf.fileName ? `${gguf.fileName}. ` : ''}Drop a .gguf file here, or{' '}
            <span className="link">choose one</span>. It is read from this device and never
            uploaded; pick it again after a reload.
          </span>
          <input
            type="file"
            className="visually-hidden"
            aria-label="Model file"
            accept=".gguf"
            onChange={(e) => {
              void pick(e.target.files?.[0]);
              e.target.value = '';
            }}
          />
        </label>
      )}
      <ErrorAlert error={error} />
      <div className="field-row">
        <label className="field narrow">
          <span>Context size</span>
          <input
            type="number"
            min={256}
            max={131072}
            step={256}
            value={contextSize}
            onChange={(e) =>
              setWllama({ contextSize: clampInt(e.target.valueAsNumber, 256, 131072) })
            }
          />
        </label>
        <label className="field narrow">
          <span>Threads</span>
          <input
            type="number"
            min={1}
            max={navigator.hardwareConcurrency || 1}
            value={threads}
            onChange={(e) =>
              setWllama({
                threads: clampInt(e.target.valueAsNumber, 1, navigator.hardwareConcurrency || 1),
              })
            }
          />
        </label>
      </div>
      {sampling.seed !== undefined && concurrency > 1 && (
        <p className="muted">
          llama.cpp batches requests served at once, which changes the last digits of its
          arithmetic: a seed gives the very same texts again only with Concurrency 1.
        </p>
      )}
      {!crossOriginIsolated && (
        <p className="muted">
          This page is not cross-origin isolated, so llama.cpp runs on one thread. The host must
          send the COOP and COEP headers (see the README).
        </p>
      )}
      <LocalModelPanel before={remote && <DownloadLine source={remote} />} />
    </fieldset>
  );
}

/** Before a download: how big it is, or that the browser has the model already. */
function DownloadLine({ source }: { source: RemoteSource }) {
  const loaded = useLocalModel((s) => s.status === 'ready');
  const [status, setStatus] = useState<GgufStatus>();
  const [deletions, setDeletions] = useState(0);
  const key = JSON.stringify(source);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the source; read again after a load or a deletion
  useEffect(() => {
    let current = true;
    setStatus(undefined);
    // Waits for typing to pause before asking the server.
    const timer = setTimeout(() => {
      engine.ggufStatus(source).then(
        (found) => current && setStatus(found),
        (error: Error) => current && setStatus({ offline: false, error: error.message }),
      );
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [key, loaded, deletions]);

  async function remove() {
    const config = selectLocalProvider(useForm.getState());
    if (config.ok) await engine.deleteCachedModel(config.value);
    setDeletions((n) => n + 1);
  }

  if (!status) return <p className="muted">Checking the download size…</p>;
  if (status.offline)
    return (
      <p className="muted">
        Available offline: this browser keeps it ({byteSize(status.bytes ?? 0)}).{' '}
        <button type="button" className="secondary" onClick={remove}>
          Delete from this browser
        </button>
      </p>
    );
  if (status.error)
    return (
      <p className="muted">
        Could not learn the download size ({unreachable(status.error)}). Loading downloads the
        model, which needs the network.
      </p>
    );
  return (
    <p className="muted">
      Downloads {status.bytes ? byteSize(status.bytes) : 'the model'} once; the browser keeps it, so
      later runs need no network.
    </p>
  );
}

/** fetch's "Failed to fetch" in words: offline, or the server is unreachable or refuses this page. */
function unreachable(reason: string): string {
  return isFetchFailure(reason)
    ? 'offline, or the server cannot be reached from this page'
    : reason;
}
