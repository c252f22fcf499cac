import { useCallback, useEffect, useRef, useState } from 'react';
import type { GridLine, ViewSpec, ViewState } from '../../engine/review/views';
import { callback, engine } from '../../engineClient';

/** Lines fetched at a time: a block is one request to the worker. */
const BLOCK = 100;

/**
 * A view opened in the worker for `spec`, and the lines fetched so far. The
 * view streams while a search scans; `version` (the run's last write) makes
 * the lines in sight be read again, so a running run fills in.
 */
export function useView(spec: ViewSpec | undefined, version: number) {
  const [state, setState] = useState<ViewState>();
  const [error, setError] = useState<unknown>(null);
  const [stopped, setStopped] = useState(false);
  const [, redraw] = useState(0);
  const blocks = useRef(new Map<number, GridLine[]>());
  const asked = useRef(new Set<number>());
  const scan = useRef<AbortController | null>(null);
  const key = JSON.stringify(spec ?? null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the spec.
  useEffect(() => {
    if (!spec) return;
    const controller = new AbortController();
    scan.current = controller;
    let viewId: string | undefined;
    setState(undefined);
    setError(null);
    setStopped(false);
    blocks.current = new Map();
    asked.current = new Set();
    const shown = (next: ViewState) => {
      if (controller.signal.aborted && next.done) return;
      viewId = next.id;
      // A grown view may fill the last block it had in part.
      asked.current.clear();
      setState(next);
    };
    engine
      .openView(spec, callback(shown), controller.signal)
      .then((final) => {
        viewId = final.id;
        setState(final);
      })
      .catch((failure) => {
        if (!controller.signal.aborted) setError(failure);
      })
      .finally(() => {
        if (scan.current === controller) scan.current = null;
      });
    return () => {
      controller.abort();
      if (viewId) void engine.closeView(viewId).catch(() => {});
    };
  }, [key]);

  // The run wrote results: what is in sight is read again on the next draw.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the version changes.
  useEffect(() => {
    asked.current.clear();
    redraw((n) => n + 1);
  }, [version]);

  /** The lines of positions [start, end): those fetched already, and asks for the rest. */
  const linesIn = useCallback(
    (start: number, end: number): (GridLine | undefined)[] => {
      if (!state) return [];
      const out: (GridLine | undefined)[] = [];
      for (let block = Math.floor(start / BLOCK); block * BLOCK < end; block++) {
        if (!asked.current.has(block)) {
          asked.current.add(block);
          engine.viewLines(state.id, block * BLOCK, BLOCK, version).then(
            (lines) => {
              blocks.current.set(block, lines);
              redraw((n) => n + 1);
            },
            (failure) => setError(failure),
          );
        }
      }
      for (let position = start; position < end; position++)
        out.push(blocks.current.get(Math.floor(position / BLOCK))?.[position % BLOCK]);
      return out;
    },
    [state, version],
  );

  const cancelSearch = useCallback(() => {
    scan.current?.abort();
    setStopped(true);
  }, []);
  const searching = state !== undefined && !state.done && !stopped;
  return { state, error, linesIn, cancelSearch, searching, stopped };
}
