import { z } from 'zod';
import type { Outputs, Task } from '../engine/task';
import { renderTemplate } from '../engine/template';
import { cleanValue } from './parse';
import { chat, textOf } from './rows';

/**
 * CLAIR prompts in our own words. The `{task}`, `{student_solution}`,
 * `{teacher_reasoning}` and `{corrected_student_solution}` identifiers that
 * structure the answer are the method's.
 */
export const system =
  "You are a teacher who improves a student's answer as little as needed. You will get a {task} and a {student_solution}. Revise the {student_solution} so that it is clearer, more correct and more engaging, copying every part of it that needs no correction. Never hint that the {corrected_student_solution} is a revision or a correction.";

export const template = `{task}: {{ task }}

{student_solution}: {{ student_solution }}

-----------------

Think it through step by step first, as a {teacher_reasoning} on how to improve the {student_solution}; then write the {corrected_student_solution}. Start the two parts of your answer with the identifiers {teacher_reasoning} and {corrected_student_solution}.`;

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

const params = z.object({});

/** distilabel's CLAIR: a minimal revision of an answer, for contrastive preference pairs. */
export const clair: Task<typeof params> = {
  id: 'clair',
  label: 'CLAIR (minimal revision)',
  description:
    'Minimally revises "student_solution" to the "task" so it is clearer, more correct and more engaging, for contrastive preference pairs (revision preferred over the original). Writes "revision" and "rational" (the teacher\'s reasoning).',
  group: 'Judging',
  params,
  inputs: [
    { name: 'task', description: 'The task or instruction' },
    { name: 'student_solution', description: 'The answer to revise' },
  ],
  outputs: ['revision', 'rational'],
  formatInput: (row) =>
    chat(
      system,
      renderTemplate(template, {
        task: textOf(row, 'task'),
        student_solution: textOf(row, 'student_solution'),
      }),
    ),
  formatOutput: (text) => readClair(text),
};
