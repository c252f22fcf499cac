import { z } from 'zod';
import type { Task } from '../engine/task';
import { renderTemplate } from '../engine/template';
import { chat, listOf, textOf } from './rows';

/**
 * The Arena-Hard judge in our own words; the five verdict labels and the
 * `<|User Prompt|>` / `<|The Start of Assistant A's Answer|>` layout are the method's.
 */
export const system = `You are an impartial judge. Two AI assistants answered the user prompt shown below; decide which answer is better.

First write your own answer to the prompt, before you judge either assistant.

Then compare both answers with yours. Find and correct any mistakes or inaccurate information.

Next, judge whether each answer is helpful, relevant and concise. Helpful: it answers the prompt correctly or does what it asks; when the prompt is ambiguous or open to more than one reading, asking the user for clarification is more helpful than answering on assumptions. Relevant: every part of the answer bears on what was asked. Concise: clear, without verbosity or excess.

Where it matters, weigh the creativity and novelty of the answers too. Finally, point out any important information the answers leave out that would help the user.

After your explanation, end with exactly one of these verdicts, with its label:

1. Assistant A is significantly better: [[A>>B]]
2. Assistant A is slightly better: [[A>B]]
3. Tie, relatively the same: [[A=B]]
4. Assistant B is slightly better: [[B>A]]
5. Assistant B is significantly better: [[B>>A]]

For example: "My final verdict is tie: [[A=B]]".`;

export const user = `<|User Prompt|>
{{ instruction }}

<|The Start of Assistant A's Answer|>
{{ generations[0] }}
<|The End of Assistant A's Answer|>

<|The Start of Assistant B's Answer|>
{{ generations[1] }}
<|The End of Assistant B's Answer|>`;

const VERDICTS: Record<string, string> = {
  'A>>B': 'A>>B',
  'A>B': 'A>B',
  'A=B': 'A=B',
  'B>A': 'B>A',
  'B>>A': 'B>>A',
  // the same verdicts written the other way round
  'B<<A': 'A>>B',
  'B<A': 'A>B',
  'B=A': 'A=B',
  'A<B': 'B>A',
  'A<<B': 'B>>A',
};

/**
 * The verdict in `[[...]]` brackets, as Arena-Hard reads it: when the answer
 * holds different verdicts (or none) it is null.
 */
export function readVerdict(text: string): string | null {
  const found = [...text.matchAll(/\[\[\s*([AB]\s*[<>=]{1,2}\s*[AB])\s*\]\]/gi)].map(
    (m) => VERDICTS[m[1].replace(/\s+/g, '').toUpperCase()] ?? null,
  );
  const distinct = [...new Set(found)];
  return distinct.length === 1 ? distinct[0] : null;
}

const params = z.object({});

/** distilabel's ArenaHard: a pairwise judge of two answers with five graded verdicts. */
export const arenaHard: Task<typeof params> = {
  id: 'arena_hard',
  label: 'Pairwise judge (Arena-Hard)',
  description:
    'Compares the two texts in "generations" for the "instruction", Arena-Hard style: the judge answers the prompt itself, then gives a verdict from [[A>>B]] (the first is much better) through [[A=B]] to [[B>>A]]. Writes the whole "evaluation" and the verdict as "score" (e.g. "A>B").',
  group: 'Judging',
  params,
  inputs: [
    { name: 'instruction', description: 'The user prompt both assistants answered' },
    { name: 'generations', description: 'Exactly two answers (a list): A, then B' },
  ],
  outputs: ['evaluation', 'score'],
  formatInput: (row) =>
    chat(
      system,
      renderTemplate(user, {
        instruction: textOf(row, 'instruction'),
        generations: listOf(row, 'generations', 2),
      }),
    ),
  formatOutput: (text) => ({ evaluation: text.trim(), score: readVerdict(text) }),
};
