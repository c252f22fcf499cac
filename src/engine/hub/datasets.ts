import { datasetInfo, whoAmI } from '@huggingface/hub';
import { inputError } from '../errors';
import { datasetId, type HubAccess, hubEndpoint } from './access';
import { type Fetch, getJson, hubFetch } from './http';

/** The Hub's Parquet listing: config -> split -> URLs of its shards, in order. */
type ParquetListing = Record<string, Record<string, string[]>>;

export interface HubDataset {
  id: string;
  private: boolean;
  gated: boolean;
  /** Each config and its splits, as the Hub's Parquet conversion has them. */
  configs: { name: string; splits: string[] }[];
}

/**
 * A dataset on the Hub and the configs and splits it can be read in: its info
 * first (through @huggingface/hub), which also says whether it is gated, then
 * the Parquet files the Hub exposes for every dataset (GET /api/datasets/{id}/parquet).
 */
export async function hubDataset(
  access: HubAccess,
  typedId: string,
  signal?: AbortSignal,
): Promise<HubDataset> {
  const id = datasetId(typedId);
  const endpoint = hubEndpoint(access);
  const info = await datasetInfo({
    name: id,
    hubUrl: endpoint,
    fetch: hubFetch(access, { dataset: id, signal }) as typeof fetch,
  });
  const gated = info.gated !== false;
  const listing = await getJson<ParquetListing>(
    hubFetch(access, { dataset: id, gated, signal }),
    `${endpoint}/api/datasets/${id}/parquet`,
  );
  const configs = Object.entries(listing).map(([name, splits]) => ({
    name,
    splits: Object.keys(splits),
  }));
  if (configs.length === 0) {
    throw inputError(
      `The Hub has no Parquet files for "${id}" yet: it converts a dataset after each change, which can take a while. Try again later, or import one of its files by URL.`,
    );
  }
  return { id, private: info.private, gated, configs };
}

/** The URLs of a split's Parquet shards, in order (GET /api/datasets/{id}/parquet/{config}/{split}). */
export function parquetShards(
  fetcher: Fetch,
  endpoint: string,
  id: string,
  config: string,
  split: string,
): Promise<string[]> {
  const path = [config, split].map(encodeURIComponent).join('/');
  return getJson<string[]>(fetcher, `${endpoint}/api/datasets/${id}/parquet/${path}`);
}

/** Whose the token is and what it may do, asked of the Hub (whoami through @huggingface/hub). */
export async function hubAccount(
  access: HubAccess,
  signal?: AbortSignal,
): Promise<{ name: string; role?: string }> {
  const endpoint = hubEndpoint(access);
  const token = access.token?.trim();
  if (!token) throw inputError('Enter a Hub token first.');
  // @huggingface/hub refuses any other token before asking the Hub.
  if (!token.startsWith('hf_')) {
    throw inputError(
      `A Hugging Face token starts with hf_. Copy it again from ${endpoint}/settings/tokens.`,
    );
  }
  const account = await whoAmI({
    accessToken: token,
    hubUrl: endpoint,
    fetch: hubFetch(access, { signal }) as typeof fetch,
  });
  return {
    name: account.name,
    role: 'auth' in account ? account.auth.accessToken?.role : undefined,
  };
}
