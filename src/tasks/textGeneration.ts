import { z } from 'zod';
import type { Task } from '../engine/task';
import { renderTemplate, templateVariables } from '../engine/template';

const params = z.object({
  template: z.string().min(1).default('{{ instruction }}').describe('Prompt template'),
  systemPrompt: z.string().default('').describe('System prompt'),
});

/**
 * distilabel's TextGeneration: the prompt is a Jinja template over the row's
 * columns; a `system_prompt` column, when the row has one, wins over the
 * system prompt parameter.
 */
export const textGeneration: Task<typeof params> = {
  id: 'text_generation',
  label: 'Text generation',
  description:
    'Sends each row to the model through a Jinja prompt template and keeps the answer as "generation". The classic way to answer a set of instructions.',
  group: 'Generation',
  params,
  inputs: (p) => [
    ...templateVariables(p.template).map((name) => ({
      name,
      description: 'Used by the prompt template',
    })),
    {
      name: 'system_prompt',
      description: 'A per-row system prompt; wins over the System prompt setting',
      optional: true,
    },
  ],
  outputs: ['generation'],
  formatInput(row, p) {
    const system =
      typeof row.system_prompt === 'string' && row.system_prompt
        ? row.system_prompt
        : p.systemPrompt;
    const user = renderTemplate(p.template, row);
    return system
      ? [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ]
      : [{ role: 'user', content: user }];
  },
  formatOutput: (text) => ({ generation: text }),
};
