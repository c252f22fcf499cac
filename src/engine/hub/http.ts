import { authorization, type HubAccess, hubEndpoint } from './access';
import { hubError, unreachable } from './errors';

export type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** What requests are about, for their errors, and the signal that cancels them. */
export interface HubRequestContext {
  dataset?: string;
  /** The dataset is gated (its info said so): a refusal of its files means its conditions. */
  gated?: boolean;
  /** The part of the dataset asked for, e.g. 'config "hard", split "train"'. */
  part?: string;
  signal?: AbortSignal;
}

/**
 * fetch for the Hub, handed to @huggingface/hub and hyparquet as theirs: it
 * adds the token (to the Hub's own origin only) and the signal, and turns a
 * request with no answer or an answer that is not OK into an EngineError that
 * says what to do, before the library reads it.
 */
export function hubFetch(access: HubAccess, context: HubRequestContext = {}): Fetch {
  const endpoint = hubEndpoint(access);
  return async (input, init = {}) => {
    const url = input instanceof Request ? input.url : String(input);
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(authorization(access, url))) {
      headers.set(name, value);
    }
    const signal = init.signal ?? context.signal;
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers, signal });
    } catch {
      signal?.throwIfAborted();
      throw new URL(url).origin === new URL(endpoint).origin
        ? unreachable(endpoint)
        : unreachable(new URL(url).origin, 'the address');
    }
    if (!response.ok) {
      throw await hubError(response, {
        endpoint,
        dataset: context.dataset,
        gated: context.gated,
        part: context.part,
        withToken: headers.has('Authorization'),
      });
    }
    return response;
  };
}

/** GET a JSON answer of the Hub's API. */
export async function getJson<T>(fetcher: Fetch, url: string): Promise<T> {
  const response = await fetcher(url, { headers: { Accept: 'application/json' } });
  return (await response.json()) as T;
}
