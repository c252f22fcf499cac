import { system, user } from './arenaHard.prompt';
import { listColumn, promptTask, textColumn } from './promptTask';

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

/** distilabel's ArenaHard: a pairwise judge of two answers with five graded verdicts. */
export const arenaHard = promptTask({
  id: 'arena_hard',
  label: 'Pairwise judge (Arena-Hard)',
  description:
    'Compares the two texts in "generations" for the "instruction", Arena-Hard style: the judge answers the prompt itself, then gives a verdict from [[A>>B]] (the first is much better) through [[A=B]] to [[B>>A]]. Writes the whole "evaluation" and the verdict as "score" (e.g. "A>B").',
  group: 'Judging',
  columns: {
    instruction: textColumn('The user prompt both assistants answered'),
    generations: listColumn('Exactly two answers (a list): A, then B', 2),
  },
  outputs: ['evaluation', 'score'],
  system,
  template: user,
  formatOutput: (text) => ({ evaluation: text.trim(), score: readVerdict(text) }),
});
