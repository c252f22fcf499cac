import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/engine/llm/types';
import { type ChainContext, resolveParams } from '../../src/engine/task';
import { magpie, readInstruction } from '../../src/tasks/magpie';
import { MULTI_TURN_SYSTEM_PROMPT } from '../../src/tasks/magpie.prompt';
import { answers, bound, preview, UNREADABLE } from './helpers';

/** The raw prompt Magpie's first call sends for a row. */
function rawText(row: Record<string, unknown>, raw: unknown = {}): string {
  const first = preview(magpie, row, raw);
  if (!('raw' in first)) throw new Error('expected a raw prompt');
  return first.raw;
}

const LLAMA3 = '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n';
const LLAMA3_STOP = ['<|eot_id|>', '<|start_header_id|>', '<|end_of_text|>'];
const QWEN2_STOP = ['<|im_end|>', '<|im_start|>', '<|endoftext|>'];

/** A chain that answers raw prompts and chats from two scripts, recording every call. */
function scriptedChain(raw: (string | null)[], chat: (string | null)[]) {
  const calls: ({ raw: string; stop?: string[] } | { messages: ChatMessage[] })[] = [];
  const chain: ChainContext = {
    completeRaw: async (prompt, options) => {
      calls.push({ raw: prompt, stop: options?.stop });
      return raw.shift() ?? null;
    },
    complete: async (m) => {
      calls.push({ messages: m });
      return chat.shift() ?? null;
    },
    random: () => 0,
  };
  return { chain, calls };
}

const run = (row: Record<string, unknown>, raw: unknown, chain: ChainContext) =>
  magpie.run(row, resolveParams(magpie, raw), chain);

