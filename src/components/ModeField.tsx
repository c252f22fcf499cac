import type { RunMode } from '../engine/llm/types';
import { setOpenAI, useForm } from '../state/form';

/** How an OpenAI-compatible run sends its requests: live, or through the provider's Batch API. */
export function ModeField() {
  const mode = useForm((s) => s.provider.openai.mode ?? 'live');
  return (
    <>
      <label className="field">
        <span>Mode</span>
        <select value={mode} onChange={(e) => setOpenAI({ mode: e.target.value as RunMode })}>
          <option value="live">Live requests</option>
          <option value="batch">Batch API (cheaper, results within 24 hours)</option>
        </select>
      </label>
      {mode === 'batch' && (
        <p className="muted">
          The run uploads its requests as files to the Batch API (OpenAI's, or a server's with the
          same /files and /batches endpoints) and polls them while this page is open. Close it and
          come back later: the run collects what finished. Costs count at half the prices under
          Limits, retries and prices. Tasks that chain calls (Evol-Instruct, Magpie) need live
          requests.
        </p>
      )}
    </>
  );
}
