// biome-ignore-all lint/a11y/useSemanticElements: a virtualized grid is divs with ARIA grid roles; table elements cannot be laid out a screenful at a time.
// biome-ignore-all lint/a11y/useFocusableInteractive: the grid is the one focusable element and points at its active row (aria-activedescendant).
// biome-ignore-all lint/a11y/useKeyWithClickEvents: the grid handles the keyboard for every row: arrows move, Enter opens.
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  type KeyboardEvent,
  memo,
  type PointerEvent,
  useCallback,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { GridLine, LineStatus, ViewColumn, ViewState } from '../../engine/review/views';
import { setColumnWidth, toggleColumn, useReview } from '../../state/review';

const ROW_HEIGHT = 32;
const DEFAULT_WIDTH = 220;
const MIN_WIDTH = 60;

export const columnKey = (c: ViewColumn) => `${c.from}:${c.name}`;
export const columnLabel = (c: ViewColumn) =>
  c.from === 'compare' ? `${c.name} (compared)` : c.name;

const STATUS_WORDS: Record<LineStatus, string> = {
  done: '',
  pending: 'pending',
  failed: 'failed',
  unreadable: 'unreadable',
  cut: 'cut at max tokens',
};

/**
 * Every line of a view, virtualized: only the lines in sight (and a few
 * around them) are in the page, whatever the size. The grid is one focusable
 * element; arrows, Page Up/Down, Home and End move the active line, Enter
 * (or a click) opens it.
 */
