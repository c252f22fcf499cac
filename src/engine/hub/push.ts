import { type CommitProgressEvent, commitIter, createRepo } from '@huggingface/hub';
import { parquetMetadataAsync, parquetSchema, type SchemaElement } from 'hyparquet';
import { readRows } from '../db/datasets';
import { failureReasons } from '../db/results';
import { EngineError, inputError } from '../errors';
import { type ExportShape, exportRun } from '../io/exportRun';
import { runStatistics } from '../review/statistics';
import type { BoundRun } from '../run/boundRun';
import type { Prompt } from '../task';
import { datasetId, type HubAccess, hubEndpoint } from './access';
import { type CardFacts, datasetCard, type Feature, RECIPE_FILE } from './card';
import { hubAccount } from './datasets';
import { type Fetch, hubFetch } from './http';

/** What to push, and where. */
export interface PushRequest {
  /** owner/name of the dataset repository; made when missing. */
  repo: string;
  /** Whether a repository made here is private (one that exists keeps its visibility). */
  private: boolean;
  /** The license the card states, as a Hub license id (apache-2.0, cc-by-4.0, ..., unknown). */
  license: string;
  /** The rows as the run made them, or reshaped for a trainer, as Export as says. */
  shape?: ExportShape;
  /** retort-recipe.json, made by the page from the run (the recipes module lives there). */
  recipe?: string;
}

export type PushProgress =
  | { step: 'export'; rows: number }
  | { step: 'hash' | 'upload'; path: string; fraction: number }
  | { step: 'commit' };

export interface PushedRun {
  /** The dataset's page on the Hub. */
  url: string;
  /** Whether the repository was made by this push, rather than found. */
  created: boolean;
  rows: number;
  /** What the export left out and why, when it left anything out. */
  skipped?: string;
}

/** One shard, named as the Hub names the shards it writes, so the viewer and `datasets` read it as the train split. */
export const DATA_FILE = 'data/train-00000-of-00001.parquet';

/**
 * Pushes a run to a dataset repository on the Hub, in one commit: its rows as
 * Parquet (written by the Parquet export, so the same rows with the person's
 * edits and ratings), a dataset card, and the recipe when the page gave one.
 * The token is checked first (whose, and whether it may write), then the file
 * is written, then the repository is made if missing: a refusal or a cancel
 * before the commit leaves nothing on the Hub but, at most, an empty repository.
 */
export async function pushRun(
  access: HubAccess,
  boundRun: BoundRun,
  request: PushRequest,
  onProgress?: (progress: PushProgress) => void,
  signal?: AbortSignal,
): Promise<PushedRun> {
  const repo = datasetId(request.repo);
  const endpoint = hubEndpoint(access);
  const token = await writeToken(access, signal);
  const shape = request.shape ?? 'rows';
  const { file, skipped } = await exportRun(
    boundRun,
    { format: 'parquet', shape },
    (rows) => onProgress?.({ step: 'export', rows }),
    signal,
  );
  const data = { path: DATA_FILE, bytes: file.size, ...(await parquetFacts(file)) };
  const withRecipe = request.recipe !== undefined;
  const pushed = { repo, license: request.license, shape, data, skipped, withRecipe };
  const card = await cardOf(boundRun, pushed, signal);
  const files = [
    { path: DATA_FILE, content: file },
    { path: 'README.md', content: new Blob([card], { type: 'text/markdown' }) },
    ...(request.recipe === undefined
      ? []
      : [{ path: RECIPE_FILE, content: new Blob([request.recipe], { type: 'application/json' }) }]),
  ];
  const hub = { token, endpoint, fetcher: pushFetch(access, repo, signal) as typeof fetch };
  const created = await createIfMissing(repo, request.private ? 'private' : 'public', hub);
  const commit = commitIter({
    repo: { type: 'dataset', name: repo },
    operations: files.map((f) => ({ operation: 'addOrUpdate', ...f })),
    title: `Push “${boundRun.dataset.name}” (${boundRun.bound.task.label}) from Retort`,
    accessToken: token,
    hubUrl: endpoint,
    fetch: hub.fetcher,
    abortSignal: signal,
  });
  for await (const event of commit) {
    const progress = pushProgress(event);
    if (progress) onProgress?.(progress);
  }
  const url = `${endpoint}/datasets/${repo}`;
  return { url, created, rows: data.rows, ...(skipped && { skipped }) };
}

