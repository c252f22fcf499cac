import { inputError } from '../engine/errors';
import type { ChatMessage } from '../engine/llm/types';
import { cell, type Row } from '../engine/task';

/** Reads task inputs from a row, with messages that say which column is wrong and how. */

/** A text input; numbers and booleans become text, a missing value is an error. */
export function textOf(row: Row, name: string): string {
  const value = cell(row, name);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw inputError(`The input "${name}" must be text, and this row has ${describe(value)}.`);
}

/** An optional text input: undefined when the row has no value for it. */
export function optionalTextOf(row: Row, name: string): string | undefined {
  const value = cell(row, name);
  if (value === undefined || value === null || value === '') return undefined;
  return textOf(row, name);
}

/**
 * A list-of-texts input: an array, or (from a CSV cell) a JSON array written as text.
 * With `length`, the list must have exactly that many items.
 */
export function listOf(row: Row, name: string, length?: number): string[] {
  let value = cell(row, name);
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      value = JSON.parse(value);
    } catch {
      // reported below
    }
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw inputError(
      `The input "${name}" must be a list of texts (a JSON array, or generations grouped into one row), and this row has ${describe(value)}.`,
    );
  }
  if (length !== undefined && value.length !== length) {
    throw inputError(
      `The input "${name}" must hold exactly ${length} texts, and this row has ${value.length}.`,
    );
  }
  return value.map((item) =>
    typeof item === 'string' ? item : item === null || item === undefined ? '' : String(item),
  );
}

const ROLES = new Set(['system', 'user', 'assistant']);

/** A conversation input: a list of `{role, content}` (or its JSON text) ending with the user. */
export function messagesOf(row: Row, name: string): ChatMessage[] {
  let value = cell(row, name);
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      value = JSON.parse(value);
    } catch {
      // reported below
    }
  }
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (m) =>
        typeof m === 'object' &&
        m !== null &&
        ROLES.has((m as ChatMessage).role) &&
        typeof (m as ChatMessage).content === 'string',
    );
  if (!valid) {
    throw inputError(
      `The input "${name}" must be a conversation: a list of {"role", "content"} messages with roles system, user or assistant.`,
    );
  }
  const messages = (value as ChatMessage[]).map(({ role, content }) => ({ role, content }));
  if (messages.at(-1)?.role !== 'user') {
    throw inputError(`The conversation in "${name}" must end with a user message.`);
  }
  return messages;
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return 'no value';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return `a ${typeof value}`;
}

/** A system message (when there is one) followed by the user's. */
export function chat(system: string | undefined, user: string): ChatMessage[] {
  return system
    ? [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ]
    : [{ role: 'user', content: user }];
}
