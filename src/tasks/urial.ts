import { z } from 'zod';
import { EngineError } from '../engine/errors';
import type { ChatMessage } from '../engine/llm/types';
import type { Row, Task } from '../engine/task';
import { renderTemplate } from '../engine/template';
import { chat, messagesOf, optionalTextOf } from './rows';

/**
 * URIAL (in-context alignment of base models) in our own words: a short
 * preamble and worked examples in the method's `# User:` / `# Assistant:`
 * layout, then the conversation, ending at an open `# Assistant:` turn.
 */
export const template = `# Instructions

Below are conversations between a person and an AI assistant (you).
The person's messages are under "# User:" and the assistant's replies under "# Assistant:".
The assistant is helpful, honest and respectful, and answers as usefully as it can while staying safe.
Its replies are well organised and detailed, in an engaging tone.
It never writes anything false, harmful, unethical, hateful or illegal, even when asked to, and it may decline controversial requests.
{% if examples %}
{% for example in examples %}

# User:

{{ example.user }}

# Assistant:

{{ example.assistant }}
{% endfor %}
{% endif %}
{% for message in messages %}

# {{ message.role | capitalize }}:

{{ message.content }}
{% endfor %}

# Assistant:
`;

export const examples = [
  {
    user: 'What is the boiling point of water at sea level?',
    assistant:
      'At sea level, water boils at 100 °C (212 °F). At higher altitudes the air pressure is lower, so water boils at a lower temperature: around 90 °C at 3,000 metres.',
  },
  {
    user: 'Can you give me a tip for remembering new words in a foreign language?',
    assistant:
      'Try spaced repetition: review each new word a day after learning it, then after three days, then after a week. Each review just before you would forget makes the memory last longer. Flashcard apps such as Anki schedule this for you, and using the word in a sentence of your own helps it stick.',
  },
];

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
export const urial: Task<typeof params> = {
  id: 'urial',
  label: 'URIAL (base models)',
  description:
    'Gets answers from a base model, one that was not instruction-tuned, by showing it the instruction (or the "conversation") inside a few-shot chat transcript. Writes "generation".',
  group: 'Generation',
  params,
  inputs: [
    { name: 'instruction', description: 'The instruction to answer', optional: true },
    {
      name: 'conversation',
      description: 'Or a conversation ending with a user turn',
      optional: true,
    },
  ],
  outputs: ['generation'],
  formatInput: (row, p) =>
    chat(
      undefined,
      renderTemplate(template, {
        messages: conversationOf(row),
        examples: p.fewShot ? examples : [],
      }),
    ),
  formatOutput: (text) => ({ generation: readUrial(text) }),
};
