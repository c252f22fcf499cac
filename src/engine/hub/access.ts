import { inputError } from '../errors';

/**
 * Where the Hub is and who asks: the page sends it with every Hub command and
 * the worker keeps nothing of it, so the token lives only where the person
 * chose to keep it (src/state/hub.ts).
 */
export interface HubAccess {
  /** The Hub's address, like HF_ENDPOINT: https://huggingface.co by default. */
  endpoint: string;
  /** A user access token (hf_...) or one from Sign in with Hugging Face; empty for none. */
  token?: string;
}

export const DEFAULT_HUB = 'https://huggingface.co';

/** The Hub address as the requests use it: http(s), no trailing slash. */
export function hubEndpoint({ endpoint }: HubAccess): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw inputError(
      `"${endpoint}" is no web address. Give the Hub's address, like ${DEFAULT_HUB}.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw inputError(`The Hub address must start with https:// (or http://), like ${DEFAULT_HUB}.`);
  }
  return url.href.replace(/\/+$/, '');
}

const DATASET_ID = /^[\w.-]+\/[\w.-]+$/;

/**
 * The dataset id (owner/name) in what the person typed: the id itself, or the
 * address of its page on the Hub (https://huggingface.co/datasets/owner/name/...).
 */
export function datasetId(typed: string): string {
  const text = typed.trim();
  const fromPage = text.match(/\/datasets\/([\w.-]+\/[\w.-]+)/)?.[1];
  const id = fromPage ?? text;
  if (!DATASET_ID.test(id)) {
    throw inputError(
      `"${typed}" is no dataset id. Give it as owner/name, as in the address of its Hub page (huggingface.co/datasets/owner/name).`,
    );
  }
  return id;
}

/** The Authorization header for requests to the Hub's own origin; none elsewhere, so a token never leaves for another host. */
export function authorization(access: HubAccess, url: string): Record<string, string> {
  const token = access.token?.trim();
  if (!token || new URL(url).origin !== new URL(hubEndpoint(access)).origin) return {};
  return { Authorization: `Bearer ${token}` };
}
