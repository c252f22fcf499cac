import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { ResultKey } from '../../engine/db/results';
import type { Run } from '../../engine/db/schema';
import type { GridLine } from '../../engine/review/views';
import { engine } from '../../engineClient';
import { useForm } from '../../state/form';
import { selectRunSpec, selectSecrets } from '../../state/selectors';
import { Note } from '../Section';
import type { JudgeAction } from './RowDetails';
import type { Selection } from './RowsGrid';

const keyOf = (line: ResultKey) => `${line.rowIndex}:${line.generation}`;

/**
 * The lines picked in the grid for a bulk action, by (row, generation): a
 * click picks one, a shift-click the lines from the last one picked. The
 * picks are dropped when the view changes.
 */
/** The most lines Select all picks one by one; a larger view is acted on as a whole. */
const MOST_PICKED = 10_000;

export function useSelection(viewId: string | undefined): Selection & {
  keys: ResultKey[];
  clear(): void;
  selectAll(count: number): Promise<void>;
} {
  const [picked, setPicked] = useState(new Map<string, ResultKey>());
  const last = useRef<GridLine | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new view starts with nothing picked.
  useEffect(() => {
    setPicked(new Map());
    last.current = null;
  }, [viewId]);

  async function toggle(line: GridLine, range: boolean) {
    const from = last.current;
    last.current = line;
    if (range && from && viewId) {
      const [start, end] = [from.position, line.position].sort((a, b) => a - b);
      const lines = await engine.viewLines(viewId, start, end - start + 1);
      setPicked((old) => {
        const next = new Map(old);
        for (const l of lines) next.set(keyOf(asKey(l)), asKey(l));
        return next;
      });
      return;
    }
    setPicked((old) => {
      const next = new Map(old);
      if (next.has(keyOf(asKey(line)))) next.delete(keyOf(asKey(line)));
      else next.set(keyOf(asKey(line)), asKey(line));
      return next;
    });
  }

  return {
    has: (line) => picked.has(keyOf(asKey(line))),
    toggle: (line, range) => void toggle(line, range),
    keys: [...picked.values()],
    clear: () => setPicked(new Map()),
    async selectAll(count) {
      if (!viewId) return;
      const lines = await engine.viewLines(viewId, 0, Math.min(count, MOST_PICKED));
      setPicked(new Map(lines.map((l) => [keyOf(asKey(l)), asKey(l)])));
    },
  };
}

const asKey = (line: GridLine): ResultKey => ({
  rowIndex: line.rowIndex,
  generation: line.generation ?? 0,
});

/**
 * What can be done to many lines at once: to the lines picked, or to every
 * line the view shows (rated bad, not rated, a search's matches): regenerate
 * them with the form's settings now (a better prompt, another model), delete
 * them from every export, restore them.
 */
export function BulkActions({
  run,
  viewId,
  shown,
  selection,
  onJudge,
  onError,
  children,
}: {
  run: Run;
  viewId: string | undefined;
  shown: number;
  selection: ReturnType<typeof useSelection>;
  onJudge: JudgeAction;
  onError: (error: unknown) => void;
  /** Shown at the end of the row of actions (Undo). */
  children?: ReactNode;
}) {
  const [note, setNote] = useState<string>();
  const count = selection.keys.length;
  const picked = { keys: selection.keys };

  async function regenerate(what: { keys: ResultKey[] } | { viewId: string }) {
    setNote(undefined);
    const form = useForm.getState();
    const spec = selectRunSpec(form);
    if (!spec.ok) throw new Error(spec.problem);
    const marked = await engine.regenerate(run.id, what, spec.value, selectSecrets(form));
    selection.clear();
    setNote(
      marked === 0
        ? 'Nothing to regenerate: those lines have no answer yet, or are being made already.'
        : `Regenerating ${marked.toLocaleString()} ${marked === 1 ? 'generation' : 'generations'} with the settings above; the answers they replace stay in their history.`,
    );
  }
  const act = (command: () => Promise<unknown>) => () => {
    onError(null);
    command().catch(onError);
  };
  /** Delete selected (true) or Restore selected (false), then a fresh selection. */
  const markPicked = (deleted: boolean) =>
    act(async () => {
      await onJudge(selection.keys, { deleted }, deleted ? 'deletion' : 'restore');
      selection.clear();
    });

  return (
    <>
      <div className="actions">
        <span className="muted">{count.toLocaleString()} selected</span>
        <button
          type="button"
          className="secondary"
          disabled={shown === 0 || shown > MOST_PICKED}
          title={
            shown > MOST_PICKED ? 'Too many to pick one by one: act on all lines shown' : undefined
          }
          onClick={act(() => selection.selectAll(shown))}
        >
          Select all shown
        </button>
        <button type="button" disabled={count === 0} onClick={act(() => regenerate(picked))}>
          Regenerate selected
        </button>
        <button
          type="button"
          className="secondary"
          disabled={count === 0}
          onClick={markPicked(true)}
        >
          Delete selected
        </button>
        <button
          type="button"
          className="secondary"
          disabled={count === 0}
          onClick={markPicked(false)}
        >
          Restore selected
        </button>
        <button
          type="button"
          className="secondary"
          disabled={shown === 0 || !viewId}
          onClick={act(() => regenerate({ viewId: viewId! }))}
        >
          Regenerate all {shown.toLocaleString()} lines shown
        </button>
        {children}
      </div>
      <Note>{note}</Note>
    </>
  );
}
