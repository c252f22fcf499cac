import { useEffect } from 'react';
import { byteSize } from '../engine/bytes';
import { askToKeepData, freeBytes, refreshStorage, useStorage } from '../state/storage';
import { useStoredVersion } from './queries';

/** A size in words, in KB below a megabyte (byteSize would say "0.0 MB"). */
export const storedSize = (bytes: number) =>
  bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024).toLocaleString()} KB` : byteSize(bytes);

/**
 * How much this browser stores for Retort and how much more it may, read again
 * whenever stored data changes, and whether the browser keeps it: where it
 * may clear it (it refused, or data is stored and it was never asked), the
 * person is told what that means and what to do.
 */
export function StorageStatus({ hasData }: { hasData: boolean }) {
  const version = useStoredVersion();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the version is what changes, not what is read.
  useEffect(refreshStorage, [version]);
  const state = useStorage();
  const free = freeBytes(state);
  if (state.usage === undefined || free === undefined) return null;
  return (
    <>
      <p className="muted">
        Stored in this browser: {storedSize(state.usage)}, with {storedSize(free)} more available ·{' '}
        {state.persisted ? 'kept until you delete it' : 'not kept for sure'}
      </p>
      {!state.persisted && (state.asked || hasData) && (
        <p className="alert">
          {state.asked
            ? 'This browser did not agree to keep Retort’s data: '
            : 'This browser has not been asked to keep Retort’s data yet: '}
          when the disk runs low it may delete every dataset and run without asking. Back everything
          up to keep a copy.{' '}
          <button type="button" className="secondary" onClick={() => void askToKeepData()}>
            {state.asked ? 'Ask again' : 'Ask to keep the data'}
          </button>
        </p>
      )}
    </>
  );
}
