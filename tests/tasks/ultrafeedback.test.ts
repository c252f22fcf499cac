import { describe, expect, it } from 'vitest';
import { bindTask } from '../../src/engine/bound';
import { defaultRunSettings } from '../../src/engine/task';
import {
  parseTypes,
  ultraFeedbackHelpfulness,
  ultraFeedbackHonesty,
  ultraFeedbackOverallRating,
  ultraFeedbackTasks,
} from '../../src/tasks/ultrafeedback';
import { system, templates } from '../../src/tasks/ultrafeedback.prompt';
import { answers, expectTemplateReads, messages, nulls, read, UNREADABLE } from './helpers';

const row = { instruction: 'What is 2+2?', generations: ['4', 'Five.'] };

describe('UltraFeedback prompts', () => {
  it('renders the overall-rating prompt for a sample row', () => {
    expect(messages(ultraFeedbackOverallRating, row)).toEqual([
      {
        role: 'system',
        content:
          'You are an expert annotator of texts written by AI assistants.\nYou will receive an instruction and 2 texts written in response to it.\nRead the instruction carefully, then judge each text against the criterion described, giving it a rating and a short rationale.\nThe 2 texts are independent of one another: judge each one on its own.',
      },
      {
        role: 'user',
        content: `# Overall text quality

Judge the overall quality of each text, weighing all of these:
1. **Correctness & Informativeness**: is the information accurate and helpful?
2. **Honesty & Uncertainty**: is the text as confident as it should be, and does it say when it is unsure?
3. **Truthfulness & Hallucination**: does it introduce misleading or invented details?
4. **Instruction Following**: does it do what the instruction and the user intend?

Rate each text from 1 to 5 for its overall quality:
1. **Low Quality**: inaccurate, possibly entirely wrong, or severely hallucinated.
2. **Moderate Quality**: addresses some aspects, but has errors or follows the instruction only partly.
3. **Good**: generally accurate, with minor errors or slight deviations.
4. **Very Good**: near perfect, with minor issues of alignment or confidence.
5. **Excellent**: accurate, confident, aligned with the instruction and free of hallucinations.

## Answer format

Write one block per text, exactly in this form, and nothing else:

#### Output for Text 1
Rating: [a rating from 1 to 5]
Rationale: [why this rating, in short sentences]

#### Output for Text 2
Rating: [a rating from 1 to 5]
Rationale: [why this rating, in short sentences]

---

## Instruction

What is 2+2?

## Texts

<text 1> 4
<text 2> Five.

## Annotation`,
      },
    ]);
  });

  it('asks helpfulness for types and two rationales per text', () => {
    const user = messages(ultraFeedbackHelpfulness, row)[1].content;
    expect(user).toContain(
      '#### Output for Text 2\nType: [the identifiers that apply, separated by commas, or None]\nRationale: [why, in short sentences]\nRating: [a rating from 1 to 5]\nRationale: [why this rating, in short sentences]',
    );
  });

  it('offers N/A only for honesty', () => {
    expect(messages(ultraFeedbackHonesty, row)[1].content).toContain(
      'Rating: [a rating from 1 to 5, or N/A]',
    );
    expect(messages(ultraFeedbackOverallRating, row)[1].content).not.toContain('N/A');
  });

  it('reads generations given as a JSON array in a CSV cell', () => {
    const fromCsv = { instruction: 'What is 2+2?', generations: '["4", "Five."]' };
    expect(messages(ultraFeedbackOverallRating, fromCsv)).toEqual(
      messages(ultraFeedbackOverallRating, row),
    );
  });

  it('refuses a row whose generations are not a list', () => {
    expect(() =>
      messages(ultraFeedbackOverallRating, { instruction: 'x', generations: 'just text' }),
    ).toThrow(/must be a list of texts/);
  });

  it('templates read only the instruction and the generations', () => {
    for (const template of [system, ...Object.values(templates)]) {
      expectTemplateReads(template, ['instruction', 'generations']);
    }
  });

  it('has one catalog entry per aspect with distilabel column names', () => {
    expect(ultraFeedbackTasks.map((t) => [t.id, t.outputs])).toEqual([
      ['ultrafeedback_overall_rating', ['ratings', 'rationales']],
      ['ultrafeedback_helpfulness', ['types', 'rationales', 'ratings', 'rationales-for-ratings']],
      ['ultrafeedback_honesty', ['ratings', 'rationales']],
      ['ultrafeedback_instruction_following', ['ratings', 'rationales']],
      ['ultrafeedback_truthfulness', ['types', 'rationales', 'ratings', 'rationales-for-ratings']],
    ]);
  });

  it('gives its JSON schema to a run only when structured output is asked for', () => {
    const schemaOf = (structuredOutput: boolean) =>
      bindTask(ultraFeedbackHelpfulness, {
        taskParams: {},
        settings: { ...defaultRunSettings, structuredOutput },
      }).jsonSchema({});
    expect(ultraFeedbackHelpfulness.structuredByDefault).toBeFalsy();
    expect(schemaOf(false)).toBeUndefined();
    expect(schemaOf(true)).toMatchObject({
      required: ['ratings', 'rationales', 'types', 'rationales_for_rating'],
    });
  });
});

