import { z } from 'zod';
import { EngineError } from '../engine/errors';
import type { ChatMessage } from '../engine/llm/types';
import type { ChainTask, Row } from '../engine/task';
import { MULTI_TURN_SYSTEM_PROMPT } from './magpie.prompt';
import { cleanValue } from './parse';
import { optionalTextOf } from './rows';

/**
 * How a model's chat template lays out a conversation, as far as Magpie needs
 * it: the text before the first turn, one turn, the pre-query (the opening of
 * a user turn) and the markers that end a turn. A custom pre-query has no turn
 * layout, so it cannot carry a system prompt or earlier turns.
 */
interface ChatFormat {
  start: string;
  turn?: (message: ChatMessage) => string;
  preQuery: string;
  stop: string[];
}

export const chatFormats = {
  llama3: {
    start: '<|begin_of_text|>',
    turn: (m) => `<|start_header_id|>${m.role}<|end_header_id|>\n\n${m.content}<|eot_id|>`,
    preQuery: '<|start_header_id|>user<|end_header_id|>\n\n',
    stop: ['<|eot_id|>', '<|start_header_id|>', '<|end_of_text|>'],
  },
  qwen2: {
    start: '',
    turn: (m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`,
    preQuery: '<|im_start|>user\n',
    stop: ['<|im_end|>', '<|im_start|>', '<|endoftext|>'],
  },
} satisfies Record<string, ChatFormat>;

const params = z
  .object({
    preQueryTemplate: z
      .enum(['llama3', 'qwen2', 'custom'])
      .default('llama3')
      .describe("The model's chat template (the pre-query is the opening of a user turn)"),
    customPreQuery: z
      .string()
      .default('')
      .describe(
        'Custom pre-query (when the template is "custom"): the exact text before a user message',
      ),
    customStop: z
      .array(z.string())
      .default([])
      .describe('Custom end-of-turn markers (when the template is "custom")'),
    nTurns: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(1)
      .describe('Turns (1 writes "instruction" and "response"; more a "conversation")'),
    onlyInstruction: z.boolean().default(false).describe('Only write the instruction'),
  })
  .refine((p) => p.preQueryTemplate !== 'custom' || p.customPreQuery.trim() !== '', {
    path: ['customPreQuery'],
    message: 'Write the custom pre-query, e.g. "<|im_start|>user\\n" for a ChatML model.',
  })
  .refine((p) => p.preQueryTemplate !== 'custom' || p.nTurns === 1 || p.onlyInstruction, {
    path: ['nTurns'],
    message:
      'A custom pre-query cannot lay out earlier turns: use 1 turn, or pick llama3 or qwen2.',
  });
type Params = z.infer<typeof params>;

function formatOf(p: Params): ChatFormat {
  return p.preQueryTemplate === 'custom'
    ? { start: '', preQuery: p.customPreQuery, stop: p.customStop.filter((s) => s !== '') }
    : chatFormats[p.preQueryTemplate];
}

/** The raw prompt that makes the model write the next user turn: the conversation so far, then the pre-query. */
export function rawPrompt(format: ChatFormat, history: readonly ChatMessage[]): string {
  if (history.length > 0 && !format.turn) {
    throw new EngineError({
      kind: 'input',
      message:
        'A custom pre-query cannot hold a system prompt: write it into the custom pre-query, unmap "system_prompt", or pick llama3 or qwen2.',
      retryable: false,
    });
  }
  return format.start + history.map((m) => format.turn!(m)).join('') + format.preQuery;
}

/**
 * The instruction the model wrote: without a repeated turn header or role name
 * at its start, cut at the first end-of-turn marker (a backend may ignore the
 * stop list and run on into the answer), without stray `<|...|>` tokens. Null when empty.
 */
export function readInstruction(text: string, stop: readonly string[]): string | null {
  let value = text.replace(/^(?:\s*(?:<\|[^|\s]*\|>|(?:user|human)\s*(?::|\n|(?=<\|))))+/i, '');
  const ends = stop.map((s) => value.indexOf(s)).filter((i) => i >= 0);
  if (ends.length > 0) value = value.slice(0, Math.min(...ends));
  value = cleanValue(value.replace(/<\|[^|\s]*\|>/g, ''));
  return value || null;
}

const turnsOf = (p: Params) => (p.onlyInstruction ? 1 : p.nTurns);

/** The system prompt: the row's, else distilabel's multi-turn one when there are several turns. */
function historyOf(row: Row, p: Params): ChatMessage[] {
  const system =
    optionalTextOf(row, 'system_prompt') ?? (turnsOf(p) > 1 ? MULTI_TURN_SYSTEM_PROMPT : undefined);
  return system ? [{ role: 'system', content: system }] : [];
}

/** distilabel's Magpie: an aligned model, given only the opening of a user turn, writes the instruction itself. */
export const magpie: ChainTask<typeof params> = {
  kind: 'chain',
  id: 'magpie',
  label: 'Magpie',
  description:
    'Makes instructions from nothing: the model receives only the opening of a user turn of its own chat template (Llama 3, Qwen2/ChatML or your own) and writes a user instruction, which it then answers. Writes "instruction" and "response", or a "conversation" of several turns, or only "instruction". An optional "system_prompt" steers the topic. Needs raw completion.',
  group: 'Generation',
  params,
  needsRawCompletion: true,
  inputs: [
    {
      name: 'system_prompt',
      description: 'A system prompt that steers the instructions (optional)',
      optional: true,
    },
  ],
  outputs: (p) =>
    p.onlyInstruction
      ? ['instruction']
      : p.nTurns === 1
        ? ['instruction', 'response']
        : ['conversation'],
  /** The first call: the raw prompt that has the model write the first instruction. */
  preview: (row, p) => ({ raw: rawPrompt(formatOf(p), historyOf(row, p)), stop: formatOf(p).stop }),
  // Each turn: the instruction (raw completion), then its answer (chat).
  callsPerGeneration: (p) => (p.onlyInstruction ? 1 : 2 * p.nTurns),
  async run(row, p, chain) {
    const format = formatOf(p);
    const history = historyOf(row, p);
    const conversation: ChatMessage[] = [];
    for (let turn = 0; turn < turnsOf(p); turn++) {
      const raw = await chain.completeRaw(rawPrompt(format, [...history, ...conversation]), {
        stop: format.stop,
      });
      const instruction = raw === null ? null : readInstruction(raw, format.stop);
      // A missing turn leaves the conversation unfinished: nothing is kept, as for a first turn.
      if (instruction === null) return {};
      conversation.push({ role: 'user', content: instruction });
      if (p.onlyInstruction) return { instruction };
      const answer = (await chain.complete([...history, ...conversation]))?.trim() || null;
      if (p.nTurns === 1) return { instruction, response: answer };
      if (answer === null) return {};
      conversation.push({ role: 'assistant', content: answer });
    }
    // As distilabel (include_system_prompt off), the conversation leaves out the system prompt.
    return { conversation };
  },
};
