import { indexedScores, jsonScores } from './parse';
import { listColumn, promptTask, textColumn } from './promptTask';
import { listOf } from './rows';
import { complexity, quality } from './scorers.prompt';

/**
 * `[i] Score: s` lines (or `{"scores": [...]}`) on a 1..count+1 scale, one per item.
 * Null when no score could be read.
 */
export function readScores(text: string, count: number): (number | null)[] | null {
  const scale = { min: 1, max: count + 1 };
  return jsonScores(text, 'scores', count, scale) ?? indexedScores(text, count, scale);
}

/**
 * The JSON answer of structured output. Given the row, it holds exactly one
 * score per item, each on the 1..count+1 scale; without one, any number of scores.
 */
function scoresSchema(count?: number): Record<string, unknown> {
  const items = { type: 'integer', minimum: 1 };
  const scores =
    count === undefined
      ? { type: 'array', items }
      : {
          type: 'array',
          items: { ...items, maximum: count + 1 },
          minItems: count,
          maxItems: count,
        };
  return { type: 'object', properties: { scores }, required: ['scores'] };
}

/** distilabel's QualityScorer (Deita): a quality score for each response to one instruction. */
export const qualityScorer = promptTask({
  id: 'quality_scorer',
  label: 'Quality scorer',
  description:
    'Scores each response in "responses" to the "instruction" for quality (helpfulness, relevance, accuracy, depth, creativity, detail), from 1 to N+1 for N responses. Writes "scores", one per response (the Deita method).',
  group: 'Judging',
  columns: {
    instruction: textColumn('The instruction the responses answer'),
    responses: listColumn('The responses to score (a list)'),
  },
  outputs: ['scores'],
  template: quality,
  formatOutput: (text, row) => ({ scores: readScores(text, listOf(row, 'responses').length) }),
  jsonSchema: (_p, row) => scoresSchema(row && listOf(row, 'responses').length),
});

/** distilabel's ComplexityScorer (Deita): a complexity score for each instruction of a list. */
export const complexityScorer = promptTask({
  id: 'complexity_scorer',
  label: 'Complexity scorer',
  description:
    'Scores each instruction in "instructions" for difficulty and complexity, from 1 to N+1 for N instructions. Writes "scores", one per instruction (the Deita method).',
  group: 'Judging',
  columns: { instructions: listColumn('The instructions to score (a list)') },
  outputs: ['scores'],
  template: complexity,
  formatOutput: (text, row) => ({ scores: readScores(text, listOf(row, 'instructions').length) }),
  jsonSchema: (_p, row) => scoresSchema(row && listOf(row, 'instructions').length),
});
