import { describe, expect, it } from 'vitest';
import {
  blocksStartingAt,
  cleanValue,
  extractJson,
  fieldValue,
  indexedScores,
  isNotApplicable,
  listItems,
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
    ['Score 4', 4],
    ['4.', 4],
    ['4\nbecause...', 4],
    ['4 - response 1 is accurate', 4],
    ['4 (out of 5)', 4],
    ['4, rather than 2 as before', 4],
    ['4 instead of 2', 4],
    ['4 (maybe out of 5)', 4],
    ['4 - the response actually covers 3 of the 4 points', 4],
    ['4 (changes 2 lines correctly)', 4],
    ['5 - maybe 1 typo', 5],
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
    "3 (out of 5)... I'd revise to 4",
    '2, but arguably 4',
    '1/5 → 4/5',
    '2 -> 3',
    '4, actually 3',
    '3, or rather 4',
    "3. On second thought, I'd bump it up to a 4",
    '3, perhaps 3.5',
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
    ['a bare array', '["a", "b"]', ['a', 'b']],
    ['a fenced array', 'Here:\n```json\n["a", "b"]\n```\ndone', ['a', 'b']],
    ['an object after an array in prose', 'Options: ["a", "b"]. Answer: {"a": 1}', { a: 1 }],
    [
      'an array on lines of its own after a preamble',
      'Here are the queries:\n[\n  "What is X?",\n  "How does Y work?"\n]\nHope this helps.',
      ['What is X?', 'How does Y work?'],
    ],
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

  it.each([
    'no json here',
    '{"a": 1',
    '{a: 1}',
    '',
    // An array in prose is too often not JSON meant as the answer.
    'Here: ["a", "b"] done',
    '[1] Score: 2',
    'The answer lists [1, 2] as bullet points.\n[1] Score: 3\n[2] Score: 1',
    'How do I parse ["a", "b"] in Python?\nWhat is a list?',
    // Nor is an object inside such an array one of several entries.
    'Both: [{"a": 1}, {"a": 2}]',
  ])('gives undefined for %j', (text) => {
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

  it('reads a heading with a short parenthesised suffix', () => {
    const sections = numberedSections(
      '### Text 2 (Assistant B)\nb\n**Text 1 (Assistant A):**\na',
      'text',
    );
    expect([sections.get(1), sections.get(2)]).toEqual(['a', 'b']);
  });

  it('splits blocks at a label, numbered 1..n in order or not at all', () => {
    expect(blocksStartingAt('Rating: 4\nRationale: a\nRating: 3', 'Rating')).toEqual([
      'Rating: 4\nRationale: a',
      'Rating: 3',
    ]);
    expect(blocksStartingAt('1. Rating: 4\n2. Rating: 3', 'Rating')).toEqual([
      '1. Rating: 4',
      '2. Rating: 3',
    ]);
    expect(blocksStartingAt('2. Rating: 3\n1. Rating: 4', 'Rating')).toBeNull();
    expect(blocksStartingAt('1. Rating: 3\nRating: 4', 'Rating')).toBeNull();
    expect(blocksStartingAt('0. Rating: 3\n1. Rating: 4', 'Rating')).toBeNull();
  });

  it('reads indexed scores in any order', () => {
    expect(indexedScores('[2] Score: 3\n[1] Score: 1', 3, { min: 1, max: 4 })).toEqual([
      1,
      3,
      null,
    ]);
    expect(indexedScores('nothing', 2, SCALE)).toBeNull();
  });

  it('does not read items numbered from 0 or past the count', () => {
    expect(indexedScores('[0] Score: 2\n[1] Score: 3', 2, { min: 1, max: 3 })).toBeNull();
    expect(indexedScores('[1] Score: 2\n[3] Score: 3', 2, { min: 1, max: 3 })).toBeNull();
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

  it('keeps only the marked lines of a list', () => {
    expect(listItems('Here they are:\n1. a\n- b\n\nThat is all.')).toEqual(['a', 'b']);
    expect(listItems('a\nb')).toEqual([]);
  });
});