export function RowsGrid({
  state,
  linesIn,
  onOpen,
  selection,
}: {
  state: ViewState;
  linesIn: (start: number, end: number) => (GridLine | undefined)[];
  onOpen: (line: GridLine) => void;
  /** Lines picked for a bulk action (a run's only); a shift-click picks a range. */
  selection?: Selection;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const widths = useReview((s) => s.widths);
  const hidden = useReview((s) => s.hidden);
  const columns = useMemo(
    () =>
      state.columns
        .map((column, index) => ({
          column,
          index,
          width: widths[columnKey(column)] ?? DEFAULT_WIDTH,
        }))
        .filter(({ column }) => !hidden.includes(columnKey(column))),
    [state.columns, hidden, widths],
  );
  const virtualizer = useVirtualizer({
    count: state.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
  });
  const items = virtualizer.getVirtualItems();
  const lines = items.length > 0 ? linesIn(items[0].index, items[items.length - 1].index + 1) : [];
  const current = Math.min(active, Math.max(0, state.length - 1));
  // Rows are memoized and get these stable handlers, which read the latest props.
  const latest = useRef({ onOpen, selection });
  latest.current = { onOpen, selection };
  const open = useCallback((position: number, line: GridLine | undefined) => {
    setActive(position);
    if (line) latest.current.onOpen(line);
  }, []);
  const toggle = useCallback(
    (line: GridLine, range: boolean) => latest.current.selection?.toggle(line, range),
    [],
  );

  function moveTo(position: number) {
    const next = Math.max(0, Math.min(state.length - 1, position));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  }

  function onKeyDown(event: KeyboardEvent) {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 320) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      PageDown: current + page,
      PageUp: current - page,
      Home: 0,
      End: state.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key]);
    } else if (event.key === 'Enter') {
      const line = lines[current - (items[0]?.index ?? 0)];
      if (line) onOpen(line);
    }
  }

  return (
    <div className="grid-wrap">
      <ColumnsMenu columns={state.columns} hidden={hidden} />
      <div
        ref={scroller}
        role="grid"
        aria-label="Rows"
        aria-rowcount={state.length}
        aria-colcount={columns.length + 1}
        aria-activedescendant={state.length > 0 ? `line-${current}` : undefined}
        tabIndex={0}
        className="grid"
        onKeyDown={onKeyDown}
      >
        <div role="rowgroup" className="grid-head">
          <div role="row" className="grid-row">
            <div role="columnheader" className="grid-cell place">
              row
            </div>
            {columns.map(({ column, width }) => (
              <HeaderCell key={columnKey(column)} column={column} width={width} />
            ))}
          </div>
        </div>
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item, i) => {
            const line = lines[i];
            return (
              <GridRow
                key={item.key}
                position={item.index}
                top={item.start}
                line={line}
                columns={columns}
                active={item.index === current}
                selectable={selection !== undefined}
                selected={Boolean(line && selection?.has(line))}
                open={open}
                toggle={toggle}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

/**
 * One line of the grid. Memoized: while the grid scrolls, only the lines that
 * come into sight are drawn, not every line again each frame.
 */
const GridRow = memo(function GridRow({
  position,
  top,
  line,
  columns,
  active,
  selectable,
  selected,
  open,
  toggle,
}: {
  position: number;
  top: number;
  line: GridLine | undefined;
  columns: { column: ViewColumn; index: number; width: number }[];
  active: boolean;
  selectable: boolean;
  selected: boolean;
  open: (position: number, line: GridLine | undefined) => void;
  toggle: (line: GridLine, range: boolean) => void;
}) {
  return (
    <div
      role="row"
      id={`line-${position}`}
      aria-rowindex={position + 1}
      aria-selected={active}
      className={`grid-row line ${line?.status ?? ''}${line?.deleted ? ' deleted' : ''}${active ? ' active' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={() => open(position, line)}
    >
      <div role="gridcell" className="grid-cell place">
        {selectable && line && (
          <input
            type="checkbox"
            aria-label="Select row"
            checked={selected}
            onClick={(e) => {
              e.stopPropagation();
              toggle(line, e.shiftKey);
            }}
            onChange={() => {}}
          />
        )}
        {line ? placeOf(line) : '…'}
      </div>
      {columns.map(({ column, index, width }) => (
        <div
          role="gridcell"
          key={columnKey(column)}
          style={{ width }}
          className={`grid-cell${line?.edited?.includes(index) ? ' edited' : ''}`}
          title={line?.edited?.includes(index) ? 'Edited by you' : undefined}
        >
          {line?.cells[index]}
        </div>
      ))}
    </div>
  );
});

/**
 * "12", "12 · 2" for a row's second generation, then what became of it when
 * not done, and whether the person deleted it (its rating has a column).
 */
function placeOf(line: GridLine): string {
  const place = `${line.rowIndex + 1}${line.generation ? ` · ${line.generation + 1}` : ''}`;
  const words = [
    line.status ? STATUS_WORDS[line.status] : '',
    line.deleted ? 'deleted' : '',
  ].filter(Boolean);
  return [place, ...words].join(' ');
}

/** Which lines are picked for a bulk action. */
export interface Selection {
  has(line: GridLine): boolean;
  toggle(line: GridLine, range: boolean): void;
}

/** A column's name and a handle that resizes it, by pointer or by arrow keys. */
function HeaderCell({ column, width = DEFAULT_WIDTH }: { column: ViewColumn; width?: number }) {
  const key = columnKey(column);
  const resize = (next: number) => setColumnWidth(key, Math.max(MIN_WIDTH, Math.round(next)));
  function drag(event: PointerEvent) {
    event.preventDefault();
    const startX = event.clientX;
    const move = (e: globalThis.PointerEvent) => resize(width + e.clientX - startX);
    const stop = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', stop);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', stop);
  }
  return (
    <div
      role="columnheader"
      className="grid-cell header"
      title={columnLabel(column)}
      style={{ width }}
    >
      <span>{columnLabel(column)}</span>
      <span
        role="separator"
        aria-orientation="vertical"
        aria-label={`Resize ${columnLabel(column)}`}
        aria-valuenow={width}
        aria-valuemin={MIN_WIDTH}
        tabIndex={0}
        className="resizer"
        onPointerDown={drag}
        onKeyDown={(e) => {
          if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
            e.preventDefault();
            e.stopPropagation();
            resize(width + (e.key === 'ArrowRight' ? 20 : -20));
          }
        }}
      />
    </div>
  );
}

function ColumnsMenu({ columns, hidden }: { columns: ViewColumn[]; hidden: string[] }) {
  return (
    <details className="columns-menu">
      <summary>Columns</summary>
      {columns.map((column) => (
        <label key={columnKey(column)} className="check">
          <input
            type="checkbox"
            checked={!hidden.includes(columnKey(column))}
            onChange={(e) => toggleColumn(columnKey(column), e.target.checked)}
          />
          <span>{columnLabel(column)}</span>
        </label>
      ))}
    </details>
  );
}
