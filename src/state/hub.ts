import { oauthHandleRedirectIfPresent, oauthLoginUrl } from '@huggingface/hub';
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { DEFAULT_HUB, type HubAccess } from '../engine/hub/access';

/**
 * The Hugging Face Hub settings: its address (like HF_ENDPOINT) and a token,
 * kept in this browser; the token only when the person ticks "Remember token",
 * as the API key in form.ts. They reach the engine with each Hub command and
 * nothing else: never a run, an export, a recipe or a log.
 */
export interface HubSettings {
  endpoint: string;
  token: string;
  rememberToken: boolean;
  /** Whose the token is, once checked or signed in ("alice"); forgotten with the token. */
  account?: string;
}

export const useHub = create<HubSettings>()(
  persist((): HubSettings => ({ endpoint: DEFAULT_HUB, token: '', rememberToken: false }), {
    name: 'retort-hub',
    version: 1,
    partialize: ({ endpoint, token, rememberToken, account }) =>
      rememberToken ? { endpoint, token, rememberToken, account } : { endpoint, rememberToken },
  }),
);

export function setHubEndpoint(endpoint: string): void {
  useHub.setState({ endpoint });
}

/** A new token is nobody's until checked. */
export function setHubToken(token: string, account?: string): void {
  useHub.setState({ token, account });
}

export function setRememberToken(rememberToken: boolean): void {
  useHub.setState({ rememberToken });
}

/** What a Hub command needs, read when it starts. */
export function hubAccess(): HubAccess {
  const { endpoint, token } = useHub.getState();
  return { endpoint, token: token.trim() || undefined };
}

/**
 * The app's OAuth client id on the Hub, where it has one: set when the build
 * is made for a host registered as an OAuth app (VITE_HF_OAUTH_CLIENT_ID), or
 * by the Hub itself in a static Space with `hf_oauth: true`
 * (window.huggingface.variables). Without one there is no Sign in with
 * Hugging Face, only the token field.
 */
export function oauthClientId(): string | undefined {
  const space = (globalThis as { huggingface?: { variables?: Record<string, string> } }).huggingface
    ?.variables;
  return import.meta.env.VITE_HF_OAUTH_CLIENT_ID || space?.OAUTH_CLIENT_ID || undefined;
}

/** Reading datasets, and creating and writing the repositories Push to Hub makes. */
const OAUTH_SCOPES = 'openid profile read-repos write-repos manage-repos';

/** Leaves for the Hub's sign-in page; it comes back to this page with a code (finishSignIn). */
export async function signIn(): Promise<void> {
  const url = await oauthLoginUrl({
    clientId: oauthClientId(),
    hubUrl: useHub.getState().endpoint,
    scopes: OAUTH_SCOPES,
    redirectUrl: `${location.origin}${location.pathname}`,
  });
  location.assign(url);
}

let finishing: Promise<void> | undefined;

/**
 * After the Hub sent the person back: trades the code in the address for a
 * token, takes it as the Hub token, and clears the code from the address.
 * Once per page, however often it is called.
 */
export function finishSignIn(): Promise<void> {
  finishing ??= (async () => {
    if (!oauthClientId()) return;
    const result = await oauthHandleRedirectIfPresent({ hubUrl: useHub.getState().endpoint });
    if (!result) return;
    history.replaceState(history.state, '', `${location.pathname}${location.hash}`);
    setHubToken(result.accessToken, result.userInfo.preferred_username);
  })();
  return finishing;
}
