import type { ChatMessage } from '../engine/llm/types';
import { cell, type Row } from '../engine/task';

/**
 * Few-shot examples, the default way: each example is an earlier exchange, its
 * prompt as a user turn and its answer as the assistant's, before the row's
 * own prompt. A chat model reads them as what it said before, which steers the
 * form of its answer more than a list pasted into the prompt does.
 */
export function withExampleTurns(
  messages: ChatMessage[],
  examples: readonly Row[],
  exampleTurn: (example: Row) => ChatMessage[],
  outputs: readonly string[],
): ChatMessage[] {
  if (examples.length === 0) return messages;
  const system = messages[0]?.role === 'system' ? [messages[0]] : [];
  const turns = examples.flatMap((example): ChatMessage[] => [
    ...exampleTurn(example).filter((m) => m.role !== 'system'),
    { role: 'assistant', content: answerOf(example, outputs) },
  ]);
  return [...system, ...turns, ...messages.slice(system.length)];
}

/** An example's answer as the model would have written it: the text of a single output, else JSON. */
export function answerOf(example: Row, outputs: readonly string[]): string {
  if (outputs.length === 1) {
    const value = cell(example, outputs[0]);
    return typeof value === 'string' ? value : JSON.stringify(value ?? null);
  }
  return JSON.stringify(
    Object.fromEntries(outputs.map((name) => [name, cell(example, name) ?? null])),
  );
}
