import { z } from 'zod';
import { extractJson, listItems, listLines } from './parse';
import { promptTask, textColumn } from './promptTask';
import { template } from './selfInstruct.prompt';

const DEFAULT_CRITERIA = [
  'Use a wide range of verbs, without repeating them.',
  'Keep each query to one or two sentences that a text model can answer.',
  'Make each query self-contained: it must make sense on its own.',
  'Mix questions (e.g. "Why does x matter?") with requests (e.g. "Describe how x works.").',
].join('\n');

const params = z.object({
  numInstructions: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(5)
    .describe('Queries to write per input'),
  applicationDescription: z
    .string()
    .default('AI assistant')
    .describe('The AI application the queries are for'),
  criteria: z.string().default(DEFAULT_CRITERIA).describe('Criteria for the queries'),
});

/**
 * The queries, one per line, without bullets, numbering, a heading, or a
 * preamble line ending in a colon; a JSON array of strings is read too. When
 * the answer is a bulleted or numbered list, only its items are queries: the
 * lines around them are the model's preamble and closing remarks.
 */
export function readQueries(text: string): string[] | null {
  const json = extractJson(text);
  if (Array.isArray(json) && json.length > 0 && json.every((q) => typeof q === 'string')) {
    const queries = json.map((q) => q.trim()).filter(Boolean);
    return queries.length > 0 ? queries : null;
  }
  const body = text.replace(/```[a-z]*\n?/gi, '');
  const items = listItems(body);
  const queries = (items.length > 0 ? items : listLines(body)).filter(
    (line) => !/^#/.test(line) && !/:$/.test(line),
  );
  return queries.length > 0 ? queries : null;
}

/** distilabel's SelfInstruct: new user queries inspired by a piece of context. */
export const selfInstruct = promptTask({
  id: 'self_instruct',
  label: 'Self-Instruct',
  description:
    'Writes new user queries for an AI application from each "input" (a seed text or topic), following your criteria. Writes "instructions", a list of queries.',
  group: 'Generation',
  params,
  columns: { input: textColumn('The seed text the queries are about') },
  outputs: ['instructions'],
  template,
  formatOutput: (text) => ({ instructions: readQueries(text) }),
});
