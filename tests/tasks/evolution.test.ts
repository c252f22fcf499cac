import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/engine/llm/types';
import { type ChainContext, resolveParams } from '../../src/engine/task';
import {
  evolComplexity,
  evolInstruct,
  evolQuality,
  pickMutation,
  readEvolved,
} from '../../src/tasks/evol';
import {
  complexityMutations,
  instructionMutations,
  responseMutations,
} from '../../src/tasks/evol.prompt';
import { type AnyTask, answers, expectTemplateReads, preview, UNREADABLE } from './helpers';

/** The one user message a chain's first call sends. */
function previewText(task: Parameters<typeof preview>[0], row: Record<string, unknown>): string {
  const first = preview(task, row);
  if (!('messages' in first)) throw new Error('expected chat messages');
  return first.messages[0].content;
}

/** A chain that answers from a script and draws from a fixed list, recording the prompts. */
function scriptedChain(replies: (string | null)[], draws: number[]) {
  const prompts: ChatMessage[][] = [];
  const chain: ChainContext = {
    complete: async (m) => {
      prompts.push(m);
      return replies.shift() ?? null;
    },
    completeRaw: () => Promise.reject(new Error('Evol tasks never ask for raw completion')),
    random: () => draws.shift() ?? 0,
  };
  return { chain, prompts };
}

function run(task: AnyTask, row: Record<string, unknown>, raw: unknown, chain: ChainContext) {
  if (task.kind !== 'chain') throw new Error('Evol tasks are chains');
  return task.run(row, resolveParams(task, raw), chain);
}

describe('Evol-Instruct', () => {
  const row = { instruction: 'Write a poem.' };

  it('renders one round with the first mutation as its preview', () => {
    expect(
      previewText(evolInstruct, row),
    ).toBe(`You are a prompt rewriter. Rewrite the given prompt into a more complex version, one that well-known AI systems (such as ChatGPT and GPT-4) would find a bit harder to handle.
The rewritten prompt must stay reasonable, and a person must be able to understand and answer it.
Keep every part of the given prompt that is not plain text, such as tables and code, and keep its input.
Make the prompt more complex with this method:
Add one more constraint or requirement to #The Given Prompt#.
Do not let the rewritten prompt become wordy: it may add only 10 to 20 words to the given prompt.
Never use the phrases "#The Given Prompt#", "#Rewritten Prompt#", "given prompt" or "rewritten prompt" in the rewritten prompt.

#The Given Prompt#:
Write a poem.

#Rewritten Prompt#:`);
    for (const t of Object.values(instructionMutations)) expectTemplateReads(t, ['instruction']);
    for (const t of Object.values(responseMutations))
      expectTemplateReads(t, ['instruction', 'response']);
  });

  it('has the five mutation kinds, and Evol-Complexity all but breadth', () => {
    expect(Object.keys(instructionMutations)).toEqual([
      'CONSTRAINTS',
      'DEEPENING',
      'CONCRETIZING',
      'INCREASED_REASONING_STEPS',
      'BREADTH',
    ]);
    expect(Object.keys(complexityMutations)).toEqual(Object.keys(instructionMutations).slice(0, 4));
  });

  it('picks the mutation from the seeded draw', () => {
    const names = Object.keys(instructionMutations);
    expect(pickMutation(names, 0)).toBe('CONSTRAINTS');
    expect(pickMutation(names, 0.99)).toBe('BREADTH');
    expect(pickMutation(names, 0.5)).toBe('CONCRETIZING');
  });

  it('chains rounds, each mutating the previous round, and keeps the last', async () => {
    const { chain, prompts } = scriptedChain(
      ['Write a sonnet.', '#Rewritten Prompt#: Write a sonnet about rain.'],
      [0.99, 0.1],
    );
    expect(await run(evolInstruct, row, { numEvolutions: 2 }, chain)).toEqual({
      evolved_instruction: 'Write a sonnet about rain.',
    });
    expect(prompts[0][0].content).toContain('You are a prompt creator.');
    expect(prompts[0][0].content).toContain('#Given Prompt#:\nWrite a poem.');
    expect(prompts[1][0].content).toContain('Add one more constraint');
    expect(prompts[1][0].content).toContain('#The Given Prompt#:\nWrite a sonnet.');
  });

  it('stores every round with the original, and answers each', async () => {
    const { chain, prompts } = scriptedChain(
      ['Write a sonnet.', 'Write a sonnet about rain.', 'A0', 'A1', 'A2'],
      [0, 0],
    );
    const p = {
      numEvolutions: 2,
      storeEvolutions: true,
      generateAnswers: true,
      includeOriginalInstruction: true,
    };
    expect(evolInstruct.outputs).toBeTypeOf('function');
    expect(await run(evolInstruct, row, p, chain)).toEqual({
      evolved_instructions: ['Write a poem.', 'Write a sonnet.', 'Write a sonnet about rain.'],
      answers: ['A0', 'A1', 'A2'],
    });
    expect(prompts.slice(2)).toEqual([
      [{ role: 'user', content: 'Write a poem.' }],
      [{ role: 'user', content: 'Write a sonnet.' }],
      [{ role: 'user', content: 'Write a sonnet about rain.' }],
    ]);
    const outputs = evolInstruct.outputs as (p: unknown) => string[];
    expect(outputs(resolveParams(evolInstruct, p))).toEqual(['evolved_instructions', 'answers']);
    expect(outputs(resolveParams(evolInstruct, {}))).toEqual(['evolved_instruction']);
  });

  it('gives nothing when a round fails, rather than an unevolved instruction', async () => {
    const { chain } = scriptedChain(['Write a sonnet.', null], [0, 0]);
    expect(await run(evolInstruct, row, { numEvolutions: 2 }, chain)).toEqual({});
    const leaked = scriptedChain(['#The Given Prompt#: Write a poem.'], [0]);
    expect(await run(evolComplexity, row, {}, leaked.chain)).toEqual({});
  });

  answers(evolInstruct, row, [
    [
      'a bare evolved prompt',
      'Write a haiku about autumn.',
      { evolved_instruction: 'Write a haiku about autumn.' },
    ],
    [
      'a repeated label and quotes',
      '**#Rewritten Prompt#:**\n"Write a haiku about autumn."',
      { evolved_instruction: 'Write a haiku about autumn.' },
    ],
    [
      'a created prompt label',
      'Created Prompt: Write a limerick.',
      { evolved_instruction: 'Write a limerick.' },
    ],
    [
      'a preamble announcing the prompt',
      "Sure! Here's a more complex version of the prompt:\n\nWrite a haiku about autumn.",
      { evolved_instruction: 'Write a haiku about autumn.' },
    ],
    [
      'an announced prompt in a code fence',
      '**Sure! Here is a harder version:**\n```\nWrite a haiku about autumn.\n```',
      { evolved_instruction: 'Write a haiku about autumn.' },
    ],
    ['an announcement alone', "Sure! Here's the rewritten prompt:", 'nulls'],
    [
      'a prompt whose first line ends in a colon',
      'Rewrite this sentence in the passive voice:\nThe cat chased the mouse.',
      {
        evolved_instruction:
          'Rewrite this sentence in the passive voice:\nThe cat chased the mouse.',
      },
    ],
    [
      'a prompt that opens with "Here is"',
      'Here is a list of numbers:\n3, 1, 2\nSort them and explain each step.',
      {
        evolved_instruction:
          'Here is a list of numbers:\n3, 1, 2\nSort them and explain each step.',
      },
    ],
    [
      'the prompt labels leaking',
      '#The Given Prompt#: Write a poem.\n#Rewritten Prompt#:',
      'nulls',
    ],
    ...UNREADABLE.filter(([name]) => name !== 'a refusal'),
  ]);

  it('reads an evolved prompt in a code fence', () => {
    expect(readEvolved('```\nWrite a haiku.\n```')).toBe('Write a haiku.');
  });
});

