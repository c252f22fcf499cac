import { useEffect, useState } from 'react';
import { engine } from '../engineClient';
import { chooseProvider, setLimits, setOpenAI, setSampling, useForm } from '../state/form';
import { HTTP1_CONNECTIONS_PER_HOST, requestsHeldBack } from './connectionLimit';
import { LimitsForm } from './LimitsForm';
import { LlamaCppForm } from './LlamaCppForm';
import { ModeField } from './ModeField';
import { NumberField } from './NumberField';
import { ErrorAlert, Section } from './Section';
import { clampInt } from './TaskSection';
import { WebLLMForm } from './WebLLMForm';

export function ModelSection() {
  const provider = useForm((s) => s.provider.selected);
  const chosen = useForm((s) => s.provider.chosen);

  // A first visit starts on this device: web-llm where there is WebGPU, else llama.cpp on the CPU.
  useEffect(() => {
    if (chosen) return;
    engine.detectWebGPU().then((gpu) => {
      if (!useForm.getState().provider.chosen) chooseProvider(gpu.available ? 'webllm' : 'wllama');
    });
  }, [chosen]);

  return (
    <Section step={3} title="Model">
      <label className="field">
        <span>Provider</span>
        <select
          value={provider}
          onChange={(e) => chooseProvider(e.target.value as typeof provider)}
        >
          <option value="webllm">WebGPU (web-llm)</option>
          <option value="wllama">llama.cpp (GGUF)</option>
          <option value="openai">OpenAI-compatible API</option>
        </select>
      </label>
      {provider === 'openai' && <OpenAIForm />}
      {provider === 'webllm' && <WebLLMForm />}
      {provider === 'wllama' && <LlamaCppForm />}
      <SamplingForm />
      <LimitsForm />
    </Section>
  );
}

function OpenAIForm() {
  const { baseURL, model, apiKey, rememberKey } = useForm((s) => s.provider.openai);
  const [listing, setListing] = useState(false);
  // What the endpoint listed, or why it could not: shown only while the address
  // and key it was asked with are still the ones in the form.
  const endpoint = `${baseURL} ${apiKey}`;
  const [listed, setListed] = useState<{ endpoint: string; models: string[]; error?: unknown }>();
  const { models, error } =
    listed?.endpoint === endpoint ? listed : { models: [] as string[], error: null };

  async function listModels() {
    setListed(undefined);
    setListing(true);
    try {
      const found = await engine.listModels({ baseURL, apiKey: apiKey || undefined });
      setListed({ endpoint, models: found });
      if (!model && found[0]) setOpenAI({ model: found[0] });
    } catch (failure) {
      setListed({ endpoint, models: [], error: failure });
    } finally {
      setListing(false);
    }
  }

  return (
    <>
      <p className="muted">
        Ollama, vLLM, llama.cpp server, LM Studio, OpenAI, OpenRouter, Groq… any server that speaks
        the OpenAI chat API.
      </p>
      <div className="field-row">
        <label className="field wide">
          <span>Base URL</span>
          <input
            type="url"
            value={baseURL}
            placeholder="http://localhost:11434/v1"
            onChange={(e) => setOpenAI({ baseURL: e.target.value.trim() })}
          />
        </label>
        <label className="field">
          <span>Model</span>
          <input
            list="model-list"
            value={model}
            placeholder="llama3.2"
            onChange={(e) => setOpenAI({ model: e.target.value.trim() })}
          />
          <datalist id="model-list">
            {models.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </label>
        <button
          type="button"
          className="secondary"
          onClick={listModels}
          disabled={listing || !baseURL}
        >
          {listing ? 'Listing…' : 'List models'}
        </button>
      </div>
      {models.length > 0 && <p className="muted">{models.length} models on this endpoint.</p>}
      <ErrorAlert error={error} />
      <div className="field-row">
        <label className="field">
          <span>API key</span>
          <input
            type="password"
            autoComplete="off"
            value={apiKey}
            placeholder="none for local servers"
            onChange={(e) => setOpenAI({ apiKey: e.target.value })}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={rememberKey}
            onChange={(e) => setOpenAI({ rememberKey: e.target.checked })}
          />
          <span>Remember the key in this browser</span>
        </label>
      </div>
      <ModeField />
    </>
  );
}

function SamplingForm() {
  const sampling = useForm((s) => s.sampling);
  const concurrency = useForm((s) => s.limits.concurrency);
  // Only live requests to a server hold connections: not models in the browser, not a batch.
  const heldBack = useForm(({ provider, limits }) =>
    provider.selected === 'openai' && provider.openai.mode !== 'batch'
      ? requestsHeldBack(provider.openai.baseURL, limits.concurrency)
      : 0,
  );
  return (
    <>
      <div className="field-row">
        <NumberField
          label="Temperature"
          min={0}
          max={2}
          step={0.1}
          value={sampling.temperature}
          onChange={(temperature) => setSampling({ temperature })}
        />
        <NumberField
          label="Max new tokens"
          min={1}
          value={sampling.maxTokens}
          onChange={(maxTokens) => setSampling({ maxTokens })}
        />
        <NumberField
          label="Seed"
          placeholder="random"
          value={sampling.seed}
          onChange={(seed) => setSampling({ seed })}
        />
        <NumberField
          label="Concurrency"
          min={1}
          max={256}
          value={concurrency}
          onChange={(v) => setLimits({ concurrency: clampInt(v ?? 1, 1, 256) })}
        />
      </div>
      {heldBack > 0 && (
        <p className="muted">
          The browser keeps at most {HTTP1_CONNECTIONS_PER_HOST} connections to a plain http://
          server: of these {concurrency} requests at once, {HTTP1_CONNECTIONS_PER_HOST} are in
          flight and {heldBack} wait their turn, so the run goes no faster than at Concurrency{' '}
          {HTTP1_CONNECTIONS_PER_HOST}. An HTTPS proxy speaking HTTP/2 in front of the server sends
          them all: see “Many requests at once to a local server” in Retort's README.
        </p>
      )}
    </>
  );
}
