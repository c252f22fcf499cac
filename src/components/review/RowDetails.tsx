import { useEffect, useRef, useState } from 'react';
import type { Result } from '../../engine/db/schema';
import { cellText } from '../../engine/review/cells';
import type { RowDetails as Details } from '../../engine/review/details';
import { statusOf } from '../../engine/review/views';
import { engine } from '../../engineClient';
import { taskLabel } from '../../tasks';
import { ErrorAlert } from '../Section';

/**
 * One row whole, in a modal dialog: its inputs, then for each run shown, each
 * generation's outputs, model, finish reason, token counts, error, raw input
 * and raw output. Every block can be copied. Escape closes it.
 */
export function RowDetails({
  datasetId,
  runIds,
  rowIndex,
  onClose,
}: {
  datasetId: string;
  runIds: string[];
  rowIndex: number;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [details, setDetails] = useState<Details>();
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const key = `${datasetId}:${runIds.join(',')}:${rowIndex}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for what is shown.
  useEffect(() => {
    setDetails(undefined);
    engine.rowDetails({ datasetId, runIds }, rowIndex).then(setDetails, setError);
  }, [key]);

  return (
    <dialog ref={dialog} aria-label="Row details" className="details" onClose={onClose}>
      <header className="details-head">
        <h3>Row {rowIndex + 1}</h3>
        <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </header>
      <ErrorAlert error={error} />
      {!details && !error && <p className="muted">Reading the row…</p>}
      {details && (
        <>
          <section aria-label="Inputs">
            <h4>Inputs</h4>
            {Object.entries(details.row).map(([column, value]) => (
              <Block key={column} title={column} text={cellText(value)} />
            ))}
          </section>
          {details.runs.map((run) => (
            <section key={run.runId} aria-label={`Generations of ${taskLabel(run.taskId)}`}>
              <h4>{taskLabel(run.taskId)}</h4>
              {run.generations.length === 0 && <p className="muted">No result yet.</p>}
              {run.generations.map((g) => (
                <GenerationDetails key={g.generation} result={g} outputs={run.outputs} />
              ))}
            </section>
          ))}
        </>
      )}
    </dialog>
  );
}

function GenerationDetails({ result, outputs }: { result: Result; outputs: readonly string[] }) {
  const meta = (prefix: string) =>
    Object.entries(result.metadata).find(([key]) => key.startsWith(prefix))?.[1];
  const stats = meta('statistics_') as
    | { input_tokens?: number; output_tokens?: number }
    | undefined;
  const finish = result.finishReason;
  return (
    <article className={`generation ${statusOf(result)}`}>
      <h5>Generation {result.generation + 1}</h5>
      <dl className="facts">
        <dt>Outcome</dt>
        <dd>{statusOf(result)}</dd>
        <dt>Model</dt>
        <dd>{result.modelName}</dd>
        <dt>Finish reason</dt>
        <dd>
          {finish
            ? `${finish.unified}${finish.raw && finish.raw !== finish.unified ? ` (${finish.raw})` : ''}`
            : '—'}
        </dd>
        <dt>Tokens</dt>
        <dd>
          {stats ? `${stats.input_tokens ?? 0} input · ${stats.output_tokens ?? 0} output` : '—'}
        </dd>
      </dl>
      {result.error && <Block title="Error" text={result.error} />}
      {result.status === 'done' &&
        outputs.map((column) => (
          <Block
            key={column}
            title={column}
            text={cellText(Object.hasOwn(result.outputs, column) ? result.outputs[column] : null)}
          />
        ))}
      {meta('raw_input_') !== undefined && (
        <Block title="Raw input" text={JSON.stringify(meta('raw_input_'), null, 2)} />
      )}
      {meta('raw_output_') !== undefined && (
        <Block title="Raw output" text={cellText(meta('raw_output_'))} />
      )}
    </article>
  );
}

/** A titled text, whole, never rendered as HTML, with a button that copies it. */
function Block({ title, text }: { title: string; text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="block">
      <div className="block-head">
        <span className="block-title">{title}</span>
        <button
          type="button"
          className="secondary small"
          aria-label={`Copy ${title}`}
          onClick={() =>
            navigator.clipboard.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre>{text || '(empty)'}</pre>
    </div>
  );
}
