import { setLimits, setPricing, useForm } from '../state/form';

const numberOrUndefined = (value: number) =>
  Number.isFinite(value) && value > 0 ? value : undefined;

/** Rate limits, timeouts and prices: folded away, as the defaults suit local servers. */
export function LimitsForm() {
  const limits = useForm((s) => s.limits);
  const pricing = useForm((s) => s.pricing);
  return (
    <details className="more">
      <summary>Limits, retries and prices</summary>
      <div className="field-row">
        <label className="field narrow">
          <span>Requests per minute</span>
          <input
            type="number"
            min={1}
            value={limits.requestsPerMinute ?? ''}
            placeholder="no limit"
            onChange={(e) =>
              setLimits({ requestsPerMinute: numberOrUndefined(e.target.valueAsNumber) })
            }
          />
        </label>
        <label className="field narrow">
          <span>Tokens per minute</span>
          <input
            type="number"
            min={1}
            value={limits.tokensPerMinute ?? ''}
            placeholder="no limit"
            onChange={(e) =>
              setLimits({ tokensPerMinute: numberOrUndefined(e.target.valueAsNumber) })
            }
          />
        </label>
        <label className="field narrow">
          <span>Timeout (seconds)</span>
          <input
            type="number"
            min={1}
            value={limits.timeoutSeconds}
            onChange={(e) =>
              setLimits({ timeoutSeconds: numberOrUndefined(e.target.valueAsNumber) ?? 120 })
            }
          />
        </label>
        <label className="field narrow">
          <span>Retries</span>
          <input
            type="number"
            min={0}
            max={20}
            value={limits.maxRetries}
            onChange={(e) =>
              setLimits({
                maxRetries: Number.isFinite(e.target.valueAsNumber)
                  ? Math.max(0, Math.round(e.target.valueAsNumber))
                  : 4,
              })
            }
          />
        </label>
      </div>
      <div className="field-row">
        <label className="field narrow">
          <span>Price per million input tokens</span>
          <input
            type="number"
            min={0}
            step="any"
            value={pricing.inputPerMillion ?? ''}
            placeholder="0"
            onChange={(e) =>
              setPricing({ inputPerMillion: numberOrUndefined(e.target.valueAsNumber) })
            }
          />
        </label>
        <label className="field narrow">
          <span>Price per million output tokens</span>
          <input
            type="number"
            min={0}
            step="any"
            value={pricing.outputPerMillion ?? ''}
            placeholder="0"
            onChange={(e) =>
              setPricing({ outputPerMillion: numberOrUndefined(e.target.valueAsNumber) })
            }
          />
        </label>
      </div>
    </details>
  );
}
