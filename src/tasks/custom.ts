import { z } from 'zod';
import { readJsonFields, readObjectSchema, schemaColumns, schemaParam } from './jsonFields';
import { promptTask, templateInputs } from './promptTask';

/**
 * Tasks a person defines: a Jinja prompt over their columns, and a way to read
 * the answer. One catalog entry per way of reading it.
 */

const template = (defaultTemplate: string) =>
  z
    .string()
    .min(1)
    .default(defaultTemplate)
    .describe('Prompt template (Jinja; {{ column }} inserts a column)');
const systemPrompt = z.string().default('').describe('System prompt');

/** The person's template over their columns, with their system prompt; rated rows can be its examples. */
const ownPrompt = {
  fewShot: true,
  system: (p: { systemPrompt: string }) => p.systemPrompt,
  template: (p: { template: string }) => p.template,
};

const textParams = z.object({ template: template('{{ instruction }}'), systemPrompt });

export const customText = promptTask({
  id: 'custom_text',
  label: 'Custom prompt: text answer',
  description:
    'Your own Jinja prompt over the dataset\'s columns; the whole answer is kept as "generation".',
  group: 'Custom',
  params: textParams,
  inputs: (p) => templateInputs(p.template),
  outputs: ['generation'],
  ...ownPrompt,
  formatOutput: (text) => ({ generation: text.trim() || null }),
});

const jsonParams = z.object({
  template: template(
    'Describe the product below.\n\n{{ instruction }}\n\nAnswer in JSON with the fields "name" and "summary".',
  ),
  systemPrompt,
  schema: schemaParam(
    {
      type: 'object',
      properties: { name: { type: 'string' }, summary: { type: 'string' } },
      required: ['name', 'summary'],
    },
    'JSON schema of the answer (each property becomes a column)',
  ),
});

export const customJson = promptTask({
  id: 'custom_json',
  label: 'Custom prompt: JSON answer',
  description:
    'Your own Jinja prompt; the answer is a JSON object read against your JSON schema (enforced when the provider can), and each top-level property becomes a column. A missing value or one of the wrong type is null.',
  group: 'Custom',
  params: jsonParams,
  inputs: (p) => templateInputs(p.template),
  outputs: (p) => schemaColumns(p.schema),
  ...ownPrompt,
  formatOutput: (text, _row, p) => readJsonFields(text, p.schema),
  jsonSchema: (p) => readObjectSchema(p.schema)?.schema,
  structuredByDefault: true,
});

/** The named groups of a regular expression, in order; null when it does not compile. */
export function namedGroups(pattern: string, flags = ''): string[] | null {
  try {
    new RegExp(pattern, flags);
  } catch {
    return null;
  }
  return [...pattern.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]);
}

const regexParams = z.object({
  template: template(
    'Rate the review below from 1 to 5, then name its topic.\n\n{{ review }}\n\nAnswer as:\nRating: <1-5>\nTopic: <topic>',
  ),
  systemPrompt,
  pattern: z
    .string()
    .refine((pattern) => namedGroups(pattern) !== null, 'The regular expression does not compile.')
    .refine(
      (pattern) => namedGroups(pattern)?.length !== 0,
      'The regular expression needs at least one named group, such as (?<score>\\d+).',
    )
    .default('Rating:\\s*(?<rating>[1-5])\\b[\\s\\S]*?Topic:\\s*(?<topic>[^\\n]+)')
    .describe('Regular expression; each named group (?<name>...) becomes a column'),
  ignoreCase: z.boolean().default(true).describe('Ignore case when matching'),
});

export const customRegex = promptTask({
  id: 'custom_regex',
  label: 'Custom prompt: regex fields',
  description:
    'Your own Jinja prompt; the answer is matched with your regular expression, and each named group becomes a column (the first match counts; no match gives nulls).',
  group: 'Custom',
  params: regexParams,
  inputs: (p) => templateInputs(p.template),
  outputs: (p) => [...new Set(namedGroups(p.pattern) ?? [])],
  ...ownPrompt,
  formatOutput(text, _row, p) {
    const match = new RegExp(p.pattern, p.ignoreCase ? 'i' : '').exec(text);
    if (!match?.groups) return {};
    return Object.fromEntries(
      Object.entries(match.groups).map(([name, value]) => [name, value?.trim() || null]),
    );
  },
});
