import { useMemo } from 'react';
import type { Dataset } from '../engine/db/schema';
import type { ChatMessage } from '../engine/llm/types';
import {
  mapRow,
  missingInputs,
  type Row,
  resolveParams,
  type Task,
  taskInputs,
} from '../engine/task';
import { setForm, setMapping, useForm } from '../state/form';
import { findTask, tasks } from '../tasks';
import { NumberField } from './NumberField';
import { ParamsForm } from './ParamsForm';
import { useDataset, useFirstRows } from './queries';
import { Section } from './Section';

export function TaskSection() {
  const form = useForm();
  const task = findTask(form.taskId);
  const dataset = useDataset(form.datasetId);
  const firstRow = useFirstRows(form.datasetId, 1)?.[0];
  const values = form.taskParams[task.id] ?? {};
  const check = useMemo(
    () => checkTask(task, values, form.inputMapping, dataset, firstRow),
    [task, values, form.inputMapping, dataset, firstRow],
  );

  return (
    <Section step={2} title="Task">
      <label className="field">
        <span>Task</span>
        <select value={task.id} onChange={(e) => setForm({ taskId: e.target.value })}>
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
      <ParamsForm task={task} values={values} />
      {dataset && check.inputs.length > 0 && (
        <fieldset className="mapping">
          <legend>Columns the task reads</legend>
          {check.inputs.map((input) => (
            <label key={input.name} className="field">
              <span>
                {input.name}
                {input.optional ? ' (optional)' : ''}
              </span>
              <select
                value={form.inputMapping[input.name] ?? ''}
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
          value={form.numGenerations}
          onChange={(v) => setForm({ numGenerations: clampInt(v ?? 1, 1, 64) })}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={form.groupGenerations}
            onChange={(e) => setForm({ groupGenerations: e.target.checked })}
          />
          <span>Group generations into lists (one row per input)</span>
        </label>
      </div>
      {dataset &&
        check.problems.map((problem) => (
          <p role="alert" className="alert" key={problem}>
            {problem}
          </p>
        ))}
      {check.messages && <PromptPreview messages={check.messages} />}
    </Section>
  );
}

function PromptPreview({ messages }: { messages: ChatMessage[] }) {
  return (
    <details className="preview" open>
      <summary>Prompt for the first row</summary>
      {messages.map((m, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: messages are a fixed sequence
        <div key={i} className={`message ${m.role}`}>
          <span className="role">{m.role}</span>
          <pre>{m.content}</pre>
        </div>
      ))}
    </details>
  );
}

/** What the form would send for the first row, or why it cannot. Pure: the worker checks again at Run. */
function checkTask(
  task: Task,
  values: Record<string, unknown>,
  inputMapping: Record<string, string>,
  dataset: Dataset | undefined,
  firstRow: Row | undefined,
) {
  try {
    const params = resolveParams(task, values);
    const inputs = taskInputs(task, params);
    if (!dataset) return { inputs, problems: [], messages: null };
    const problems = missingInputs(inputs, dataset.columns, { inputMapping });
    if (problems.length > 0 || !firstRow) return { inputs, problems, messages: null };
    return {
      inputs,
      problems,
      messages: task.formatInput(mapRow(firstRow, inputs, { inputMapping }), params),
    };
  } catch (error) {
    return { inputs: [], problems: [(error as Error).message], messages: null };
  }
}

function groups(): [string, Task[]][] {
  const byGroup = new Map<string, Task[]>();
  for (const t of tasks) byGroup.set(t.group, [...(byGroup.get(t.group) ?? []), t]);
  return [...byGroup];
}

export function clampInt(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : min;
}
