import type { Outputs } from '../engine/task';
import { template } from './genstruct.prompt';
import { promptTask, textColumn } from './promptTask';

/** The user turn before `[[[Assistant]]]` and the assistant turn after it (up to a next `[[[User]]]`). */
export function readGenstruct(text: string): Outputs {
  const parts = text.split(/\[\[\[\s*Assistant\s*\]\]\]/i);
  if (parts.length !== 2) return {};
  const user = parts[0].replace(/^[\s\S]*\[\[\[\s*User\s*\]\]\]/i, '').trim();
  const assistant = parts[1].split(/\[\[\[\s*User\s*\]\]\]/i)[0].trim();
  return user && assistant ? { user, assistant } : {};
}

/** distilabel's Genstruct: an instruction and its answer grounded in a document. */
export const genstruct = promptTask({
  id: 'genstruct',
  label: 'Genstruct',
  description:
    'Turns a document ("title" and "content") into an instruction and its answer grounded in the document, for instruction tuning from raw text. Writes "user" and "assistant". Best with NousResearch/Genstruct-7B.',
  group: 'Generation',
  columns: {
    title: textColumn('The document title'),
    content: textColumn('The document text'),
  },
  outputs: ['user', 'assistant'],
  template,
  formatOutput: (text) => readGenstruct(text),
});
