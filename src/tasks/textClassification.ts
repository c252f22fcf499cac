import { z } from 'zod';
import { cleanValue, extractJsonObject } from './parse';
import { promptTask, textColumn } from './promptTask';
import { systemPrompt, template } from './textClassification.prompt';

const params = z.object({
  labels: z
    .array(z.string())
    .default([])
    .describe(
      'Labels to choose from, one per entry, optionally "label: what it means" (empty: free labels)',
    ),
  numLabels: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(1)
    .describe('Labels per text (more than 1: multi-label)'),
  defaultLabel: z
    .string()
    .default('Unclassified')
    .describe('Label for a text that cannot be classified'),
  context: z
    .string()
    .default(
      "Give concise, relevant labels that capture the text's main themes, topics or categories.",
    )
    .describe('Context for the classifier'),
  examples: z.array(z.string()).default([]).describe('Examples (few-shot), one per entry'),
  queryTitle: z.string().default('User Query').describe('What the texts are called'),
});
type Params = z.infer<typeof params>;

interface Label {
  name: string;
  description: string;
}

/** `label` or `label: description` entries; blanks dropped. */
export function parseLabels(entries: readonly string[]): Label[] {
  return entries
    .map((entry) => {
      const at = entry.indexOf(':');
      return at < 0
        ? { name: entry.trim(), description: '' }
        : { name: entry.slice(0, at).trim(), description: entry.slice(at + 1).trim() };
    })
    .filter((label) => label.name !== '');
}

function allowedLabels(p: Params): string[] | null {
  const labels = parseLabels(p.labels).map((l) => l.name);
  return labels.length > 0 ? [...labels, p.defaultLabel] : null;
}

/** The label as the person spelled it, or null when it is not one of theirs. */
function canonical(label: unknown, allowed: string[] | null): string | null {
  if (typeof label !== 'string') return null;
  const value = cleanValue(label);
  if (!value) return null;
  if (!allowed) return value;
  return allowed.find((a) => a.toLowerCase() === value.toLowerCase()) ?? null;
}

/**
 * `{"labels": ...}` (also a bare label, when one is asked for among a list). With a list of
 * labels, any label outside it makes the answer unreadable: null.
 */
export function readLabels(text: string, p: Params): string | string[] | null {
  const allowed = allowedLabels(p);
  const json = extractJsonObject(text);
  const raw = json ? json.labels : cleanValue(text);
  if (p.numLabels === 1) {
    const single = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
    // A bare answer counts only when it is exactly one of the person's labels.
    if (!json && (!allowed || typeof single !== 'string' || single.includes('\n'))) return null;
    return canonical(single, allowed);
  }
  if (!json) return null;
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0 || list.length > p.numLabels) return null;
  const labels = list.map((l) => canonical(l, allowed));
  return labels.every((l) => l !== null) ? [...new Set(labels as string[])] : null;
}

function labelsSchema(p: Params): Record<string, unknown> {
  const allowed = allowedLabels(p);
  const label = allowed ? { type: 'string', enum: allowed } : { type: 'string' };
  return {
    type: 'object',
    properties: {
      labels:
        p.numLabels === 1
          ? label
          : { type: 'array', items: label, minItems: 1, maxItems: p.numLabels },
    },
    required: ['labels'],
  };
}

/** distilabel's TextClassification: one label, or several, per text. */
export const textClassification = promptTask({
  id: 'text_classification',
  label: 'Text classification',
  description:
    'Labels each "text": with one label or several (multi-label), chosen from your labels (with descriptions) or free, and a default label for texts that cannot be classified. Writes "labels" (a label, or a list of them).',
  group: 'Classification and embeddings',
  params,
  columns: { text: textColumn('The text to classify') },
  outputs: ['labels'],
  system: systemPrompt,
  template,
  derived: {
    labels: (p) => parseLabels(p.labels),
    described: (p) => parseLabels(p.labels).some((l) => l.description),
    examples: (p) => p.examples.filter((e) => e.trim()),
    labelsFormat: (p) =>
      p.numLabels === 1
        ? '"label"'
        : `[${Array.from({ length: p.numLabels }, (_, i) => `"label_${i}"`).join(', ')}]`,
  },
  formatOutput: (text, _row, p) => ({ labels: readLabels(text, p) }),
  jsonSchema: labelsSchema,
  structuredByDefault: true,
});