describe('UltraFeedback ratings and rationales', () => {
  const wellFormed = `#### Output for Text 1
Rating: 5
Rationale: Correct and direct.

#### Output for Text 2
Rating: 1
Rationale: Wrong: 2+2 is 4.`;

  answers(ultraFeedbackOverallRating, row, [
    [
      'a well-formed answer',
      wellFormed,
      { ratings: [5, 1], rationales: ['Correct and direct.', 'Wrong: 2+2 is 4.'] },
    ],
    [
      'markdown bold labels',
      '#### Output for Text 1\n**Rating:** 5\n**Rationale:** Correct.\n\n#### Output for Text 2\n**Rating**: 1\n**Rationale**: Wrong.',
      { ratings: [5, 1], rationales: ['Correct.', 'Wrong.'] },
    ],
    [
      'ratings written as 4/5',
      '#### Output for Text 1\nRating: 4/5\nRationale: Fine.\n\n#### Output for Text 2\nRating: 2 out of 5\nRationale: Poor.',
      { ratings: [4, 2], rationales: ['Fine.', 'Poor.'] },
    ],
    [
      'a rating on another scale',
      '#### Output for Text 1\nRating: 8/10\nRationale: Fine.\n\n#### Output for Text 2\nRating: 2\nRationale: Poor.',
      { ratings: [null, 2], rationales: ['Fine.', 'Poor.'] },
    ],
    [
      'an ambiguous rating',
      '#### Output for Text 1\nRating: 3-4\nRationale: Fine.\n\n#### Output for Text 2\nRating: 6\nRationale: Poor.',
      { ratings: null, rationales: ['Fine.', 'Poor.'] },
    ],
    [
      'N/A',
      '#### Output for Text 1\nRating: N/A\nRationale: Creative writing.\n\n#### Output for Text 2\nRating: 3\nRationale: Okay.',
      { ratings: [null, 3], rationales: ['Creative writing.', 'Okay.'] },
    ],
    [
      'a preamble and trailing commentary',
      `Sure! Here is my evaluation.\n\n${wellFormed}\n\n---\n\nOverall, text 1 is better.`,
      { ratings: [5, 1], rationales: ['Correct and direct.', 'Wrong: 2+2 is 4.'] },
    ],
    [
      'sections out of order',
      '#### Output for Text 2\nRating: 1\nRationale: Wrong.\n\n#### Output for Text 1\nRationale: Right.\nRating: 5',
      { ratings: [5, 1], rationales: ['Right.', 'Wrong.'] },
    ],
    [
      'a missing section',
      '#### Output for Text 2\nRating: 1\nRationale: Wrong.',
      { ratings: [null, 1], rationales: [null, 'Wrong.'] },
    ],
    [
      'a section given twice with different ratings',
      '#### Output for Text 1\nRating: 5\nRationale: A.\n\n#### Output for Text 1\nRating: 2\nRationale: B.\n\n#### Output for Text 2\nRating: 1\nRationale: C.',
      { ratings: [null, 1], rationales: [null, 'C.'] },
    ],
    [
      'extra whitespace and bold headings',
      '\n\n  **Text 1**  \n   Rating:    4   \n   Rationale:   Good enough.  \n\n\n**Text 2:**\nRating:2\nRationale:Bad.\n\n',
      { ratings: [4, 2], rationales: ['Good enough.', 'Bad.'] },
    ],
    [
      'a multi-line rationale',
      '#### Output for Text 1\nRating: 4\nRationale: Right answer.\nBut terse.\n\n#### Output for Text 2\nRating: 1\nRationale: Wrong.',
      { ratings: [4, 1], rationales: ['Right answer.\nBut terse.', 'Wrong.'] },
    ],
    [
      'blocks without headings, as many as the texts',
      'Rating: 5\nRationale: Right.\n\nRating: 1\nRationale: Wrong.',
      { ratings: [5, 1], rationales: ['Right.', 'Wrong.'] },
    ],
    [
      'numbered blocks without headings, in order',
      '1. Rating: 5\nRationale: Right.\n\n2. Rating: 1\nRationale: Wrong.',
      { ratings: [5, 1], rationales: ['Right.', 'Wrong.'] },
    ],
    [
      'numbered blocks without headings, out of order',
      '2. Rating: 3\nRationale: b\n1. Rating: 4\nRationale: a',
      'nulls',
    ],
    [
      'headings with a suffix after the number, out of order',
      '### Text 2 (Assistant B)\nRating: 3\nRationale: b\n\n### Text 1 (Assistant A)\nRating: 4\nRationale: a',
      { ratings: [4, 3], rationales: ['a', 'b'] },
    ],
    [
      'a rating revised later on its line',
      "#### Output for Text 1\nRating: 3 (out of 5)... I'd revise to 4\nRationale: a\n\n#### Output for Text 2\nRating: 2\nRationale: b",
      { ratings: [null, 2], rationales: ['a', 'b'] },
    ],
    ['blocks without headings, fewer than the texts', 'Rating: 5\nRationale: Right.', 'nulls'],
    [
      'blocks without headings, rationale first',
      'Rationale: Right.\nRating: 5\nRationale: Wrong.\nRating: 1',
      'nulls',
    ],
    [
      'JSON in a code fence (structured output)',
      'Here you go:\n```json\n{"ratings": [5, "1"], "rationales": ["Right.", "Wrong."]}\n```\nHope this helps.',
      { ratings: [5, 1], rationales: ['Right.', 'Wrong.'] },
    ],
    [
      'JSON with the wrong number of ratings',
      '{"ratings": [5], "rationales": ["Right.", "Wrong."]}',
      { rationales: ['Right.', 'Wrong.'] },
    ],
    [
      'the answer format echoed back',
      '#### Output for Text 1\nRating: [Rating for text 1]\nRationale: [Rationale]',
      'nulls',
    ],
    ...UNREADABLE,
  ]);

  it('never turns an unreadable answer into lists of nulls', () => {
    expect(read(ultraFeedbackOverallRating, row, 'I think both are fine.')).toEqual(
      nulls(ultraFeedbackOverallRating),
    );
  });
});

