import { type AsyncBuffer, asyncBufferFromUrl } from 'hyparquet';
import type { Fetch } from '../hub/http';

/**
 * Bytes read from the end of a remote Parquet file at first, for its footer.
 * hyparquet's default (512 KB) suits a local file; over HTTP it would also
 * fetch much of the last row group. A footer larger than this is fetched by a
 * second request.
 */
export const REMOTE_FOOTER_BYTES = 64 * 1024;

/**
 * A Parquet file behind a URL as hyparquet reads it: its size from a HEAD
 * request, then only the byte ranges asked for (Range requests), through
 * `fetcher`, which carries the token, the signal and the errors. `onBytes`
 * hears how many bytes each range brought.
 */
export async function remoteParquet(
  url: string,
  fetcher: Fetch,
  onBytes?: (bytes: number) => void,
): Promise<AsyncBuffer> {
  const buffer = await asyncBufferFromUrl({ url, fetch: fetcher as typeof fetch });
  return {
    byteLength: buffer.byteLength,
    async slice(start, end) {
      const bytes = await buffer.slice(start, end);
      onBytes?.(bytes.byteLength);
      return bytes;
    },
  };
}
