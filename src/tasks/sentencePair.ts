import { z } from 'zod';
import type { Outputs, Task } from '../engine/task';
import { renderTemplate } from '../engine/template';
import { extractJsonObject, fieldValue, readFields } from './parse';
import { chat, textOf } from './rows';

/**
 * distilabel's GenerateSentencePair prompts in our own words; the actions, the
 * negative styles and the `## Positive` / `## Negative` answer are the method's.
 */
export const system = `Your task is to write {% if triplet %}a positive and a negative sentence{% else %}a positive sentence{% endif %} for a given anchor sentence.{% if context %} Take the given context into account.{% endif %} The positive sentence must {{ action }} the anchor sentence{% if triplet %}, while the negative sentence {% if hard_negative %}is a "hard negative" that:
- uses keywords or phrases like the anchor's,
- has a grammatical structure like the anchor's,
- is not related to the anchor, yet could be mistaken for it.
Make the negative as hard as you can for a model to tell apart from the positive{% else %}may use similar words but must be unrelated to the anchor sentence{% endif %}{% endif %}. Write only {% if triplet %}two new sections: \`## Positive\` and \`## Negative\`{% else %}one new section: \`## Positive\`{% endif %}.`;

export const user = `{% if context %}
## Context

{{ context }}

{% endif %}
## Anchor

{{ anchor }}
`;

const ACTIONS = {
  paraphrase: 'paraphrase',
  'semantically-similar': 'be semantically similar to',
  query: 'be a query for',
  answer: 'be an answer for',
} as const;

const params = z.object({
  action: z
    .enum(['paraphrase', 'semantically-similar', 'query', 'answer'])
    .default('paraphrase')
    .describe('What the positive is to the anchor'),
  triplet: z
    .boolean()
    .default(false)
    .describe('Also write a negative (anchor, positive, negative)'),
  hardNegative: z.boolean().default(false).describe('Make the negative a hard negative'),
  context: z.string().default('').describe('Context for the sentences (optional)'),
  structuredOutput: z
    .boolean()
    .default(false)
    .describe('Ask for a JSON answer (when the provider can enforce one)'),
});

/** `## Positive` / `## Negative` sections (or `Positive:` labels, or JSON), in either order. */
export function readPair(text: string, triplet: boolean): Outputs {
  const json = extractJsonObject(text);
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  if (json)
    return triplet
      ? { positive: str(json.positive), negative: str(json.negative) }
      : { positive: str(json.positive) };
  const fields = readFields(text, [
    'Positive',
    'Negative',
    'Positive sentence',
    'Negative sentence',
  ]).map((f) => ({
    ...f,
    label: f.label.replace(/ sentence$/, ''),
  }));
  const positive = fieldValue(fields, 'Positive');
  return triplet ? { positive, negative: fieldValue(fields, 'Negative') } : { positive };
}

/** distilabel's GenerateSentencePair: positives (and negatives) for embedding training data. */
export const generateSentencePair: Task<typeof params> = {
  id: 'generate_sentence_pair',
  label: 'Generate sentence pair',
  description:
    'Writes a "positive" for each "anchor" (a paraphrase, a semantically similar sentence, a query for it, or an answer to it), and optionally a "negative" (unrelated, or a hard negative), for training embedding models.',
  group: 'Classification and embeddings',
  params,
  inputs: [{ name: 'anchor', description: 'The anchor sentence' }],
  outputs: (p) => (p.triplet ? ['positive', 'negative'] : ['positive']),
  formatInput: (row, p) => {
    const vars = {
      anchor: textOf(row, 'anchor'),
      action: ACTIONS[p.action],
      triplet: p.triplet,
      hard_negative: p.hardNegative,
      context: p.context.trim(),
    };
    return chat(renderTemplate(system, vars), renderTemplate(user, vars));
  },
  formatOutput: (text, _row, p) => readPair(text, p.triplet),
  jsonSchema: (p) =>
    p.structuredOutput
      ? {
          type: 'object',
          properties: p.triplet
            ? { positive: { type: 'string' }, negative: { type: 'string' } }
            : { positive: { type: 'string' } },
          required: p.triplet ? ['positive', 'negative'] : ['positive'],
        }
      : undefined,
};
