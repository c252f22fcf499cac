import type { z } from 'zod';
import type { Task } from '../engine/task';
import { setTaskParam } from '../state/form';
import { NumberField } from './NumberField';

type Field = z.ZodType & {
  def: { type: string; innerType?: Field; defaultValue?: unknown; element?: Field };
  options?: string[];
  description?: string;
};

/** Strips .default()/.optional() wrappers to the type the field edits. */
function unwrap(field: Field): Field {
  let inner = field;
  while (inner.def.innerType) inner = inner.def.innerType;
  return inner;
}

/** The task's parameter form, built from its zod schema: one control per field. */
export function ParamsForm({ task, values }: { task: Task; values: Record<string, unknown> }) {
  const shape = (task.params as unknown as { shape?: Record<string, Field> }).shape ?? {};
  const defaults = task.params.safeParse({}).data ?? {};
  return (
    <div className="params">
      {Object.entries(shape).map(([name, field]) => {
        const label = field.description ?? unwrap(field).description ?? name;
        const value = values[name] ?? (defaults as Record<string, unknown>)[name];
        const set = (v: unknown) => setTaskParam(task.id, name, v);
        return (
          <FieldControl
            key={`${task.id}.${name}`}
            label={label}
            field={unwrap(field)}
            value={value}
            onChange={set}
          />
        );
      })}
    </div>
  );
}

function FieldControl({
  label,
  field,
  value,
  onChange,
}: {
  label: string;
  field: Field;
  value: unknown;
  onChange: (v: unknown) => void;
}) {
  switch (field.def.type) {
    case 'boolean':
      return (
        <label className="check">
          <input
            type="checkbox"
            checked={Boolean(value)}
            onChange={(e) => onChange(e.target.checked)}
          />
          <span>{label}</span>
        </label>
      );
    case 'number':
      return (
        <NumberField
          label={label}
          value={typeof value === 'number' ? value : undefined}
          onChange={onChange}
        />
      );
    case 'enum':
      return (
        <label className="field">
          <span>{label}</span>
          <select value={String(value)} onChange={(e) => onChange(e.target.value)}>
            {(field.options ?? []).map((option) => (
              <option key={option}>{option}</option>
            ))}
          </select>
        </label>
      );
    case 'array':
      return (
        <label className="field wide">
          <span>{label} (one per line)</span>
          <textarea
            rows={3}
            value={((value as string[]) ?? []).join('\n')}
            onChange={(e) =>
              onChange(e.target.value.split('\n').filter((line) => line.trim() !== ''))
            }
          />
        </label>
      );
    default:
      return (
        <label className="field wide">
          <span>{label}</span>
          <textarea
            rows={Math.min(10, Math.max(2, String(value ?? '').split('\n').length))}
            spellCheck={false}
            value={String(value ?? '')}
            onChange={(e) => onChange(e.target.value)}
          />
        </label>
      );
  }
}
