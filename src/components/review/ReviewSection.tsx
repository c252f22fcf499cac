import { lazy, Suspense, useEffect, useState } from 'react';
import type { Run } from '../../engine/db/schema';
import type { GridLine, Show, ViewSpec } from '../../engine/review/views';
import { engine } from '../../engineClient';
import { useForm } from '../../state/form';
import { compareWith, pickRun, setSearch, setShow, useReview } from '../../state/review';
import { ChainPanel } from '../ChainPanel';
import { rowCount } from '../format';
import { HubPush } from '../HubPush';
import { useDataset, useRuns } from '../queries';
import { runLabel } from '../runLabel';
import { ErrorAlert, Section } from '../Section';
import { useScoped } from '../useScoped';
import { BulkActions, useSelection } from './Bulk';
import { ExportPanel } from './ExportPanel';
import { type JudgeAction, RowDetails } from './RowDetails';
import { RowsGrid } from './RowsGrid';
import { useView } from './useView';

// Charts load with the first run looked at, not with the page.
const Statistics = lazy(() => import('./Statistics'));

/**
 * The review workspace: the runs of the selected dataset, the rows of the one
 * picked (or of the dataset before any run) in a grid with filters and search,
 * a row in detail, charts, and the exports. Everything is read from the worker.
 */
export function ReviewSection() {
  const datasetId = useForm((s) => s.data.datasetId);
  const dataset = useDataset(datasetId);
  const runs = useRuns(datasetId);
  const picked = useReview((s) => (datasetId ? s.picked[datasetId] : undefined));
  const comparedId = useReview((s) => (datasetId ? s.compared[datasetId] : undefined));
  const run = runs?.find((r) => r.id === picked) ?? runs?.[0];
  const compared = runs?.find((r) => r.id === comparedId && r.id !== run?.id);

  return (
    <Section step={5} title="Results">
      {!dataset ? (
        <p className="muted">Results appear here as the run produces them.</p>
      ) : (
        <>
          {runs && runs.length > 0 && run && (
            <RunPicker datasetId={dataset.id} runs={runs} run={run} compared={compared} />
          )}
          {!run && <p className="muted">No run of {dataset.name} yet: these are its rows.</p>}
          <Workspace datasetId={dataset.id} run={run} compared={compared} />
        </>
      )}
    </Section>
  );
}

/** Which run is shown, its name, deleting it, and the run shown beside it. */
function RunPicker({
  datasetId,
  runs,
  run,
  compared,
}: {
  datasetId: string;
  runs: Run[];
  run: Run;
  compared: Run | undefined;
}) {
  const [renaming, setRenaming] = useState<string | null>(null);
  const [error, setError] = useScoped<unknown>(run.id);
  const act = (command: () => Promise<unknown>) => {
    setError(null);
    command().catch(setError);
  };
  return (
    <>
      <div className="field-row">
        <label className="field wide">
          <span>Run</span>
          <select
            value={run.id}
            onChange={(e) =>
              pickRun(datasetId, e.target.value === runs[0].id ? undefined : e.target.value)
            }
          >
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                {runLabel(r)} · {r.status} · {r.counters.done.toLocaleString()} of{' '}
                {r.counters.total.toLocaleString()} done
                {r.counters.failed ? `, ${r.counters.failed.toLocaleString()} failed` : ''}
              </option>
            ))}
          </select>
        </label>
        {runs.length > 1 && (
          <label className="field wide">
            <span>Compare with</span>
            <select
              value={compared?.id ?? ''}
              onChange={(e) => compareWith(datasetId, e.target.value || undefined)}
            >
              <option value="">No other run</option>
              {runs
                .filter((r) => r.id !== run.id)
                .map((r) => (
                  <option key={r.id} value={r.id}>
                    {runLabel(r)}
                  </option>
                ))}
            </select>
          </label>
        )}
      </div>
      <div className="actions">
        {renaming === null ? (
          <button type="button" className="secondary" onClick={() => setRenaming(run.name ?? '')}>
            Rename run
          </button>
        ) : (
          <form
            className="actions"
            onSubmit={(e) => {
              e.preventDefault();
              act(() => engine.renameRun(run.id, renaming));
              setRenaming(null);
            }}
          >
            <label className="field">
              <span>Run name</span>
              <input value={renaming} onChange={(e) => setRenaming(e.target.value)} />
            </label>
            <button type="submit">Save name</button>
            <button type="button" className="secondary" onClick={() => setRenaming(null)}>
              Keep the name
            </button>
          </form>
        )}
        <button
          type="button"
          className="secondary"
          onClick={() => {
            if (!confirm(`Delete the run "${runLabel(run)}" and its results from this browser?`))
              return;
            pickRun(datasetId, undefined);
            act(() => engine.deleteRun(run.id));
          }}
        >
          Delete run
        </button>
      </div>
      <ErrorAlert error={error} />
    </>
  );
}

const SHOWN: { show: Show; label: string; count: (run: Run) => number }[] = [
  { show: 'all', label: 'All rows', count: (r) => r.counters.total },
  { show: 'failed', label: 'Failed', count: (r) => r.counters.failed },
  { show: 'unreadable', label: 'Unreadable', count: (r) => r.counters.formatFailed },
  { show: 'cut', label: 'Cut at max tokens', count: (r) => r.counters.cut },
  {
    show: 'pending',
    label: 'No result yet',
    count: (r) => r.counters.total - r.counters.done - r.counters.failed,
  },
  { show: 'edited', label: 'Edited', count: (r) => r.counters.edited },
  { show: 'good', label: 'Rated good', count: (r) => r.counters.good },
  { show: 'bad', label: 'Rated bad', count: (r) => r.counters.bad },
  {
    show: 'unrated',
    label: 'Not rated',
    count: (r) => r.counters.done + r.counters.failed - r.counters.good - r.counters.bad,
  },
  { show: 'deleted', label: 'Deleted', count: (r) => r.counters.deleted },
];

