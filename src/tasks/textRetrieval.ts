import { z } from 'zod';
import type { ChatMessage } from '../engine/llm/types';
import type { ChainTask, Outputs, Row } from '../engine/task';
import { renderTemplate } from '../engine/template';
import { extractJsonObject } from './parse';
import { chat, textOf } from './rows';
import { template } from './textRetrieval.prompt';

/** The method's choices; "random" draws one per generation from the run's seed, as distilabel draws per row. */
const CHOICES = {
  queryType: ['extremely long-tail', 'long-tail', 'common'],
  queryLength: ['less than 5 words', '5 to 15 words', 'at least 10 words'],
  difficulty: ['high school', 'college', 'PhD'],
  clarity: ['clear', 'understandable with some effort', 'ambiguous'],
  numWords: ['50', '100', '200', '300', '400', '500'],
} as const;
type Choice = keyof typeof CHOICES;

/** One of the method's choices, or "random". */
function choice(options: readonly string[], label: string) {
  return z
    .enum(['random', ...options])
    .default('random')
    .describe(label);
}

const params = z.object({
  queryType: choice(CHOICES.queryType, 'Query type'),
  queryLength: choice(CHOICES.queryLength, 'Query length'),
  difficulty: choice(CHOICES.difficulty, 'Education level needed'),
  clarity: choice(CHOICES.clarity, 'Query clarity'),
  numWords: choice(CHOICES.numWords, 'Minimum words per document'),
  language: z.string().default('English').describe('Language of the query and documents'),
});
type Params = z.infer<typeof params>;

const KEYS = ['user_query', 'positive_document', 'hard_negative_document'] as const;

/** The prompt with each "random" setting drawn by `draw` (uniform in [0, 1)). */
function prompt(row: Row, p: Params, draw: () => number): ChatMessage[] {
  const pick = (key: Choice) => {
    const value = p[key];
    const options = CHOICES[key];
    return value === 'random' ? options[Math.floor(draw() * options.length)] : value;
  };
  return chat(
    undefined,
    renderTemplate(template, {
      task: textOf(row, 'task'),
      query_type: pick('queryType'),
      query_length: pick('queryLength'),
      difficulty: pick('difficulty'),
      clarity: pick('clarity'),
      num_words: pick('numWords'),
      language: p.language.trim() || 'English',
    }),
  );
}

/** The answer's JSON object (fenced, after a preamble, before commentary): one column per key, null where missing or empty. */
export function readRetrievalExample(text: string): Outputs {
  const json = extractJsonObject(text);
  if (!json) return {};
  return Object.fromEntries(
    KEYS.map((key) => {
      const value = json[key];
      return [key, typeof value === 'string' && value.trim() ? value.trim() : null];
    }),
  );
}

/** distilabel's GenerateTextRetrievalData: a query with a positive and a hard negative document, for embedding training. */
export const generateTextRetrievalData: ChainTask<typeof params> = {
  kind: 'chain',
  id: 'generate_text_retrieval_data',
  label: 'Text retrieval data',
  description:
    'Writes a retrieval example for each "task" (a description of a retrieval task): a "user_query", a relevant "positive_document" and a "hard_negative_document" that only looks relevant, for training embedding models (the "Improving Text Embeddings with LLMs" method). Settings left on "random" are drawn per generation from the run\'s seed.',
  group: 'Classification and embeddings',
  params,
  inputs: [{ name: 'task', description: 'The retrieval task, described in a sentence' }],
  outputs: KEYS,
  /** The preview has no seed to draw from: it shows the first choice of each "random" setting. */
  preview: (row, p) => ({ messages: prompt(row, p, () => 0) }),
  // A chain of one call, as each generation draws its own "random" settings.
  callsPerGeneration: () => 1,
  async run(row, p, chain) {
    const answer = await chain.complete(prompt(row, p, () => chain.random()));
    return answer === null ? {} : readRetrievalExample(answer);
  },
  jsonSchema: () => ({
    type: 'object',
    properties: Object.fromEntries(KEYS.map((key) => [key, { type: 'string' }])),
    required: [...KEYS],
  }),
  structuredByDefault: true,
};
