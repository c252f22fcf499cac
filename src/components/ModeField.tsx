import { ANTHROPIC_DEFAULT_MAX_TOKENS, batchApiOf, type RunMode } from '../engine/llm/types';
import { setOpenAI, useForm } from '../state/form';

/** How an OpenAI-compatible run sends its requests: live, or through the provider's Batch API. */
export function ModeField() {
  const {
    mode = 'live',
    baseURL,
    batchApi,
    apiKey,
    rememberKey,
  } = useForm((s) => s.provider.openai);
  const anthropic = batchApiOf(baseURL, batchApi) === 'anthropic';
  // Anthropic's own address needs no mark; another (a proxy) is marked by the person.
  const own = batchApiOf(baseURL, undefined) === 'anthropic';
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
        <>
          <label className="check">
            <input
              type="checkbox"
              checked={anthropic}
              disabled={own}
              onChange={(e) => setOpenAI({ batchApi: e.target.checked ? 'anthropic' : undefined })}
            />
            <span>Anthropic's Message Batches</span>
          </label>
          <p className="muted">
            {anthropic
              ? `The run sends its requests to Anthropic's Message Batches (always for api.anthropic.com; tick it for another address that speaks Anthropic's API), each with Max new tokens or ${ANTHROPIC_DEFAULT_MAX_TOKENS} when none is set.`
              : "The run uploads its requests as files to the Batch API (OpenAI's, or a server's with the same /files and /batches endpoints)."}{' '}
            It polls them while this page is open. Close it and come back later: the run collects
            what finished. Costs count at the batch prices under Limits, retries and prices. Tasks
            that chain calls (Evol-Instruct, Magpie) need live requests.
          </p>
          {apiKey && !rememberKey && (
            <p className="muted">
              The key is not remembered: after a reload the run stops for want of it. Type it again
              and press Resume to collect the batches, or tick Remember the key in this browser.
            </p>
          )}
        </>
      )}
    </>
  );
}
