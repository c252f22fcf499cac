import { useEffect, useState } from 'react';
import { engine } from '../engineClient';
import {
  finishSignIn,
  hubAccess,
  oauthClientId,
  setHubEndpoint,
  setHubToken,
  setRememberToken,
  signIn,
  useHub,
} from '../state/hub';
import { ErrorAlert } from './Section';

/**
 * The Hub's address and the token sent to it: typed (like the API key), or
 * from Sign in with Hugging Face where the build has an OAuth client id.
 * Check token asks the Hub whose the token is.
 */
export function HubSettings() {
  const endpoint = useHub((s) => s.endpoint);
  const token = useHub((s) => s.token);
  const rememberToken = useHub((s) => s.rememberToken);
  const account = useHub((s) => s.account);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    finishSignIn().catch(setError);
  }, []);

  async function checkToken() {
    setError(null);
    setChecking(true);
    try {
      const { name, role } = await engine.hubAccount(hubAccess());
      setHubToken(token, role ? `${name} (${role})` : name);
    } catch (failure) {
      setError(failure);
    } finally {
      setChecking(false);
    }
  }

  return (
    <div className="hub-settings">
      <div className="field-row">
        <label className="field">
          <span>Hub address</span>
          <input
            type="url"
            value={endpoint}
            spellCheck={false}
            onChange={(e) => setHubEndpoint(e.target.value)}
          />
        </label>
        {oauthClientId() && (
          <button type="button" className="secondary" onClick={() => signIn().catch(setError)}>
            Sign in with Hugging Face
          </button>
        )}
      </div>
      <div className="field-row">
        <label className="field">
          <span>Hub token</span>
          <input
            type="password"
            autoComplete="off"
            value={token}
            placeholder="hf_… for private and gated datasets"
            onChange={(e) => {
              setError(null);
              setHubToken(e.target.value);
            }}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={rememberToken}
            onChange={(e) => setRememberToken(e.target.checked)}
          />
          <span>Remember token</span>
        </label>
        <button
          type="button"
          className="secondary"
          disabled={!token.trim() || checking}
          onClick={checkToken}
        >
          Check token
        </button>
      </div>
      {account && token && (
        <p className="muted" role="status">
          The token of {account}.
        </p>
      )}
      <ErrorAlert error={error} />
    </div>
  );
}
