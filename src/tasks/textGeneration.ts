import { z } from 'zod';
import { promptTask, templateInputs } from './promptTask';

const params = z.object({
  template: z.string().min(1).default('{{ instruction }}').describe('Prompt template'),
  systemPrompt: z.string().default('').describe('System prompt'),
});

/**
 * distilabel's TextGeneration: the prompt is a Jinja template over the row's
 * columns; a `system_prompt` column, when the row has one, wins over the
 * system prompt parameter.
 */
export const textGeneration = promptTask({
  id: 'text_generation',
  label: 'Text generation',
  description:
    'Sends each row to the model through a Jinja prompt template and keeps the answer as "generation". The classic way to answer a set of instructions.',
  group: 'Generation',
  params,
  inputs: (p) => [
    ...templateInputs(p.template),
    {
      name: 'system_prompt',
      description: 'A per-row system prompt; wins over the System prompt setting',
      optional: true,
    },
  ],
  outputs: ['generation'],
  fewShot: true,
  system: (p, row) =>
    (typeof row.system_prompt === 'string' && row.system_prompt) || p.systemPrompt,
  template: (p) => p.template,
  formatOutput: (text) => ({ generation: text }),
});
