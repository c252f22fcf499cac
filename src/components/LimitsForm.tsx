import { setLimits, setPricing, useForm } from '../state/form';
import { NumberField } from './NumberField';

/** Only positive numbers are limits or prices; anything else means "none". */
const positive = (value: number | undefined) =>
  value !== undefined && value > 0 ? value : undefined;

/** Rate limits, timeouts and prices: folded away, as the defaults suit local servers. */
export function LimitsForm() {
  const limits = useForm((s) => s.limits);
  const { pricing } = limits;
  return (
    <details className="more">
      <summary>Limits, retries and prices</summary>
      <div className="field-row">
        <NumberField
          label="Requests per minute"
          min={1}
          placeholder="no limit"
          value={limits.requestsPerMinute}
          onChange={(v) => setLimits({ requestsPerMinute: positive(v) })}
        />
        <NumberField
          label="Tokens per minute"
          min={1}
          placeholder="no limit"
          value={limits.tokensPerMinute}
          onChange={(v) => setLimits({ tokensPerMinute: positive(v) })}
        />
        <NumberField
          label="Timeout (seconds)"
          min={1}
          value={limits.timeoutSeconds}
          onChange={(v) => setLimits({ timeoutSeconds: positive(v) ?? 120 })}
        />
        <NumberField
          label="Retries"
          min={0}
          max={20}
          value={limits.maxRetries}
          onChange={(v) =>
            setLimits({ maxRetries: v === undefined ? 4 : Math.max(0, Math.round(v)) })
          }
        />
      </div>
      <div className="field-row">
        <NumberField
          label="Price per million input tokens"
          min={0}
          step="any"
          placeholder="0"
          value={pricing.inputPerMillion}
          onChange={(v) => setPricing({ inputPerMillion: positive(v) })}
        />
        <NumberField
          label="Price per million output tokens"
          min={0}
          step="any"
          placeholder="0"
          value={pricing.outputPerMillion}
          onChange={(v) => setPricing({ outputPerMillion: positive(v) })}
        />
      </div>
      <div className="field-row">
        <NumberField
          label="Batch price per million input tokens"
          min={0}
          step="any"
          placeholder="half the live price"
          value={pricing.batchInputPerMillion}
          onChange={(v) => setPricing({ batchInputPerMillion: positive(v) })}
        />
        <NumberField
          label="Batch price per million output tokens"
          min={0}
          step="any"
          placeholder="half the live price"
          value={pricing.batchOutputPerMillion}
          onChange={(v) => setPricing({ batchOutputPerMillion: positive(v) })}
        />
      </div>
      <p className="muted">
        Batch prices count for a run in batch mode; each left empty is half its live price, as
        OpenAI and Anthropic bill their Batch APIs.
      </p>
    </details>
  );
}
