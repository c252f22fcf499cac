import { useEffect, useState } from 'react';
import { byteSize } from '../engine/bytes';
import type { WebLLMCatalog } from '../engine/llm/localModels';
import { engine } from '../engineClient';
import { chooseProvider, setWebLLM, useForm } from '../state/form';
import { useLocalModel } from '../state/localModel';
import { LocalModelPanel } from './LocalModelPanel';
import { ErrorAlert } from './Section';

type Option = WebLLMCatalog['models'][number];

/** web-llm: a model from its prebuilt list, run on this device's GPU. */
export function WebLLMForm() {
  const model = useForm((s) => s.provider.webllm.model);
  const loaded = useLocalModel((s) => s.status === 'ready');
  const [catalog, setCatalog] = useState<WebLLMCatalog>();
  const [error, setError] = useState<unknown>(null);
  const [deletions, setDeletions] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: read again after a load or a deletion, so the "in this browser" marks are current
  useEffect(() => {
    engine.webllmCatalog().then(setCatalog, setError);
  }, [loaded, deletions]);

  // A newcomer starts from a small instruct model this GPU can run.
  useEffect(() => {
    if (!catalog?.defaultModel) return;
    const current = catalog.models.find((m) => m.id === model);
    if (!current || current.disabledReason) setWebLLM({ model: catalog.defaultModel });
  }, [catalog, model]);

  if (error) return <ErrorAlert error={error} />;
  if (!catalog) return <p className="muted">Looking for a WebGPU adapter…</p>;
  if (!catalog.gpu.available) return <NoWebGPU reason={catalog.gpu.reason} />;

  const selected = catalog.models.find((m) => m.id === model);
  const needF16 = catalog.models.filter((m) => m.disabledReason).length;
  async function remove() {
    await engine.deleteCachedModel({ provider: 'webllm', model });
    setDeletions((n) => n + 1);
  }
  return (
    <>
      <label className="field wide">
        <span>Model</span>
        <select value={model} onChange={(e) => setWebLLM({ model: e.target.value })}>
          {catalog.models.map((m) => (
            <option key={m.id} value={m.id} disabled={!!m.disabledReason} title={m.disabledReason}>
              {optionLabel(m)}
            </option>
          ))}
        </select>
      </label>
      {needF16 > 0 && (
        <p className="muted">
          {needF16} models are greyed out: they need the shader-f16 GPU feature, which this GPU
          lacks. Their q4f32 variants run here.
        </p>
      )}
      <LocalModelPanel
        before={
          selected?.cached ? (
            <p className="muted">
              In this browser: loads without network.{' '}
              <button type="button" className="secondary" onClick={remove}>
                Delete from this browser
              </button>
            </p>
          ) : (
            selected && (
              <p className="muted">
                Downloads {selected.downloadMB ? `about ${size(selected.downloadMB)}` : 'once'}
                {selected.vramMB ? ` and needs about ${size(selected.vramMB)} of GPU memory` : ''}.
                The browser keeps it, so later runs need no network.
              </p>
            )
          )
        }
      />
    </>
  );
}

function NoWebGPU({ reason }: { reason?: string }) {
  return (
    <div role="alert" className="alert">
      <p>
        {reason} web-llm needs WebGPU. llama.cpp runs GGUF models on the CPU in any browser instead.
      </p>
      <button type="button" onClick={() => chooseProvider('wllama')}>
        Use llama.cpp (GGUF) instead
      </button>
    </div>
  );
}

function optionLabel(m: Option): string {
  const parts = [m.id];
  if (m.downloadMB) parts.push(`${size(m.downloadMB)} download`);
  if (m.vramMB) parts.push(`${size(m.vramMB)} GPU memory`);
  if (m.cached) parts.push('in this browser');
  if (m.disabledReason) parts.push('needs shader-f16');
  return parts.join(' · ');
}

/** web-llm's catalog gives sizes in MB. */
function size(mb: number): string {
  return byteSize(mb * 2 ** 20);
}
