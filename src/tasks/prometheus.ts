import { z } from 'zod';
import type { Outputs } from '../engine/task';
import { cleanValue, parseScore, stripEmphasis } from './parse';
import { absolute, absoluteSystem, relative, relativeSystem, rubrics } from './prometheus.prompt';
import { type Column, listColumn, promptTask, textColumn } from './promptTask';

const RUBRIC_SHAPE = /^\[[^\n]*\]\n(?:Score [1-4]: [^\n]+\n){4}Score 5: [^\n]+\s*$/;

const params = z
  .object({
    rubric: z
      .enum(['helpfulness', 'harmlessness', 'honesty', 'factual-validity', 'reasoning', 'custom'])
      .default('helpfulness')
      .describe('Score rubric'),
    customRubric: z
      .string()
      .default('')
      .describe(
        'Custom rubric (when Score rubric is "custom"): "[criterion]" then one line each "Score 1: ..." to "Score 5: ..."',
      ),
    withReference: z
      .boolean()
      .default(false)
      .describe('Compare against a reference answer (a "reference" column)'),
  })
  .refine((p) => p.rubric !== 'custom' || RUBRIC_SHAPE.test(p.customRubric.trim()), {
    path: ['customRubric'],
    message:
      'A custom rubric must be "[criterion]" on the first line, then "Score 1: ..." through "Score 5: ...", one per line.',
  });

type Params = z.infer<typeof params>;

function rubricOf(p: Params): string {
  return p.rubric === 'custom' ? p.customRubric.trim() : rubrics[p.rubric];
}

const instruction = textColumn('The instruction that was answered');
const reference: Column<Params> = {
  ...textColumn('A reference answer that deserves the best score'),
  when: (p) => p.withReference,
};

/**
 * Splits a Prometheus answer at `[RESULT]`: the feedback before it (without a
 * `Feedback:` label) and each result after one. Null without a `[RESULT]` marker.
 */
export function splitAtResult(text: string): { feedback: string | null; results: string[] } | null {
  const parts = stripEmphasis(text).split(/\[\s*RESULT\s*\]\s*:?/i);
  if (parts.length < 2) return null;
  const feedback = cleanValue(
    parts[0].replace(/^[\s#*]*Feedback\s*:\s*/i, '').replace(/\n?\s*#*\s*Score\s*:?\s*$/i, ''),
  );
  return {
    feedback: feedback || null,
    results: parts.slice(1).map((r) => cleanValue(r.trim().split('\n')[0] ?? '')),
  };
}

/** One result when every `[RESULT]` gives the same readable value; otherwise null. */
function agreed<T>(values: (T | null)[]): T | null {
  const distinct = [...new Set(values)];
  return distinct.length === 1 ? distinct[0] : null;
}

export function readAbsolute(text: string): Outputs {
  const split = splitAtResult(text);
  if (!split) return {};
  return {
    feedback: split.feedback,
    result: agreed(split.results.map((r) => parseScore(r, { min: 1, max: 5 }))),
  };
}

/** `A`, `B`, `Response A`, `(B)`; null for a tie, both, or anything else. */
export function parseChoice(text: string): 'A' | 'B' | null {
  const value = cleanValue(text).replace(/^score\s*:?\s*/i, '');
  if (/\b[AB]\b[^\n]*\b(?:or|and|=|tie)\b[^\n]*\b[AB]\b/i.test(value)) return null;
  const match = /^(?:response\s+|assistant\s+)?[([]?\s*([AB])\s*[)\]]?(?=$|[\s.,;:!])/i.exec(value);
  return match ? (match[1].toUpperCase() as 'A' | 'B') : null;
}

export function readRelative(text: string): Outputs {
  const split = splitAtResult(text);
  if (!split) return {};
  return { feedback: split.feedback, result: agreed(split.results.map(parseChoice)) };
}

/** distilabel's PrometheusEval, mode "absolute": one response scored 1-5 against a rubric. */
export const prometheusAbsolute = promptTask({
  id: 'prometheus_absolute',
  label: 'Prometheus: absolute score',
  description:
    'Scores the "generation" for the "instruction" from 1 to 5 against a rubric (helpfulness, harmlessness, honesty, factual validity, reasoning, or your own), optionally against a reference answer. Writes "feedback" and "result". Made for the Prometheus 2 judge models.',
  group: 'Judging',
  params,
  columns: { instruction, generation: textColumn('The response to score'), reference },
  outputs: ['feedback', 'result'],
  system: absoluteSystem,
  template: absolute,
  derived: { rubric: rubricOf },
  formatOutput: (text) => readAbsolute(text),
});

/** distilabel's PrometheusEval, mode "relative": the better of two responses, A or B. */
export const prometheusRelative = promptTask({
  id: 'prometheus_relative',
  label: 'Prometheus: relative (A/B)',
  description:
    'Compares the two texts in "generations" for the "instruction" against a rubric, optionally with a reference answer, and picks the better: "A" (the first) or "B" (the second). Writes "feedback" and "result". Made for the Prometheus 2 judge models.',
  group: 'Judging',
  params,
  columns: { instruction, generations: listColumn('Exactly two responses (a list)', 2), reference },
  outputs: ['feedback', 'result'],
  system: relativeSystem,
  template: relative,
  derived: { rubric: rubricOf },
  formatOutput: (text) => readRelative(text),
});
