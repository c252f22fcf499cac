import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../src/engine/task';
import { customJson, customRegex, customText, namedGroups } from '../../src/tasks/custom';
import { answers, inputNames, messages, UNREADABLE } from './helpers';

describe('Custom prompt: text answer', () => {
  it('renders the template over the row with the system prompt', () => {
    const p = { template: 'Summarise {{ title }}:\n{{ body }}', systemPrompt: 'Be terse.' };
    expect(messages(customText, { title: 'Report', body: 'Long text.' }, p)).toEqual([
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Summarise Report:\nLong text.' },
    ]);
    expect(inputNames(customText, p)).toEqual(['title', 'body']);
  });

  answers(customText, { instruction: 'x' }, [
    ['an answer', '  A summary.  ', { generation: 'A summary.' }],
    ['an empty answer', '', 'nulls'],
  ]);
});

describe('Custom prompt: JSON answer', () => {
  const schema = JSON.stringify({
    type: 'object',
    properties: {
      sentiment: { type: 'string', enum: ['positive', 'negative'] },
      confidence: { type: 'number' },
    },
  });
  const p = { template: 'Classify: {{ review }}', schema };

  it('renders the template and gives the schema', () => {
    expect(messages(customJson, { review: 'Great!' }, p)).toEqual([
      { role: 'user', content: 'Classify: Great!' },
    ]);
    expect(customJson.jsonSchema?.(resolveParams(customJson, p))).toEqual(JSON.parse(schema));
    expect(inputNames(customJson, p)).toEqual(['review']);
  });

  answers(
    customJson,
    { review: 'Great!' },
    [
      [
        'JSON',
        '{"sentiment": "positive", "confidence": 0.9}',
        { sentiment: 'positive', confidence: 0.9 },
      ],
      [
        'JSON in a fence with commentary',
        'Result:\n```json\n{"confidence": "0.9", "sentiment": "positive"}\n```\nThanks',
        { sentiment: 'positive', confidence: 0.9 },
      ],
      [
        'a value outside the enum',
        '{"sentiment": "mixed", "confidence": 0.5}',
        { confidence: 0.5 },
      ],
      ['no JSON', 'positive', 'nulls'],
      ...UNREADABLE,
    ],
    p,
  );
});

describe('Custom prompt: regex fields', () => {
  const p = {
    template: 'Rate: {{ review }}',
    pattern: 'Rating:\\s*(?<rating>[1-5])\\b[\\s\\S]*?Topic:\\s*(?<topic>[^\\n]+)',
  };

  it('makes each named group a column, and refuses a pattern without one', () => {
    const outputs = customRegex.outputs as (p: unknown) => string[];
    expect(outputs(resolveParams(customRegex, p))).toEqual(['rating', 'topic']);
    expect(namedGroups('(?<=a)(?<x>b)(?<!c)')).toEqual(['x']);
    expect(() => resolveParams(customRegex, { pattern: '(\\d+)' })).toThrow(/named group/);
    expect(() => resolveParams(customRegex, { pattern: '(?<x>' })).toThrow(/does not compile/);
  });

  answers(
    customRegex,
    { review: 'Great!' },
    [
      ['a matching answer', 'Rating: 5\nTopic: shipping', { rating: '5', topic: 'shipping' }],
      [
        'another case, with a preamble',
        'Here it is.\nrating: 4\ntopic:  price  ',
        { rating: '4', topic: 'price' },
      ],
      ['no match', 'Five stars, about shipping.', 'nulls'],
      ...UNREADABLE,
    ],
    p,
  );

  it('matches case-sensitively when asked', () => {
    const strict = resolveParams(customRegex, { ...p, ignoreCase: false });
    expect(customRegex.formatOutput('rating: 4\ntopic: price', {}, strict)).toEqual({});
  });
});