describe('Magpie', () => {
  it('previews the raw prompt of the first call, the pre-query alone, as raw completion', () => {
    expect(magpie.needsRawCompletion).toBe(true);
    expect(preview(magpie, {})).toEqual({ raw: LLAMA3, stop: LLAMA3_STOP });
    expect(preview(magpie, {}, { preQueryTemplate: 'qwen2' })).toEqual({
      raw: '<|im_start|>user\n',
      stop: QWEN2_STOP,
    });
    expect(preview(magpie, {}, { preQueryTemplate: 'custom', customPreQuery: '[INST] ' })).toEqual({
      raw: '[INST] ',
      stop: [],
    });
  });

  it('counts the calls of a generation: an instruction and its answer per turn', () => {
    const calls = (raw: unknown) => bound(magpie, raw).callsPerGeneration;
    expect(calls({})).toBe(2);
    expect(calls({ nTurns: 3 })).toBe(6);
    expect(calls({ onlyInstruction: true, nTurns: 3 })).toBe(1);
  });

  it('puts the system prompt in the template before the pre-query', () => {
    const row = { system_prompt: 'You help with cooking.' };
    expect(rawText(row)).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou help with cooking.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n',
    );
    expect(rawText(row, { preQueryTemplate: 'qwen2' })).toBe(
      '<|im_start|>system\nYou help with cooking.<|im_end|>\n<|im_start|>user\n',
    );
    expect(() => rawText(row, { preQueryTemplate: 'custom', customPreQuery: '[INST] ' })).toThrow(
      /custom pre-query cannot hold a system prompt/,
    );
  });

  it('declares its columns as distilabel does', () => {
    const outputs = magpie.outputs as (p: unknown) => string[];
    const of = (raw: unknown) => outputs(resolveParams(magpie, raw));
    expect(of({})).toEqual(['instruction', 'response']);
    expect(of({ nTurns: 2 })).toEqual(['conversation']);
    expect(of({ nTurns: 3, onlyInstruction: true })).toEqual(['instruction']);
  });

  it('refuses a custom template without a pre-query, or with several turns', () => {
    expect(() => resolveParams(magpie, { preQueryTemplate: 'custom' })).toThrow(
      /Custom pre-query: Write the custom pre-query/,
    );
    expect(() =>
      resolveParams(magpie, { preQueryTemplate: 'custom', customPreQuery: 'Q: ', nTurns: 2 }),
    ).toThrow(/Turns: A custom pre-query cannot lay out earlier turns/);
    expect(
      resolveParams(magpie, {
        preQueryTemplate: 'custom',
        customPreQuery: 'Q: ',
        nTurns: 2,
        onlyInstruction: true,
      }).nTurns,
    ).toBe(2);
  });

  it('writes an instruction from the pre-query, then answers it', async () => {
    const { chain, calls } = scriptedChain(
      ['  How do I keep basil fresh?<|eot_id|>'],
      ['Keep it in water, like cut flowers.'],
    );
    expect(await run({ system_prompt: 'You help with cooking.' }, {}, chain)).toEqual({
      instruction: 'How do I keep basil fresh?',
      response: 'Keep it in water, like cut flowers.',
    });
    expect(calls).toEqual([
      {
        raw: '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou help with cooking.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n',
        stop: LLAMA3_STOP,
      },
      {
        messages: [
          { role: 'system', content: 'You help with cooking.' },
          { role: 'user', content: 'How do I keep basil fresh?' },
        ],
      },
    ]);
  });

  it('writes a conversation of two turns, each user turn from the template', async () => {
    const { chain, calls } = scriptedChain(
      ['What is a prime?', 'Is 1 one?'],
      ['A number...', 'No.'],
    );
    expect(await run({}, { nTurns: 2, preQueryTemplate: 'qwen2' }, chain)).toEqual({
      conversation: [
        { role: 'user', content: 'What is a prime?' },
        { role: 'assistant', content: 'A number...' },
        { role: 'user', content: 'Is 1 one?' },
        { role: 'assistant', content: 'No.' },
      ],
    });
    const system = `<|im_start|>system\n${MULTI_TURN_SYSTEM_PROMPT}<|im_end|>\n`;
    expect(calls[0]).toEqual({ raw: `${system}<|im_start|>user\n`, stop: QWEN2_STOP });
    expect(calls[2]).toEqual({
      raw: `${system}<|im_start|>user\nWhat is a prime?<|im_end|>\n<|im_start|>assistant\nA number...<|im_end|>\n<|im_start|>user\n`,
      stop: QWEN2_STOP,
    });
    expect(calls[3]).toEqual({
      messages: [
        { role: 'system', content: MULTI_TURN_SYSTEM_PROMPT },
        { role: 'user', content: 'What is a prime?' },
        { role: 'assistant', content: 'A number...' },
        { role: 'user', content: 'Is 1 one?' },
      ],
    });
  });

  it('writes only the instruction when asked, with a custom pre-query and stops', async () => {
    const { chain, calls } = scriptedChain(['Name three rivers.\n### Assistant: Nile'], []);
    const p = {
      onlyInstruction: true,
      nTurns: 3,
      preQueryTemplate: 'custom',
      customPreQuery: '### User: ',
      customStop: ['### Assistant:'],
    };
    expect(await run({}, p, chain)).toEqual({ instruction: 'Name three rivers.' });
    expect(calls).toEqual([{ raw: '### User: ', stop: ['### Assistant:'] }]);
  });

  it('gives nulls for an empty instruction, and for an unfinished conversation', async () => {
    for (const empty of ['', '  <|eot_id|>', null]) {
      const { chain, calls } = scriptedChain([empty], ['unused']);
      expect(await run({}, {}, chain)).toEqual({});
      expect(calls).toHaveLength(1);
    }
    const noAnswer = scriptedChain(['What is a prime?'], [null]);
    expect(await run({}, {}, noAnswer.chain)).toEqual({
      instruction: 'What is a prime?',
      response: null,
    });
    const secondTurn = scriptedChain(['What is a prime?', ''], ['A number...']);
    expect(await run({}, { nTurns: 2 }, secondTurn.chain)).toEqual({});
  });

  it('cleans the instruction the model wrote', () => {
    const cases: [string, string | null][] = [
      ['<|start_header_id|>user<|end_header_id|>\n\nWhat is DNA?', 'What is DNA?'],
      ['user\n\nWhat is DNA?', 'What is DNA?'],
      ['User: What is DNA?', 'What is DNA?'],
      [
        'What is DNA?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nDNA is',
        'What is DNA?',
      ],
      ['"What is DNA?"', 'What is DNA?'],
      ['User experience matters: how do I test it?', 'User experience matters: how do I test it?'],
      ['<|eot_id|>', null],
      ['  \n', null],
    ];
    for (const [text, expected] of cases) expect(readInstruction(text, LLAMA3_STOP)).toBe(expected);
    expect(
      readInstruction('<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant', QWEN2_STOP),
    ).toBe('Hi there');
  });

  describe('an instruction-only answer (one raw call, read as the instruction)', () => {
    answers(
      magpie,
      {},
      [
        [
          'an instruction',
          'How do I sort a list?<|eot_id|>',
          { instruction: 'How do I sort a list?' },
        ],
        ['only markers', '<|eot_id|><|start_header_id|>', 'nulls'],
        ...UNREADABLE.filter(([name]) => name !== 'a refusal'),
      ],
      { onlyInstruction: true },
    );
  });
});
