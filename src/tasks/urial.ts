import { z } from 'zod';
import { EngineError } from '../engine/errors';
import type { ChatMessage } from '../engine/llm/types';
import { cell, type Row } from '../engine/task';
import { promptTask } from './promptTask';
import { messagesOf, optionalTextOf } from './rows';
import { examples, template } from './urial.prompt';

const params = z.object({
  fewShot: z.boolean().default(true).describe('Include the worked examples'),
});

function conversationOf(row: Row): ChatMessage[] {
  const instruction = optionalTextOf(row, 'instruction');
  if (instruction !== undefined) return [{ role: 'user', content: instruction }];
  if (row.conversation !== undefined && row.conversation !== null) {
    return messagesOf(row, 'conversation').filter((m) => m.role !== 'system');
  }
  throw new EngineError({
    kind: 'input',
    message: 'URIAL needs an "instruction" or a "conversation" column; this row has neither.',
    retryable: false,
  });
}

/** The reply, up to where a base model starts writing the next `# User:` turn. */
export function readUrial(text: string): string | null {
  const reply = text
    .split(/\n\s*#\s*User\s*:?/i)[0]
    .replace(/^\s*#\s*Assistant\s*:\s*/i, '')
    .trim();
  return reply || null;
}

/** distilabel's URIAL: answers from a base (not instruction-tuned) model by in-context alignment. */
export const urial = promptTask({
  id: 'urial',
  label: 'URIAL (base models)',
  description:
    'Gets answers from a base model, one that was not instruction-tuned, by showing it the instruction (or the "conversation") inside a few-shot chat transcript. Writes "generation".',
  group: 'Generation',
  params,
  // Either column makes the conversation the template lays out.
  columns: {
    instruction: { description: 'The instruction to answer', optional: true, read: optionalTextOf },
    conversation: {
      description: 'Or a conversation ending with a user turn',
      optional: true,
      read: cell,
    },
  },
  outputs: ['generation'],
  template,
  derived: {
    messages: (_p, row) => conversationOf(row),
    examples: (p) => (p.fewShot ? examples : []),
  },
  formatOutput: (text) => ({ generation: readUrial(text) }),
});
