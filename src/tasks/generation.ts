import { z } from 'zod';
import type { ChatMessage } from '../engine/llm/types';
import type { PromptTask } from '../engine/task';
import { withExampleTurns } from './fewShot';
import { structuredTemplate } from './generation.prompt';
import { readJsonFields, readObjectSchema, schemaColumns, schemaParam } from './jsonFields';
import { promptTask, textColumn } from './promptTask';
import { messagesOf } from './rows';

const chatParams = z.object({
  systemPrompt: z
    .string()
    .default('')
    .describe('System prompt (used when a conversation has none of its own)'),
});

/**
 * distilabel's ChatGeneration: the next assistant turn of a conversation.
 * Examples come first, each conversation with its answer.
 */
export const chatGeneration: PromptTask<typeof chatParams> = {
  kind: 'prompt',
  id: 'chat_generation',
  label: 'Chat generation',
  description:
    'Continues each conversation in "messages" (a list of {"role", "content"} ending with a user turn) with the assistant\'s next turn, kept as "generation".',
  group: 'Generation',
  params: chatParams,
  inputs: [{ name: 'messages', description: 'The conversation: {"role", "content"} messages' }],
  outputs: ['generation'],
  fewShot: true,
  formatInput(row, p, examples = []) {
    const messages = messagesOf(row, 'messages');
    const withSystem: ChatMessage[] =
      p.systemPrompt && messages[0].role !== 'system'
        ? [{ role: 'system', content: p.systemPrompt }, ...messages]
        : messages;
    return withExampleTurns(withSystem, examples, (example) => messagesOf(example, 'messages'), [
      'generation',
    ]);
  },
  formatOutput: (text) => ({ generation: text }),
};

const DEFAULT_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
  },
  required: ['name', 'description'],
};

const structuredParams = z.object({
  schema: schemaParam(DEFAULT_SCHEMA, 'JSON schema of the answer (each property becomes a column)'),
  systemPrompt: z.string().default('').describe('System prompt'),
  schemaInPrompt: z
    .boolean()
    .default(true)
    .describe('Also show the schema in the prompt (for providers that cannot enforce it)'),
});

/**
 * distilabel's StructuredGeneration with the schema as a setting: the answer is
 * a JSON object, and each top-level property of the schema is an output column.
 */
export const structuredGeneration = promptTask({
  id: 'structured_generation',
  label: 'Structured generation',
  description:
    'Answers each "instruction" with a JSON object that follows your JSON schema (enforced when the provider can). Each top-level property of the schema becomes a column; a missing value or one of the wrong type is null.',
  group: 'Generation',
  params: structuredParams,
  columns: { instruction: textColumn('What to generate') },
  outputs: (p) => schemaColumns(p.schema),
  system: (p) => p.systemPrompt,
  template: structuredTemplate,
  derived: { shownSchema: (p) => (p.schemaInPrompt ? p.schema.trim() : '') },
  formatOutput: (text, _row, p) => readJsonFields(text, p.schema),
  jsonSchema: (p) => readObjectSchema(p.schema)?.schema,
  structuredByDefault: true,
});