/** The dataset card of the pushed file, with the run's statistics and failures read again. */
async function cardOf(
  boundRun: BoundRun,
  pushed: Pick<CardFacts, 'repo' | 'license' | 'shape' | 'data' | 'skipped' | 'withRecipe'>,
  signal?: AbortSignal,
): Promise<string> {
  const { run, dataset, bound } = boundRun;
  return datasetCard({
    ...pushed,
    datasetName: dataset.name,
    run,
    bound,
    statistics: await runStatistics(boundRun, signal),
    failures: await failureReasons(run.id),
    firstPrompt: await firstPrompt(boundRun),
  });
}

/** The token, once the Hub has said whose it is and that it is no read token. */
async function writeToken(access: HubAccess, signal?: AbortSignal): Promise<string> {
  const endpoint = hubEndpoint(access);
  const token = access.token?.trim();
  if (!token) {
    throw inputError(
      `Pushing to the Hub needs a write token: make one at ${endpoint}/settings/tokens and enter it under Hub token.`,
    );
  }
  const { name, role } = await hubAccount(access, signal);
  if (role === 'read') {
    throw inputError(
      `This is a read token of ${name}: pushing needs a write token (or a fine-grained one that may write to the repository). Make one at ${endpoint}/settings/tokens.`,
    );
  }
  return token;
}

/** Makes the repository; true if it did, false if it was there already (HTTP 409). */
async function createIfMissing(
  repo: string,
  visibility: 'private' | 'public',
  { token, endpoint, fetcher }: { token: string; endpoint: string; fetcher: typeof fetch },
): Promise<boolean> {
  try {
    await createRepo({
      repo: { type: 'dataset', name: repo },
      visibility,
      accessToken: token,
      hubUrl: endpoint,
      fetch: fetcher,
    });
    return true;
  } catch (error) {
    if (EngineError.isInstance(error) && error.status === 409) return false;
    throw error;
  }
}

/**
 * hubFetch for the push's requests (the token to the Hub's origin only, no
 * answer said as such), where a refusal to write says what to do. The Hub
 * answers 403 to a token that may not make or write the repository: a name
 * under another account, or a token without write access to it.
 */
function pushFetch(access: HubAccess, repo: string, signal?: AbortSignal): Fetch {
  const fetcher = hubFetch(access, { signal });
  return async (input, init) => {
    try {
      return await fetcher(input, init);
    } catch (error) {
      if (!EngineError.isInstance(error) || error.status !== 403) throw error;
      const owner = repo.split('/')[0];
      throw new EngineError({
        kind: 'input',
        message: `This token may not write to “${repo}”: the name “${owner}” is another account’s, or an organization this token may not write to. Push to a repository of your own account, or use a token that may write there. (${error.message})`,
        retryable: false,
        status: 403,
      });
    }
  };
}

/** The file's row count and its columns' types, read back from its footer. */
async function parquetFacts(file: Blob): Promise<{ rows: number; features: Feature[] }> {
  const metadata = await parquetMetadataAsync({
    byteLength: file.size,
    slice: (start, end) => file.slice(start, end).arrayBuffer(),
  });
  const columns = parquetSchema(metadata).children.map(({ element }) => ({
    name: element.name,
    dtype: dtypeOf(element),
  }));
  return { rows: Number(metadata.num_rows), features: columns };
}

/** A Parquet column's type as `datasets` names it; JSON text (lists, objects) is a string to it. */
function dtypeOf({ type }: SchemaElement): string {
  switch (type) {
    case 'BOOLEAN':
      return 'bool';
    case 'INT32':
      return 'int32';
    case 'INT64':
      return 'int64';
    case 'FLOAT':
      return 'float32';
    case 'DOUBLE':
      return 'float64';
    default:
      return 'string';
  }
}

/** What the model was sent for the first row, when the task can say (a row it cannot read has none). */
async function firstPrompt({ dataset, bound }: BoundRun): Promise<Prompt | undefined> {
  const [row] = await readRows(dataset.id, 0, 1);
  try {
    return row && bound.preview(row);
  } catch {
    return undefined;
  }
}

/** The commit's events as the page shows them: hashing and uploading each file, then the commit. */
function pushProgress(event: CommitProgressEvent): PushProgress | undefined {
  if (event.event === 'phase') return event.phase === 'committing' ? { step: 'commit' } : undefined;
  if (event.state === 'error') return undefined;
  const step = event.state === 'hashing' ? 'hash' : 'upload';
  return { step, path: event.path, fraction: event.progress };
}