describe('Evol-Quality', () => {
  const row = { instruction: 'What is 2+2?', response: '4' };

  it('renders the prompt with the instruction and the response', () => {
    const content = previewText(evolQuality, row);
    expect(content).toContain('Make the response more helpful to the user.');
    expect(
      content.endsWith(
        '#Given Prompt#:\nWhat is 2+2?\n\n#Given Response#:\n4\n\n#Rewritten Response#:',
      ),
    ).toBe(true);
  });

  it('evolves the whole response over rounds with the seeded mutations', async () => {
    const { chain, prompts } = scriptedChain(
      ['2+2 equals 4.', '2+2 equals 4, since 2 and 2 make four.'],
      [0.99, 0.5],
    );
    expect(
      await run(
        evolQuality,
        row,
        { numEvolutions: 2, storeEvolutions: true, includeOriginalResponse: true },
        chain,
      ),
    ).toEqual({
      evolved_responses: ['4', '2+2 equals 4.', '2+2 equals 4, since 2 and 2 make four.'],
    });
    expect(prompts[0][0].content).toContain('Make the response more detailed.');
    expect(prompts[1][0].content).toContain('Make the response more in-depth.');
    expect(prompts[1][0].content).toContain('#Given Response#:\n2+2 equals 4.\n');
  });

  answers(evolQuality, row, [
    [
      'a rewritten response',
      '#Rewritten Response#: 2+2 equals 4.',
      { evolved_response: '2+2 equals 4.' },
    ],
    [
      'a preamble announcing the response',
      "Here's an improved response:\n2+2 equals 4.",
      { evolved_response: '2+2 equals 4.' },
    ],
    ...UNREADABLE.filter(([name]) => name !== 'a refusal'),
  ]);
});
