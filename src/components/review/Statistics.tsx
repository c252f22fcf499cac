import * as Plot from '@observablehq/plot';
import { memo, useEffect, useRef, useState } from 'react';
import type { Run } from '../../engine/db/schema';
import type { Bin, RunStatistics } from '../../engine/review/statistics';
import { cell } from '../../engine/task';
import { engine } from '../../engineClient';
import { money } from '../format';
import { runLabel } from '../runLabel';
import { ErrorAlert } from '../Section';

/**
 * Charts of a run (and of the run compared with it), from figures the worker
 * computes over every result. Each chart is named, and its numbers are there
 * as a table for whoever cannot see it.
 */
export default memo(Statistics, (before, after) => runsKey(before.runs) === runsKey(after.runs));

/** What the figures depend on: the runs, their status, and their writes a few seconds apart. */
function runsKey(runs: Run[]): string {
  return runs.map((r) => `${r.id}:${r.status}:${Math.floor(r.updated / 5000)}`).join(',');
}

function Statistics({ runs }: { runs: Run[] }) {
  const [figures, setFigures] = useState<{ run: Run; stats: RunStatistics }[]>();
  const [error, setError] = useState<unknown>(null);
  // Read again when a run changes status, and every few seconds while one runs.
  const key = runsKey(runs);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the runs' state.
  useEffect(() => {
    const controller = new AbortController();
    Promise.all(
      runs.map(async (run) => ({
        run,
        stats: await engine.runStatistics(run.id, controller.signal),
      })),
    ).then(setFigures, (failure) => {
      if (!controller.signal.aborted) setError(failure);
    });
    return () => controller.abort();
  }, [key]);

  if (error) return <ErrorAlert error={error} />;
  if (!figures) return <p className="muted">Counting…</p>;
  const compared = figures.length > 1;
  const of = (run: Run) => (compared ? runLabel(run) : run.provider.model);
  const [first] = figures;
  return (
    <div className="charts">
      <Chart
        title="Outcomes"
        rows={figures.flatMap(({ run, stats }) =>
          Object.entries(stats.outcomes).map(([outcome, count]) => ({
            run: of(run),
            outcome,
            count,
          })),
        )}
        columns={['run', 'outcome', 'count']}
        plot={(rows) => ({
          marginLeft: 90,
          y: { label: null, domain: ['done', 'cut', 'unreadable', 'failed', 'pending'] },
          x: { label: 'generations' },
          color: { legend: compared },
          marks: [
            Plot.barX(rows, {
              y: 'outcome',
              x: 'count',
              fill: 'run',
              fy: compared ? 'run' : undefined,
            }),
          ],
        })}
      />
      {first.stats.lengths.map(({ column }) => (
        <Chart
          key={`length-${column}`}
          title={`Length of ${column} (characters)`}
          rows={figures.flatMap(({ run, stats }) =>
            binRows(stats.lengths.find((l) => l.column === column)?.bins ?? [], of(run)),
          )}
          columns={['run', 'from', 'to', 'count']}
          plot={histogram('characters', compared)}
        />
      ))}
      <Chart
        title="Output tokens per generation"
        rows={figures.flatMap(({ run, stats }) => binRows(stats.tokens, of(run)))}
        columns={['run', 'from', 'to', 'count']}
        plot={histogram('tokens', compared)}
      />
      {first.stats.values.map(({ column }) => (
        <Chart
          key={`values-${column}`}
          title={`Values of ${column}`}
          rows={figures.flatMap(({ run, stats }) =>
            (stats.values.find((v) => v.column === column)?.counts ?? []).map((c) => ({
              run: of(run),
              ...c,
            })),
          )}
          columns={['run', 'value', 'count']}
          plot={(rows) => ({
            x: { label: column, type: 'band' },
            y: { label: 'count', grid: true },
            color: { legend: compared },
            marks: [
              Plot.barY(rows, {
                x: 'value',
                y: 'count',
                fill: 'run',
                fx: compared ? 'run' : undefined,
              }),
              Plot.ruleY([0]),
            ],
          })}
        />
      ))}
      <Chart
        title="Tokens per model"
        rows={figures.flatMap(({ stats }) =>
          stats.perModel.flatMap((m) => [
            { model: m.model, kind: 'input', tokens: m.inputTokens, cost: m.cost },
            { model: m.model, kind: 'output', tokens: m.outputTokens, cost: m.cost },
          ]),
        )}
        columns={['model', 'kind', 'tokens', 'cost']}
        format={{ cost: (v) => (v === undefined ? '' : money(Number(v))) }}
        plot={(rows) => ({
          marginLeft: 120,
          y: { label: null },
          x: { label: 'tokens', grid: true },
          color: { legend: true },
          marks: [Plot.barX(rows, { y: 'model', x: 'tokens', fill: 'kind' })],
        })}
      />
      {figures.some(({ stats }) => stats.pace.length > 0) && (
        <Chart
          title="Generations stored over the run"
          rows={figures.flatMap(({ run, stats }) =>
            stats.pace.map((b) => ({
              run: of(run),
              from: new Date(b.from),
              to: new Date(b.to),
              count: b.count,
            })),
          )}
          columns={['run', 'from', 'to', 'count']}
          format={{
            from: (v) => (v as Date).toLocaleTimeString(),
            to: (v) => (v as Date).toLocaleTimeString(),
          }}
          plot={(rows) => ({
            x: { type: 'time', label: 'time' },
            y: { label: 'generations', grid: true },
            color: { legend: compared },
            marks: [
              Plot.rectY(rows, {
                x1: 'from',
                x2: 'to',
                y: 'count',
                fill: 'run',
                fy: compared ? 'run' : undefined,
              }),
            ],
          })}
        />
      )}
    </div>
  );
}

type ChartRow = Record<string, unknown>;

function binRows(bins: Bin[], run: string): ChartRow[] {
  return bins.map((b) => ({ run, ...b }));
}

function histogram(unit: string, compared: boolean) {
  return (rows: ChartRow[]): Plot.PlotOptions => ({
    x: { label: unit },
    y: { label: 'generations', grid: true },
    color: { legend: compared },
    marks: [
      Plot.rectY(rows, {
        x1: 'from',
        x2: 'to',
        y: 'count',
        fill: 'run',
        fy: compared ? 'run' : undefined,
      }),
      Plot.ruleY([0]),
    ],
  });
}

/**
 * One chart: a figure named by its title, Plot's SVG (labelled too), and the
 * same numbers as a table under "Numbers".
 */
function Chart({
  title,
  rows,
  columns,
  plot,
  format = {},
}: {
  title: string;
  rows: ChartRow[];
  columns: string[];
  plot: (rows: ChartRow[]) => Plot.PlotOptions;
  format?: Record<string, (value: unknown) => string>;
}) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = Plot.plot({
      ...plot(rows),
      ariaLabel: title,
      width: 420,
      height: 220,
      style: { background: 'transparent', color: 'currentColor', fontSize: '11px' },
    });
    holder.current?.replaceChildren(chart);
    return () => chart.remove();
  });
  const shown = (column: string, value: unknown) =>
    format[column]?.(value) ??
    (typeof value === 'number' ? value.toLocaleString() : String(value ?? ''));
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div ref={holder} />
      <details>
        <summary>Numbers</summary>
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a chart's rows have no identity of their own.
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c}>{shown(c, cell(row, c))}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
