import { EngineError, inputError } from '../errors';

/** What a refused Hub request was about, for its message. */
export interface HubContext {
  endpoint: string;
  /** The dataset asked for, when there is one. */
  dataset?: string;
  /** Whether the request carried a token. */
  withToken: boolean;
  /** Whether the dataset is known to be gated (its info says so) when the answer itself does not. */
  gated?: boolean;
  /** The part of the dataset asked for, e.g. 'config "hard", split "train"'. */
  part?: string;
}

/**
 * A Hub answer that is not OK as an error that says what to do. The Hub
 * answers 401 both for a token it refuses and, to a request without a token,
 * for a private or missing repository; gated repositories answer 401 or 403
 * with X-Error-Code: GatedRepo (huggingface_hub's hf_raise_for_status reads them so).
 */
export async function hubError(response: Response, context: HubContext): Promise<EngineError> {
  const { status } = response;
  const code = response.headers.get('X-Error-Code');
  const reason = await serverMessage(response);
  const gated = code === 'GatedRepo' || (context.gated && (status === 401 || status === 403));
  if (gated && context.dataset) return gatedError(context, status);
  if (status === 401 && context.withToken) return tokenRefused(context.endpoint);
  if (status === 404 && context.part && code !== 'RepoNotFound') {
    return inputError(
      `The Hub has no ${context.part} of "${context.dataset}". Find the dataset again to list what it has.`,
    );
  }
  if ((status === 401 || status === 404) && context.dataset && code !== 'EntryNotFound') {
    return notFound(context);
  }
  return new EngineError({
    kind: 'http',
    message: `The Hub (${context.endpoint}) answered HTTP ${status}${reason ? `: ${reason}` : ''}.${status >= 500 ? ' Try again in a moment.' : ''}`,
    retryable: status >= 500 || status === 429,
    status,
  });
}

function tokenRefused(endpoint: string): EngineError {
  return new EngineError({
    kind: 'input',
    message: `The Hub refused the token (HTTP 401). Check that it was copied whole and is still valid, or make a new one at ${endpoint}/settings/tokens.`,
    retryable: false,
    status: 401,
  });
}

function gatedError({ endpoint, dataset, withToken }: HubContext, status: number): EngineError {
  const then = withToken
    ? 'then use a token of that account (this one has no access yet)'
    : 'then enter a token of that account under Hub token';
  return new EngineError({
    kind: 'input',
    message: `"${dataset}" is a gated dataset: to read it, accept its conditions on the Hub page (${endpoint}/datasets/${dataset}), ${then}.`,
    retryable: false,
    status,
  });
}

function notFound({ endpoint, dataset, withToken }: HubContext): EngineError {
  const access = withToken
    ? 'or the account of this token cannot read it'
    : 'or it is private: then enter a token of an account that can read it under Hub token';
  return inputError(
    `There is no dataset "${dataset}" on ${endpoint}, ${access}. Check the id (owner/name, as in the address of its Hub page).`,
  );
}

/** A request that got no answer at all: offline, a wrong address, or a server that refuses the page's origin (CORS). */
export function unreachable(address: string, what = 'the Hub address'): EngineError {
  return new EngineError({
    kind: 'network',
    message: `Could not reach ${address} — check ${what} and your connection.`,
    retryable: true,
  });
}

/** The Hub's own words: {"error": "..."} or X-Error-Message. */
async function serverMessage(response: Response): Promise<string | undefined> {
  const header = response.headers.get('X-Error-Message');
  if (header) return header;
  const body = await response.text().catch(() => '');
  try {
    const error = (JSON.parse(body) as { error?: unknown }).error;
    return typeof error === 'string' ? error : undefined;
  } catch {
    return body.length > 0 && body.length < 200 && !body.includes('<') ? body : undefined;
  }
}
