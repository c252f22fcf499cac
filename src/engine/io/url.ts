import { importRows } from '../db/datasets';
import type { Dataset } from '../db/schema';
import { EngineError, inputError } from '../errors';
import { type HubAccess, hubEndpoint } from '../hub/access';
import { unreachable } from '../hub/errors';
import { type Fetch, hubFetch } from '../hub/http';
import { type ImportProgress, readers } from './import';
import { readParquetSource } from './parquet';
import { REMOTE_FOOTER_BYTES, remoteParquet } from './remote';

type Format = keyof typeof readers;

/** Formats by Content-Type, for an address whose name has no known extension. */
const CONTENT_TYPES: Record<string, Format> = {
  'text/csv': 'csv',
  'text/tab-separated-values': 'tsv',
  'application/json': 'json',
  'application/jsonl': 'jsonl',
  'application/jsonlines': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  'application/x-ndjson': 'jsonl',
  'application/vnd.apache.parquet': 'parquet',
  'application/x-parquet': 'parquet',
};

/**
 * Imports the CSV, JSON Lines (or JSON, TSV) or Parquet file at `address` as a
 * new dataset, chosen by the file's extension, else by its Content-Type.
 * Parquet is read with range requests, only the bytes it needs; a text file
 * is downloaded (progress in bytes), then parsed as a file from disk is. The
 * Hub token goes only to the Hub's own address, where private and gated files
 * need it. On any failure or cancel nothing is stored.
 */
export async function importFromUrl(
  access: HubAccess,
  address: string,
  onProgress?: ImportProgress,
  signal?: AbortSignal,
): Promise<Dataset> {
  const url = fileUrl(access, address);
  const fetcher = urlFetch(access, url, signal);
  const format = formatByName(url) ?? (await formatByType(fetcher, url));
  const name = baseName(url);
  if (format === 'parquet') {
    let bytes = 0;
    return importRows(
      { name, source: url.href },
      async (sink) => {
        const buffer = await remoteParquet(url.href, fetcher, (read) => {
          bytes += read;
        });
        await readParquetSource({ name, buffer }, sink, () => onProgress?.(sink.rowCount, bytes), {
          initialFetchSize: REMOTE_FOOTER_BYTES,
        });
      },
      signal,
    );
  }
  const file = await download(fetcher, url, `${name}.${format}`, onProgress);
  if (file.size === 0) throw inputError(`${url.href} is empty.`);
  return importRows(
    { name, source: url.href },
    (sink) => readers[format](file, sink, (bytes) => onProgress?.(sink.rowCount, bytes)),
    signal,
  );
}

/**
 * The address as a URL to fetch. A Hub page of a file (…/blob/main/x.csv)
 * becomes the file itself (…/resolve/main/x.csv), as people often copy the page's address.
 */
function fileUrl(access: HubAccess, address: string): URL {
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch {
    throw inputError(
      `"${address}" is no web address. Give the address of a CSV, JSON Lines or Parquet file, starting with https://.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw inputError(
      `Retort imports files from http:// and https:// addresses, not ${url.protocol}.`,
    );
  }
  if (onHub(access, url))
    url.pathname = url.pathname.replace(/^(\/datasets\/[^/]+\/[^/]+)\/blob\//, '$1/resolve/');
  return url;
}

function onHub(access: HubAccess, url: URL): boolean {
  try {
    return new URL(hubEndpoint(access)).origin === url.origin;
  } catch {
    return false; // no usable Hub address: then this is no Hub file
  }
}

/** The Hub's fetch for its own files (the token, its errors); plain fetch with plain errors elsewhere. */
function urlFetch(access: HubAccess, url: URL, signal?: AbortSignal): Fetch {
  if (onHub(access, url)) {
    const dataset = url.pathname.match(/^\/datasets\/([^/]+\/[^/]+)\//)?.[1];
    return hubFetch(access, { dataset, signal });
  }
  return async (input, init = {}) => {
    let response: Response;
    try {
      response = await fetch(input, { ...init, signal: init.signal ?? signal });
    } catch {
      signal?.throwIfAborted();
      throw unreachable(url.origin, 'the address');
    }
    if (!response.ok) {
      throw new EngineError({
        kind: 'http',
        message: `${url.href} answered HTTP ${response.status}${response.statusText ? ` (${response.statusText})` : ''}. Check the address; a private file needs a link that carries its own access.`,
        retryable: response.status >= 500,
        status: response.status,
      });
    }
    return response;
  };
}

function formatByName(url: URL): Format | undefined {
  const file = url.pathname.split('/').pop() ?? '';
  const extension = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  return file.includes('.') && Object.hasOwn(readers, extension)
    ? (extension as Format)
    : undefined;
}

/** The format the server names in its Content-Type (asked with HEAD), or an error saying it is none of ours. */
async function formatByType(fetcher: Fetch, url: URL): Promise<Format> {
  const response = await fetcher(url.href, { method: 'HEAD' });
  const type = response.headers.get('Content-Type')?.split(';')[0].trim().toLowerCase() ?? '';
  if (Object.hasOwn(CONTENT_TYPES, type)) return CONTENT_TYPES[type];
  throw inputError(
    `${url.href} is not a CSV, JSON Lines or Parquet file (the server calls it ${type || 'nothing'}). ` +
      'Give the address of the file itself, ending in .csv, .jsonl or .parquet.',
  );
}

/** The file's name without its extension, for the dataset's name. */
function baseName(url: URL): string {
  const file = decodeURIComponent(url.pathname.split('/').pop() ?? '') || url.hostname;
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}

/**
 * The whole body as a File, reporting bytes as they arrive: the text readers
 * take a Blob (they look at its first bytes, then stream it).
 */
async function download(
  fetcher: Fetch,
  url: URL,
  name: string,
  onProgress?: ImportProgress,
): Promise<File> {
  const response = await fetcher(url.href);
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let bytes = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.byteLength;
    onProgress?.(0, bytes);
  }
  return new File(chunks, name);
}
