import type { Outputs } from '../engine/task';
import { template } from './instructionBacktranslation.prompt';
import { cleanValue, parseScore, stripEmphasis } from './parse';
import { promptTask, textColumn } from './promptTask';

/**
 * The reasoning and the `Score:` line. Null score when the score lines disagree
 * or the score is off the scale; null for both without a score line.
 */
export function readBacktranslation(text: string): Outputs {
  const clean = stripEmphasis(text);
  const lines = [...clean.matchAll(/^[\t >#*_-]*(?:final\s+)?score\s*[:=]\s*(.*)$/gim)];
  if (lines.length === 0) return {};
  const scores = [...new Set(lines.map((m) => parseScore(m[1], { min: 1, max: 5 })))];
  const reason = cleanValue(
    clean
      .slice(0, lines[0].index)
      .replace(/^\s*#*\s*(?:brief\s+)?(?:reasoning|reason|explanation)\s*:\s*/i, ''),
  );
  return { score: scores.length === 1 ? scores[0] : null, reason: reason || null };
}

/** distilabel's InstructionBacktranslation: a 1-5 score of how well an answer serves as an AI assistant's reply. */
export const instructionBacktranslation = promptTask({
  id: 'instruction_backtranslation',
  label: 'Instruction backtranslation',
  description:
    'Scores how good an example of an AI assistant\'s reply the "generation" is for the "instruction", from 1 to 5 (the self-curation step of Instruction Backtranslation). Writes "score" and "reason".',
  group: 'Judging',
  columns: {
    instruction: textColumn('The instruction'),
    generation: textColumn('The candidate answer to score'),
  },
  outputs: ['score', 'reason'],
  template,
  formatOutput: (text) => readBacktranslation(text),
});
