import { z } from 'zod';
import type { Outputs } from '../engine/task';
import { extractJsonObject, fieldValue, readFields } from './parse';
import { promptTask, textColumn } from './promptTask';
import { system, user } from './sentencePair.prompt';

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
export const generateSentencePair = promptTask({
  id: 'generate_sentence_pair',
  label: 'Generate sentence pair',
  description:
    'Writes a "positive" for each "anchor" (a paraphrase, a semantically similar sentence, a query for it, or an answer to it), and optionally a "negative" (unrelated, or a hard negative), for training embedding models.',
  group: 'Classification and embeddings',
  params,
  columns: { anchor: textColumn('The anchor sentence') },
  outputs: (p) => (p.triplet ? ['positive', 'negative'] : ['positive']),
  system,
  template: user,
  derived: { action: (p) => ACTIONS[p.action] },
  formatOutput: (text, _row, p) => readPair(text, p.triplet),
  jsonSchema: (p) => ({
    type: 'object',
    properties: p.triplet
      ? { positive: { type: 'string' }, negative: { type: 'string' } }
      : { positive: { type: 'string' } },
    required: p.triplet ? ['positive', 'negative'] : ['positive'],
  }),
});