/** The last change to judgements, and what they were before it: Undo puts it back. */
interface Undo {
  label: string;
  runId: string;
  previous: Awaited<ReturnType<typeof engine.judge>>;
}

/** The grid with its filter and search, Row details, the charts and the exports. */
function Workspace({
  datasetId,
  run,
  compared,
}: {
  datasetId: string;
  run: Run | undefined;
  compared: Run | undefined;
}) {
  const show = useReview((s) => s.show);
  const search = useReview((s) => s.search);
  const [typed, setTyped] = useState(search);
  const [open, setOpen] = useState<GridLine | null>(null);
  const [undo, setUndo] = useState<Undo>();
  const [error, setError] = useScoped<unknown>(`${datasetId}|${run?.id}`);
  const spec: ViewSpec = {
    datasetId,
    runId: run?.id,
    compareRunId: compared?.id,
    show: run ? show : 'all',
    search: search.trim() || undefined,
  };
  const version = (run?.updated ?? 0) + (compared?.updated ?? 0);
  const view = useView(spec, version);
  const selection = useSelection(view.state?.id);

  const onJudge: JudgeAction = async (keys, change, label) => {
    if (!run) return;
    const previous = await engine.judge(run.id, { keys }, change);
    setUndo({ label, runId: run.id, previous });
  };
  /** The next or previous line of the view, in Row details. */
  const move = (delta: 1 | -1) => {
    if (!open || !view.state) return;
    const position = open.position + delta;
    if (position < 0 || position >= view.state.length) return;
    engine.viewLines(view.state.id, position, 1).then(([line]) => line && setOpen(line), setError);
  };

  // Typing searches once it pauses; Enter searches at once.
  useEffect(() => {
    const timer = setTimeout(() => setSearch(typed), 400);
    return () => clearTimeout(timer);
  }, [typed]);

  return (
    <>
      <div className="field-row toolbar">
        {run && (
          <label className="field">
            <span>Show</span>
            <select value={show} onChange={(e) => setShow(e.target.value as Show)}>
              {SHOWN.map(({ show: value, label, count }) => (
                <option key={value} value={value}>
                  {label} ({count(run).toLocaleString()})
                </option>
              ))}
            </select>
          </label>
        )}
        <form
          className="field wide"
          onSubmit={(e) => {
            e.preventDefault();
            setSearch(typed);
          }}
        >
          <label className="field wide">
            <span>Search rows (text, or /regex/)</span>
            <input
              type="search"
              aria-label="Search rows"
              value={typed}
              placeholder="e.g. refund, or /\d{4}/"
              onChange={(e) => setTyped(e.target.value)}
            />
          </label>
        </form>
      </div>
      <ViewLine view={view} />
      <ErrorAlert error={view.error} />
      {run && (
        <BulkActions
          run={run}
          viewId={view.state?.id}
          shown={view.state?.length ?? 0}
          selection={selection}
          onJudge={onJudge}
          onError={setError}
        >
          {undo && undo.runId === run.id && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setUndo(undefined);
                engine.restoreJudgements(undo.runId, undo.previous).catch(setError);
              }}
            >
              Undo the last {undo.label}
            </button>
          )}
        </BulkActions>
      )}
      <ErrorAlert error={error} />
      {view.state && (
        <RowsGrid
          state={view.state}
          linesIn={view.linesIn}
          onOpen={setOpen}
          selection={run ? selection : undefined}
        />
      )}
      {open !== null && (
        <RowDetails
          datasetId={datasetId}
          runIds={[run?.id, compared?.id].filter((id): id is string => id !== undefined)}
          rowIndex={open.rowIndex}
          generation={open.generation ?? 0}
          version={version}
          onJudge={onJudge}
          onMove={move}
          onClose={() => setOpen(null)}
        />
      )}
      {run && (
        <>
          <section aria-label="Statistics" className="statistics">
            <h3>Statistics</h3>
            <Suspense fallback={<p className="muted">Loading the charts…</p>}>
              <Statistics runs={compared ? [run, compared] : [run]} />
            </Suspense>
          </section>
          <h3>Export</h3>
          <ExportPanel run={run} />
          <HubPush run={run} />
          <ChainPanel run={run} />
        </>
      )}
    </>
  );
}

/** How many lines show, and a search's progress with its Cancel. */
function ViewLine({ view }: { view: ReturnType<typeof useView> }) {
  const { state, searching, stopped } = view;
  if (!state) return <p className="muted">Opening the rows…</p>;
  return (
    <div className="actions">
      <p className="muted" aria-live="polite">
        {state.length.toLocaleString()} {state.length === 1 ? 'line' : 'lines'}
        {searching &&
          ` found so far · searched ${rowCount(state.scanned)} of ${state.total.toLocaleString()}`}
        {stopped && !state.done && ` · search stopped after ${rowCount(state.scanned)}`}
      </p>
      {searching && (
        <button type="button" className="secondary" onClick={view.cancelSearch}>
          Cancel search
        </button>
      )}
    </div>
  );
}
