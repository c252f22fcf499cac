import { describe, expect, it } from 'vitest';
import {
  cleanValue,
  extractJson,
  fieldValue,
  indexedScores,
  isNotApplicable,
  listLines,
  numberedSections,
  parseScore,
  readFields,
} from '../../src/tasks/parse';

const SCALE = { min: 1, max: 5 };

describe('parseScore', () => {
  it.each([
    ['4', 4],
    ['  4  ', 4],
    ['**4**', 4],
    ['[4]', 4],
    ['(4)', 4],
    ['4/5', 4],
    ['4 / 5', 4],
    ['4 out of 5', 4],
    ['4 (Highly Informative)', 4],
    ['Score: 4', 4],
    ['4.', 4],
    ['4\nbecause...', 4],
  ])('reads %j as %s', (text, expected) => {
    expect(parseScore(text, SCALE)).toBe(expected);
  });

  it.each([
    'N/A',
    'None',
    '',
    'four',
    '6',
    '0',
    '4/10',
    '3-4',
    '3 or 4',
    '4.5',
    '45',
    '-1',
    '[Rating for text 1]',
  ])('gives null for %j', (text) => {
    expect(parseScore(text, SCALE)).toBeNull();
  });

  it('accepts decimals when the scale allows them', () => {
    expect(parseScore('4.5', { ...SCALE, integer: false })).toBe(4.5);
  });
});

describe('extractJson', () => {
  it.each([
    ['a bare object', '{"a": 1}', { a: 1 }],
    ['a fenced object', 'Sure!\n```json\n{"a": 1}\n```\nBye', { a: 1 }],
    ['an object in prose', 'The answer is {"a": "x}y"} as requested.', { a: 'x}y' }],
    ['an array', 'Here: ["a", "b"] done', ['a', 'b']],
    [
      'nested braces in strings',
      '{"a": "{[", "b": [1, {"c": 2}]} trailing',
      { a: '{[', b: [1, { c: 2 }] },
    ],
    [
      'raw line breaks and tabs inside strings',
      '{"a": "x\n\ty", "b": "\\n"}',
      { a: 'x\n\ty', b: '\n' },
    ],
  ])('reads %s', (_name, text, expected) => {
    expect(extractJson(text)).toEqual(expected);
  });

  it.each(['no json here', '{"a": 1', '{a: 1}', ''])('gives undefined for %j', (text) => {
    expect(extractJson(text)).toBeUndefined();
  });
});

describe('readFields', () => {
  it('reads labels with markdown, any case and multi-line values', () => {
    const fields = readFields(
      'Intro\n**Rating:** 4\n- *rationale*: Good.\nStill good.\n\n## Next\nRating (1-5): 3',
      ['Rating', 'Rationale'],
    );
    expect(fields).toEqual([
      { label: 'Rating', value: '4' },
      { label: 'Rationale', value: 'Good.\nStill good.' },
      { label: 'Rating', value: '3' },
    ]);
    expect(fieldValue(fields, 'Rating')).toBeNull();
    expect(fieldValue(fields, 'Rationale')).toBe('Good.\nStill good.');
  });

  it('reads a label alone on its line as a heading', () => {
    expect(readFields('## Positive\nA\n## Negative\nB', ['Positive', 'Negative'])).toEqual([
      { label: 'Positive', value: 'A' },
      { label: 'Negative', value: 'B' },
    ]);
  });

  it('does not take a prompt placeholder for a value', () => {
    expect(
      fieldValue(readFields('Rationale: [Rationale for text 1]', ['Rationale']), 'Rationale'),
    ).toBeNull();
  });
});

describe('sections, scores and lists', () => {
  it('keys sections by number and nulls a number given twice', () => {
    const sections = numberedSections(
      'pre\n### Text 2\nb\n**Text 1:**\na\nText 3\nc\nText 3\nd',
      'text',
    );
    expect(sections.get(1)).toBe('a');
    expect(sections.get(2)).toBe('b');
    expect(sections.get(3)).toBeNull();
  });

  it('reads indexed scores in any order', () => {
    expect(indexedScores('[2] Score: 3\n[1] Score: 1', 3, { min: 1, max: 4 })).toEqual([
      1,
      3,
      null,
    ]);
    expect(indexedScores('nothing', 2, SCALE)).toBeNull();
  });

  it('recognises not-applicable answers and cleans values', () => {
    expect(['N/A', 'n/a', '**N/A**', 'None', 'null', '-', '[None]'].every(isNotApplicable)).toBe(
      true,
    );
    expect(isNotApplicable('No')).toBe(false);
    expect(cleanValue('  **"quoted"**  ')).toBe('quoted');
  });

  it('strips bullets and numbering from list lines', () => {
    expect(listLines('1. a\n2) b\n- c\n\n* d\n(5) e')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
