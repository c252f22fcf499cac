import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/engine/llm/types';
import { type ChainContext, resolveParams } from '../../src/engine/task';
import { generateTextRetrievalData as task } from '../../src/tasks/textRetrieval';
import { template } from '../../src/tasks/textRetrieval.prompt';
import { answers, expectTemplateReads, preview, UNREADABLE } from './helpers';

const row = { task: 'Find recipes for a dish.' };

describe('Text retrieval data', () => {
  it('renders the prompt for a sample row', () => {
    expect(preview(task, row, { queryType: 'common', difficulty: 'PhD', numWords: '200' })).toEqual(
      {
        messages: [
          {
            role: 'user',
            content: `You have been given a retrieval task: Find recipes for a dish.
Write one example of text retrieval for this task, as a JSON object with these keys:
- "user_query": a string, a search query a user could send for this task.
- "positive_document": a string, a document that is relevant to the query.
- "hard_negative_document": a string, a document that only looks relevant to the query.

Follow these guidelines:
- The "user_query" is common, less than 5 words, clear, and on a topic of your choice.
- Write the documents independently of the query: do not copy the query into them. Parts of the "positive_document" may be off the query's topic.
- Each document is at least 200 words long.
- The "hard_negative_document" holds some useful information, but less useful or less complete than the "positive_document".
- Write the query and the documents in English.
- No document explains why it is or is not relevant to the query.
- Understanding the query and the documents takes PhD level education.

Answer with the JSON object only, without any explanation. Be creative!`,
          },
        ],
      },
    );
    expectTemplateReads(template, [
      'task',
      'query_type',
      'query_length',
      'difficulty',
      'clarity',
      'num_words',
      'language',
    ]);
  });

  it('draws each "random" setting from the seeded chain, and keeps the fixed ones', async () => {
    const prompts: ChatMessage[][] = [];
    const draws = [0.99, 0.5, 0.5, 0.1];
    const chain: ChainContext = {
      complete: async (m) => {
        prompts.push(m);
        return '{"user_query": "q", "positive_document": "p", "hard_negative_document": "n"}';
      },
      completeRaw: () => Promise.reject(new Error('never raw')),
      random: () => draws.shift() ?? 0,
    };
    const p = resolveParams(task, { difficulty: 'college', language: 'French' });
    expect(await task.run(row, p, chain)).toEqual({
      user_query: 'q',
      positive_document: 'p',
      hard_negative_document: 'n',
    });
    const content = prompts[0][0].content;
    expect(content).toContain(
      'The "user_query" is common, 5 to 15 words, understandable with some effort,',
    );
    expect(content).toContain('at least 50 words long');
    expect(content).toContain('takes college level education');
    expect(content).toContain('documents in French.');
    expect(draws).toEqual([]);
  });

  it('gives a JSON schema with the three strings', () => {
    expect(task.jsonSchema?.(resolveParams(task, {}))).toEqual({
      type: 'object',
      properties: {
        user_query: { type: 'string' },
        positive_document: { type: 'string' },
        hard_negative_document: { type: 'string' },
      },
      required: ['user_query', 'positive_document', 'hard_negative_document'],
    });
  });

  const full = { user_query: 'q', positive_document: 'p', hard_negative_document: 'n' };
  answers(task, row, [
    [
      'a bare JSON object',
      '{"user_query": "q", "positive_document": "p", "hard_negative_document": "n"}',
      full,
    ],
    [
      'JSON in a code fence after a preamble, with trailing commentary',
      'Here is the example:\n```json\n{"user_query": " q ", "positive_document": "p", "hard_negative_document": "n"}\n```\nI hope this helps!',
      full,
    ],
    [
      'an unfenced object between prose',
      'Sure! {"user_query": "q", "positive_document": "p", "hard_negative_document": "n"} Done.',
      full,
    ],
    [
      'raw line breaks inside a long document',
      '{"user_query": "q", "positive_document": "First line.\nSecond line.", "hard_negative_document": "n"}',
      { ...full, positive_document: 'First line.\nSecond line.' },
    ],
    [
      'a missing key and an empty one',
      '{"user_query": "q", "positive_document": "  "}',
      { user_query: 'q' },
    ],
    [
      'a value that is not text',
      '{"user_query": 42, "positive_document": "p"}',
      { positive_document: 'p' },
    ],
    ['a list instead of an object', '["q", "p", "n"]', 'nulls'],
    ['truncated JSON', '{"user_query": "q", "positive_document": "p', 'nulls'],
    ...UNREADABLE,
  ]);
});
