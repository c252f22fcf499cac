import type { Outputs } from '../engine/task';
import { system, template } from './clair.prompt';
import { cleanValue } from './parse';
import { promptTask, textColumn } from './promptTask';

/** `{corrected_student_solution}` (colon optional), or the words with a colon or alone on the line. */
const CORRECTED =
  /^[\t >#*_-]*(?:\{corrected_student_solution\}[*_]*[ \t]*:?|corrected student solution[*_]*[ \t]*(?::|$))[*_]*[ \t]*/gim;
const REASONING =
  /^[\t >#*_-]*(?:\{teacher_reasoning\}[*_]*[ \t]*:?|teacher(?:'s)? reasoning[*_]*[ \t]*(?::|$))[*_]*[ \t]*/gim;

/**
 * The revision (after the corrected-solution marker) and the rationale (after
 * the reasoning marker, or before the revision), in either order. The markers
 * count only at the start of a line, so the prompt's wording echoed inside the
 * reasoning does not split it.
 */
export function readClair(text: string): Outputs {
  const corrected = [...text.matchAll(CORRECTED)];
  if (corrected.length !== 1) return {};
  const reasoning = [...text.matchAll(REASONING)];
  if (reasoning.length > 1) return {};
  const revisionStart = (corrected[0].index ?? 0) + corrected[0][0].length;
  const reasoningAt = reasoning[0]?.index;
  let revision: string;
  let rational: string;
  if (reasoningAt !== undefined && reasoningAt > (corrected[0].index ?? 0)) {
    revision = text.slice(revisionStart, reasoningAt);
    rational = text.slice(reasoningAt + reasoning[0][0].length);
  } else {
    revision = text.slice(revisionStart);
    rational =
      reasoningAt !== undefined
        ? text.slice(reasoningAt + reasoning[0][0].length, corrected[0].index)
        : text.slice(0, corrected[0].index);
  }
  const clean = (s: string) => cleanValue(s.replace(/\n\s*-{3,}\s*$/, '')) || null;
  return { revision: clean(revision), rational: clean(rational) };
}

/** distilabel's CLAIR: a minimal revision of an answer, for contrastive preference pairs. */
export const clair = promptTask({
  id: 'clair',
  label: 'CLAIR (minimal revision)',
  description:
    'Minimally revises "student_solution" to the "task" so it is clearer, more correct and more engaging, for contrastive preference pairs (revision preferred over the original). Writes "revision" and "rational" (the teacher\'s reasoning).',
  group: 'Judging',
  columns: {
    task: textColumn('The task or instruction'),
    student_solution: textColumn('The answer to revise'),
  },
  outputs: ['revision', 'rational'],
  system,
  template,
  formatOutput: (text) => readClair(text),
});
