/**
 * A labelled number input. An empty or invalid entry gives `undefined`, so the
 * caller decides what "no value" means (no limit, random seed, a default).
 */
export function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  step,
  placeholder,
}: {
  label: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  min?: number;
  max?: number;
  step?: number | 'any';
  placeholder?: string;
}) {
  return (
    <label className="field narrow">
      <span>{label}</span>
      <input
        type="number"
        min={min}
        max={max}
        step={step}
        value={value ?? ''}
        placeholder={placeholder}
        onChange={(e) =>
          onChange(Number.isFinite(e.target.valueAsNumber) ? e.target.valueAsNumber : undefined)
        }
      />
    </label>
  );
}