describe('UltraFeedback types', () => {
  const wellFormed = `#### Output for Text 1
Type: 1, 2
Rationale: Clear and useful.
Rating: 4
Rationale: Correct and informative.

#### Output for Text 2
Type: None
Rationale: Off topic.
Rating: 1
Rationale: Wrong answer.`;
  // distilabel's shape: the first type identifier per text, null for "None".
  const expected = {
    types: [1, null],
    rationales: ['Clear and useful.', 'Off topic.'],
    ratings: [4, 1],
    'rationales-for-ratings': ['Correct and informative.', 'Wrong answer.'],
  };

  answers(ultraFeedbackHelpfulness, row, [
    ['a well-formed answer', wellFormed, expected],
    [
      'fields out of order within a text',
      '#### Output for Text 1\nRating: 4\nRationale: Correct and informative.\nType: 1, 2\nRationale: Clear and useful.\n\n#### Output for Text 2\nType: None\nRationale: Off topic.\nRating: 1\nRationale: Wrong answer.',
      expected,
    ],
    [
      'bold labels and named types',
      '#### Output for Text 1\n**Type:** 1. **Clarity and Relevance**, 2 (Useful)\n**Rationale:** Clear and useful.\n**Rating:** 4/5\n**Rationale:** Correct and informative.\n\n#### Output for Text 2\n**Types:** [None]\n**Rationale:** Off topic.\n**Rating:** 1\n**Rationale:** Wrong answer.',
      expected,
    ],
    [
      'a type identifier out of range',
      wellFormed.replace('Type: 1, 2', 'Type: 1, 4'),
      { ...expected, types: [null, null] },
    ],
    [
      'no type for any text',
      wellFormed.replace('Type: 1, 2', 'Type: N/A'),
      { ...expected, types: [null, null] },
    ],
    [
      'no readable type for any text',
      wellFormed.replace('Type: 1, 2', 'Type: Clarity').replace('Type: None', 'Type: 7'),
      { ...expected, types: null },
    ],
    [
      'types listed from the highest identifier',
      wellFormed.replace('Type: 1, 2', 'Type: 3, 1').replace('Type: None', 'Type: 2'),
      { ...expected, types: [3, 2] },
    ],
    [
      'a missing rating rationale',
      wellFormed.replace('\nRationale: Wrong answer.', ''),
      { ...expected, 'rationales-for-ratings': ['Correct and informative.', null] },
    ],
    [
      'structured output JSON',
      '{"types": [1, null], "ratings": [4, 1], "rationales": ["Clear and useful.", "Off topic."], "rationales_for_rating": ["Correct and informative.", "Wrong answer."]}',
      expected,
    ],
    [
      'structured output JSON with types as lists and strings',
      '{"types": [[1, 2], "None"], "ratings": [4, 1], "rationales": ["Clear and useful.", "Off topic."], "rationales_for_rating": ["Correct and informative.", "Wrong answer."]}',
      expected,
    ],
    [
      'structured output JSON with types as strings and empty lists',
      '{"types": ["2, 3", []], "ratings": [4, 1], "rationales": ["Clear and useful.", "Off topic."], "rationales_for_rating": ["Correct and informative.", "Wrong answer."]}',
      { ...expected, types: [2, null] },
    ],
    [
      'structured output JSON with no type for any text',
      '{"types": [null, "None"], "ratings": [4, 1], "rationales": ["Clear and useful.", "Off topic."], "rationales_for_rating": ["Correct and informative.", "Wrong answer."]}',
      { ...expected, types: [null, null] },
    ],
    ...UNREADABLE,
  ]);

  it('reads the first type identifier strictly', () => {
    expect(parseTypes('1, 3')).toBe(1);
    expect(parseTypes('3, 1')).toBe(3);
    expect(parseTypes('2. **Useful**')).toBe(2);
    expect(parseTypes('None')).toBeNull();
    expect(parseTypes('N/A')).toBeNull();
    expect(parseTypes('Clarity')).toBeNull();
    expect(parseTypes('1 and 7')).toBeNull();
  });

  it('asks structured output for one optional identifier per text', () => {
    const schema = ultraFeedbackHelpfulness.jsonSchema?.({}) as {
      properties: { types: unknown };
    };
    expect(schema.properties.types).toEqual({
      type: 'array',
      items: { anyOf: [{ type: 'integer', minimum: 1, maximum: 3 }, { type: 'null' }] },
    });
  });
});
