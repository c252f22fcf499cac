import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import type { JudgementChange, ResultKey } from '../../engine/db/results';
import type { Result } from '../../engine/db/schema';
import { cellText } from '../../engine/review/cells';
import type { RowDetails as Details } from '../../engine/review/details';
import { statusOf } from '../../engine/review/views';
import { engine } from '../../engineClient';
import { taskLabel } from '../../tasks';
import { ErrorAlert } from '../Section';

/** A change to a judgement, sent to the worker; `label` names it for Undo. */
export type JudgeAction = (
  keys: ResultKey[],
  change: JudgementChange,
  label: string,
) => Promise<void>;

/**
 * One row whole, in a modal dialog: its inputs, then for each run shown, each
 * generation's outputs, model, finish reason, token counts, error, raw input
 * and raw output, every block with a Copy button. The generations of the run
 * picked (not of a compared one) can be rated, commented, edited and deleted,
 * the line's own from the keyboard: G good, B bad, N and P the next and
 * previous line. Escape closes it.
 */
export function RowDetails({
  datasetId,
  runIds,
  rowIndex,
  generation,
  version,
  onJudge,
  onMove,
  onClose,
}: {
  datasetId: string;
  runIds: string[];
  rowIndex: number;
  /** The generation of the line it was opened from: the keys act on it. */
  generation: number;
  /** The run's last write: the row is read again when it changes. */
  version: number;
  onJudge: JudgeAction;
  onMove: (delta: 1 | -1) => void;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [details, setDetails] = useState<Details>();
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const key = `${datasetId}:${runIds.join(',')}:${rowIndex}:${version}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for what is shown.
  useEffect(() => {
    engine.rowDetails({ datasetId, runIds }, rowIndex).then(setDetails, setError);
  }, [key]);

  const judged = details?.runs[0]?.generations.find((g) => g.generation === generation);
  const act = (change: JudgementChange, label: string) =>
    onJudge([{ rowIndex, generation }], change, label).catch(setError);
  function onKeyDown(event: KeyboardEvent) {
    const target = event.target as HTMLElement;
    if (target.closest('textarea, input') || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === 'g' && judged)
      act({ rating: judged.judgement?.rating === 'good' ? null : 'good' }, 'rating');
    else if (key === 'b' && judged)
      act({ rating: judged.judgement?.rating === 'bad' ? null : 'bad' }, 'rating');
    else if (key === 'n') onMove(1);
    else if (key === 'p') onMove(-1);
    else return;
    event.preventDefault();
  }

  return (
    <dialog
      ref={dialog}
      aria-label="Row details"
      className="details"
      onClose={onClose}
      onKeyDown={onKeyDown}
    >
      <header className="details-head">
        <h3>Row {rowIndex + 1}</h3>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => onMove(-1)}>
            Previous line
          </button>
          <button type="button" className="secondary" onClick={() => onMove(1)}>
            Next line
          </button>
          <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
            Close
          </button>
        </div>
      </header>
      <p className="legend">
        <kbd>G</kbd> good · <kbd>B</kbd> bad · <kbd>N</kbd> next line · <kbd>P</kbd> previous line
        (generation {generation + 1}) · <kbd>Esc</kbd> close
      </p>
      <ErrorAlert error={error} />
      {!details && !error && <p className="muted">Reading the row…</p>}
      {details && details.rowIndex === rowIndex && (
        <>
          <section aria-label="Inputs">
            <h4>Inputs</h4>
            {Object.entries(details.row).map(([column, value]) => (
              <Block key={column} title={column} text={cellText(value)} />
            ))}
          </section>
          {details.runs.map((run, r) => (
            <section key={run.runId} aria-label={`Generations of ${taskLabel(run.taskId)}`}>
              <h4>
                {taskLabel(run.taskId)}
                {r > 0 ? ' (compared)' : ''}
              </h4>
              {run.generations.length === 0 && <p className="muted">No result yet.</p>}
              {run.generations.map((g) => (
                <GenerationDetails
                  key={`${g.generation}:${g.at ?? 0}`}
                  result={g}
                  outputs={run.outputs}
                  judge={
                    r === 0
                      ? (change, label) =>
                          onJudge([{ rowIndex, generation: g.generation }], change, label).catch(
                            setError,
                          )
                      : undefined
                  }
                />
              ))}
            </section>
          ))}
        </>
      )}
    </dialog>
  );
}

function GenerationDetails({
  result,
  outputs,
  judge,
}: {
  result: Result;
  outputs: readonly string[];
  /** Present for the generations the person can judge. */
  judge?: (change: JudgementChange, label: string) => Promise<unknown>;
}) {
  const meta = (prefix: string) =>
    Object.entries(result.metadata).find(([key]) => key.startsWith(prefix))?.[1];
  const stats = meta('statistics_') as
    | { input_tokens?: number; output_tokens?: number }
    | undefined;
  const finish = result.finishReason;
  const judgement = result.judgement;
  return (
    <article className={`generation ${statusOf(result)}`}>
      <h5>
        Generation {result.generation + 1}
        {judgement?.deleted ? ' (deleted: left out of every export)' : ''}
      </h5>
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
      {judge && <Judging result={result} judge={judge} />}
      {result.error && <Block title="Error" text={result.error} />}
      {result.status === 'done' &&
        outputs.map((column) =>
          judge ? (
            <OutputEditor key={column} result={result} column={column} judge={judge} />
          ) : (
            <Block key={column} title={column} text={cellText(modelValue(result, column))} />
          ),
        )}
      {meta('raw_input_') !== undefined && (
        <Block title="Raw input" text={JSON.stringify(meta('raw_input_'), null, 2)} />
      )}
      {meta('raw_output_') !== undefined && (
        <Block title="Raw output" text={cellText(meta('raw_output_'))} />
      )}
      {result.history?.map((earlier, i) => (
        <Block
          // biome-ignore lint/suspicious/noArrayIndexKey: the history only grows at its end.
          key={i}
          title={`Answer before regeneration ${i + 1} (${earlier.modelName}${earlier.judgement?.rating ? `, rated ${earlier.judgement.rating}` : ''})`}
          text={outputs.map((c) => cellText(modelValue(earlier, c))).join('\n\n')}
        />
      ))}
    </article>
  );
}

const modelValue = (result: Pick<Result, 'outputs'>, column: string) =>
  Object.hasOwn(result.outputs, column) ? result.outputs[column] : null;

/** Good and Bad (pressed when chosen), a comment, and Delete or Restore. */
function Judging({
  result,
  judge,
}: {
  result: Result;
  judge: (change: JudgementChange, label: string) => Promise<unknown>;
}) {
  const judgement = result.judgement;
  const [comment, setComment] = useState(judgement?.comment ?? '');
  const rate = (rating: 'good' | 'bad') =>
    judge({ rating: judgement?.rating === rating ? null : rating }, 'rating');
  return (
    <div className="judge">
      <button
        type="button"
        aria-pressed={judgement?.rating === 'good'}
        onClick={() => rate('good')}
      >
        Good
      </button>
      <button type="button" aria-pressed={judgement?.rating === 'bad'} onClick={() => rate('bad')}>
        Bad
      </button>
      <label className="field wide">
        <span>Comment</span>
        <input value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      <button
        type="button"
        className="secondary"
        disabled={comment.trim() === (judgement?.comment ?? '')}
        onClick={() => judge({ comment: comment || null }, 'comment')}
      >
        Save comment
      </button>
      <button
        type="button"
        className="secondary"
        onClick={() =>
          judge({ deleted: !judgement?.deleted }, judgement?.deleted ? 'restore' : 'deletion')
        }
      >
        {judgement?.deleted ? 'Restore' : 'Delete'}
      </button>
    </div>
  );
}

/**
 * An output as the person can edit it: the textbox is named after its column.
 * The edit is stored beside the model's value, which stays in the metadata;
 * saving the model's value again removes the edit.
 */
function OutputEditor({
  result,
  column,
  judge,
}: {
  result: Result;
  column: string;
  judge: (change: JudgementChange, label: string) => Promise<unknown>;
}) {
  const model = modelValue(result, column);
  const edits = result.judgement?.edits;
  const shown = edits && Object.hasOwn(edits, column) ? edits[column] : model;
  const [text, setText] = useState(cellText(shown));
  const asValue = (entered: string): unknown => {
    // A list or a number is written as JSON; text stays text.
    if (typeof model === 'string' || model === null) return entered;
    try {
      return JSON.parse(entered);
    } catch {
      return entered;
    }
  };
  const save = () => {
    const value = asValue(text);
    const same = JSON.stringify(value) === JSON.stringify(model);
    return judge({ edits: { [column]: same ? null : value } }, 'edit');
  };
  return (
    <div className="block">
      <label className="field wide">
        <span className="block-title">
          {column}
          {edits && Object.hasOwn(edits, column) ? ' (edited by you)' : ''}
        </span>
        <textarea
          rows={Math.min(12, Math.max(2, text.split('\n').length))}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <div className="actions">
        <button type="button" disabled={text === cellText(shown)} onClick={save}>
          Save
        </button>
      </div>
    </div>
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
