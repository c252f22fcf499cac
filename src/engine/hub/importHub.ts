import { importRows } from '../db/datasets';
import type { Dataset } from '../db/schema';
import { inputError } from '../errors';
import type { ImportProgress } from '../io/import';
import { readParquetSource } from '../io/parquet';
import { REMOTE_FOOTER_BYTES, remoteParquet } from '../io/remote';
import { datasetId, type HubAccess, hubEndpoint } from './access';
import { parquetShards } from './datasets';
import { hubFetch } from './http';

export interface HubImportRequest {
  /** owner/name, or the address of its Hub page. */
  dataset: string;
  config: string;
  split: string;
  /** The first rows only, for a first look: only the row groups that hold them are fetched. */
  rowLimit?: number;
}

/**
 * Imports a split of a Hub dataset as a new dataset named id/config/split,
 * reading the Parquet files the Hub exposes for it with HTTP range requests:
 * shard after shard, row group after row group, up to the row limit. Progress
 * reports rows stored and bytes fetched; on any failure or cancel nothing is stored.
 */
export async function importFromHub(
  access: HubAccess,
  request: HubImportRequest,
  onProgress?: ImportProgress,
  signal?: AbortSignal,
): Promise<Dataset> {
  const id = datasetId(request.dataset);
  const { config, split } = request;
  const rowLimit = request.rowLimit ?? Infinity;
  if (!(rowLimit >= 1))
    throw inputError('The row limit must be 1 or more (or empty for every row).');
  const endpoint = hubEndpoint(access);
  const part = `config "${config}", split "${split}"`;
  const fetcher = hubFetch(access, { dataset: id, part, signal });
  const shards = await parquetShards(fetcher, endpoint, id, config, split);
  const name = `${id}/${config}/${split}`;
  let bytes = 0;
  return importRows(
    { name, source: `${endpoint}/datasets/${id}/viewer/${config}/${split}` },
    async (sink) => {
      for (const url of shards) {
        if (sink.rowCount >= rowLimit) break;
        const buffer = await remoteParquet(url, fetcher, (read) => {
          bytes += read;
        });
        await readParquetSource({ name, buffer }, sink, () => onProgress?.(sink.rowCount, bytes), {
          rowLimit: rowLimit - sink.rowCount,
          initialFetchSize: REMOTE_FOOTER_BYTES,
        });
      }
    },
    signal,
  );
}
