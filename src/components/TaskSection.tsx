import { useEffect, useMemo } from 'react';
import type { Dataset } from '../engine/db/schema';
import { toErrorData } from '../engine/errors';
import { shortName } from '../engine/names';
import { cell, type Prompt, type Task } from '../engine/task';
import {
  dropMappings,
  generationsOf,
  setGenerations,
  setMapping,
  setStructured,
  setTask,
  useForm,
} from '../state/form';
import { useReview } from '../state/review';
import { selectBoundTask, selectTaskSpec } from '../state/selectors';
import { taskById, tasks } from '../tasks';
import { FewShotFields, useFewShotExamples } from './FewShotFields';
import { NumberField } from './NumberField';
import { ParamsForm } from './ParamsForm';
import { useDataset, useFirstRows, useLatestRun } from './queries';
import { Note, Section } from './Section';
import { useScoped } from './useScoped';

export function TaskSection() {
  const form = useForm();
  const { task: slice } = form;
  const task = taskById(slice.taskId) ?? tasks[0];
  const dataset = useDataset(form.data.datasetId);
  const firstRow = useFirstRows(form.data.datasetId, 1)?.[0];
  const structuredOutput = selectTaskSpec(form).settings.structuredOutput;
  const latestRun = useLatestRun(form.data.datasetId);
  const pickedRun = useReview((s) =>
    form.data.datasetId ? s.picked[form.data.datasetId] : undefined,
  );
  const fewShot = useFewShotExamples(form);
  // The same check the worker makes at Run: settings, mapped inputs, examples, the first row's prompt.
  const bound = useMemo(() => selectBoundTask(form, fewShot.examples), [form, fewShot.examples]);
  const check = useMemo(() => {
    if (!bound.ok) return { problems: [bound.problem] };
    if (fewShot.error) return { problems: [toErrorData(fewShot.error).message] };
    return dataset ? bound.value.check(dataset.columns, firstRow) : { problems: [] };
  }, [bound, fewShot.error, dataset, firstRow]);
  const inputs = bound.ok ? bound.value.inputs : [];
  const generations = generationsOf(slice);
  const dropped = useStaleMappingsDropped(dataset);

  return (
    <Section step={2} title="Task">
      <label className="field">
        <span>Task</span>
        <select value={task.id} onChange={(e) => setTask({ taskId: e.target.value })}>
          {groups().map(([group, members]) => (
            <optgroup key={group} label={group}>
              {members.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.label}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      <p className="muted">{task.description}</p>
      <ParamsForm task={task} values={slice.params[task.id] ?? {}} />
      {task.jsonSchema && (
        <label className="check">
          <input
            type="checkbox"
            checked={structuredOutput}
            onChange={(e) => setStructured(task.id, e.target.checked)}
          />
          <span>Ask for a JSON answer (structured output, when the provider can enforce it)</span>
        </label>
      )}
      {dataset && task.fewShot && (
        <FewShotFields form={form} shownRunId={pickedRun ?? latestRun?.id} />
      )}
      <Note>{dropped}</Note>
      {dataset && inputs.length > 0 && (
        <fieldset className="mapping">
          <legend>Columns the task reads</legend>
          {inputs.map((input) => (
            <label key={input.name} className="field">
              <span>
                {input.name}
                {input.optional ? ' (optional)' : ''}
              </span>
              <select
                value={cell(slice.inputMapping, input.name) ?? ''}
                onChange={(e) => setMapping(input.name, e.target.value)}
              >
                <option value="">
                  {dataset.columns.includes(input.name) ? `column "${input.name}"` : 'no column'}
                </option>
                {dataset.columns
                  .filter((c) => c !== input.name)
                  .map((c) => (
                    <option key={c} value={c}>
                      column "{c}"
                    </option>
                  ))}
              </select>
            </label>
          ))}
        </fieldset>
      )}
      <div className="field-row">
        <NumberField
          label="Generations per row"
          min={1}
          max={64}
          value={generations.count}
          onChange={(v) => setGenerations({ count: clampInt(v ?? 1, 1, 64) })}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={generations.group}
            onChange={(e) => setGenerations({ group: e.target.checked })}
          />
          <span>Group generations into lists (one row per input)</span>
        </label>
      </div>
      {(dataset || !bound.ok) &&
        check.problems.map((problem) => (
          <p role="alert" className="alert" key={problem}>
            {problem}
          </p>
        ))}
      {'preview' in check && check.preview && (
        <PromptPreview
          prompt={check.preview}
          calls={bound.ok ? bound.value.callsPerGeneration : 1}
          examples={bound.ok ? bound.value.examples.length : 0}
        />
      )}
    </Section>
  );
}

/** The first row's first call, as it will be sent; a chain says how many calls follow. */
function PromptPreview({
  prompt,
  calls,
  examples,
}: {
  prompt: Prompt;
  calls: number;
  examples: number;
}) {
  return (
    <details className="preview" open>
      <summary>
        Prompt for the first row
        {calls > 1 ? ` (the first of up to ${calls} calls per generation)` : ''}
        {examples > 0 ? `, with ${examples} rated ${examples === 1 ? 'example' : 'examples'}` : ''}
      </summary>
      {'raw' in prompt ? (
        <div className="message raw">
          <span className="role">raw prompt, no chat template</span>
          <pre>{prompt.raw}</pre>
        </div>
      ) : (
        prompt.messages.map((m, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: messages are a fixed sequence
          <div key={i} className={`message ${m.role}`}>
            <span className="role">{m.role}</span>
            <pre>{m.content}</pre>
          </div>
        ))
      )}
    </details>
  );
}

/**
 * A mapping to a column the selected dataset lacks (left from another
 * dataset) is dropped, since the form offers no way to pick it, and said.
 */
function useStaleMappingsDropped(dataset: Dataset | undefined): string | undefined {
  const mapping = useForm((s) => s.task.inputMapping);
  const [dropped, setDropped] = useScoped<string>(dataset?.id ?? '');
  useEffect(() => {
    if (!dataset) return;
    const stale = Object.entries(mapping).filter(
      ([, column]) => column && !dataset.columns.includes(column),
    );
    if (stale.length === 0) return;
    dropMappings(stale.map(([input]) => input));
    const listed = stale.map(([input, column]) => `${input} from "${shortName(column)}"`);
    setDropped(
      `Dropped the mapping of ${listed.join(', ')}: "${shortName(dataset.name)}" has no such column.`,
    );
  }, [dataset, mapping, setDropped]);
  return dropped;
}

function groups(): [string, Task[]][] {
  const byGroup = new Map<string, Task[]>();
  for (const t of tasks) byGroup.set(t.group, [...(byGroup.get(t.group) ?? []), t]);
  return [...byGroup];
}

export function clampInt(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : min;
}
