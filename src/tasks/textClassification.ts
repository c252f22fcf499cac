import { z } from 'zod';
import type { Task } from '../engine/task';
import { renderTemplate } from '../engine/template';
import { cleanValue, extractJsonObject } from './parse';
import { chat, textOf } from './rows';

/**
 * distilabel's TextClassification prompt in our own words; the JSON answer
 * `{"labels": ...}` (one label, or a list for several) is the method's.
 */
export const template = `# Instruction
Classify the {{ query_title | lower }} below by giving it the most fitting labels.
Do not explain your reasoning or add any commentary.
If the text is ambiguous or lacks the information needed to classify it, answer with "{{ default_label }}".
{% if n == 1 %}
Give the one label that best describes the text.
{% else %}
Give a list of up to {{ n }} labels that best describe the text.
{% endif %}
{% if context %}
{{ context }}
{% endif %}
{% if labels %}

## Labels
Choose only among these labels{% if described %}, reading what each one means{% endif %}:
{% for label in labels %}
- "{{ label.name }}"{% if label.description %}: {{ label.description }}{% endif %}

{% endfor %}
{% else %}
Use clear, widely understood terms as labels; avoid very specific or obscure ones unless the text calls for them.
{% endif %}
{% if examples %}

## Examples
Some examples of the task:
{% for example in examples %}
- {{ example }}
{% endfor %}
{% endif %}

## {{ query_title }}
\`\`\`
{{ text }}
\`\`\`

## Output format
Answer with the labels in JSON, and nothing else:
\`\`\`
{"labels": {{ labels_format }}}
\`\`\``;

export const systemPrompt =
  'You are an AI system that labels pieces of text. Your only job is to read the text given and give it fitting classification labels.';

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
  structuredOutput: z
    .boolean()
    .default(true)
    .describe('Ask for a JSON answer (when the provider can enforce one)'),
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
export const textClassification: Task<typeof params> = {
  id: 'text_classification',
  label: 'Text classification',
  description:
    'Labels each "text": with one label or several (multi-label), chosen from your labels (with descriptions) or free, and a default label for texts that cannot be classified. Writes "labels" (a label, or a list of them).',
  group: 'Classification and embeddings',
  params,
  inputs: [{ name: 'text', description: 'The text to classify' }],
  outputs: ['labels'],
  formatInput(row, p) {
    const labels = parseLabels(p.labels);
    const format =
      p.numLabels === 1
        ? '"label"'
        : `[${Array.from({ length: p.numLabels }, (_, i) => `"label_${i}"`).join(', ')}]`;
    return chat(
      systemPrompt,
      renderTemplate(template, {
        text: textOf(row, 'text'),
        query_title: p.queryTitle,
        default_label: p.defaultLabel,
        n: p.numLabels,
        context: p.context,
        labels,
        described: labels.some((l) => l.description),
        examples: p.examples.filter((e) => e.trim()),
        labels_format: format,
      }),
    );
  },
  formatOutput: (text, _row, p) => ({ labels: readLabels(text, p) }),
  jsonSchema: (p) => (p.structuredOutput ? labelsSchema(p) : undefined),
};
