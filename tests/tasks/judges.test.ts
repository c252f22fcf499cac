import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../src/engine/task';
import { arenaHard } from '../../src/tasks/arenaHard';
import * as arena from '../../src/tasks/arenaHard.prompt';
import { clair } from '../../src/tasks/clair';
import * as clairPrompt from '../../src/tasks/clair.prompt';
import { instructionBacktranslation } from '../../src/tasks/instructionBacktranslation';
import * as backtranslationPrompt from '../../src/tasks/instructionBacktranslation.prompt';
import { prometheusAbsolute, prometheusRelative } from '../../src/tasks/prometheus';
import { absolute, relative } from '../../src/tasks/prometheus.prompt';
import { complexityScorer, qualityScorer } from '../../src/tasks/scorers';
import * as scorerPrompts from '../../src/tasks/scorers.prompt';
import { answers, expectTemplateReads, inputNames, messages, UNREADABLE } from './helpers';

describe('Quality scorer', () => {
  const row = {
    instruction: 'Name a prime.',
    responses: ['7', 'Nine', 'Two is the smallest prime.'],
  };

  it('renders the prompt for a sample row', () => {
    expect(messages(qualityScorer, row)).toEqual([
      {
        role: 'user',
        content: `Score the quality of each response to the question below. Weigh how helpful, relevant, accurate, deep, creative and detailed each response is.
Give each response a score from 1 to 3; give 4 only to a response so well written that it cannot be improved.
Answer with one line per response, in this form, and nothing else:
[1] Score: <score>
[2] Score: <score>
...

## Question

Name a prime.

## Responses

[1] 7
[2] Nine
[3] Two is the smallest prime.
`,
      },
    ]);
    expectTemplateReads(scorerPrompts.quality, ['instruction', 'responses']);
  });

  it('gives a schema with one score per response when it sees the row', () => {
    const on = resolveParams(qualityScorer, {});
    const items = { type: 'integer', minimum: 1 };
    expect(qualityScorer.jsonSchema?.(on)).toEqual({
      type: 'object',
      properties: { scores: { type: 'array', items } },
      required: ['scores'],
    });
    expect(qualityScorer.jsonSchema?.(on, row)).toEqual({
      type: 'object',
      properties: {
        scores: {
          type: 'array',
          items: { ...items, maximum: 4 },
          minItems: 3,
          maxItems: 3,
        },
      },
      required: ['scores'],
    });
  });

  answers(qualityScorer, row, [
    ['well-formed lines', '[1] Score: 2\n[2] Score: 1\n[3] Score: 4', { scores: [2, 1, 4] }],
    [
      'bold and a preamble',
      'My scores:\n\n**[1] Score:** 2\n**[2] Score:** 1\n**[3] Score:** 3',
      { scores: [2, 1, 3] },
    ],
    ['lines out of order', '[3] Score: 3\n[1] Score: 2\n[2] Score: 1', { scores: [2, 1, 3] }],
    ['a missing line', '[1] Score: 2\n[3] Score: 3', { scores: [2, null, 3] }],
    [
      'a score off the scale',
      '[1] Score: 2\n[2] Score: 5\n[3] Score: 3/4',
      { scores: [2, null, 3] },
    ],
    [
      'N/A and trailing commentary',
      '[1] Score: N/A\n[2] Score: 1\n[3] Score: 3\n\nResponse 3 is the best because it explains.',
      { scores: [null, 1, 3] },
    ],
    [
      'an index scored twice differently',
      '[1] Score: 2\n[1] Score: 3\n[2] Score: 1\n[3] Score: 3',
      { scores: [null, 1, 3] },
    ],
    ['JSON in a code fence', '```json\n{"scores": [2, 1, 3]}\n```', { scores: [2, 1, 3] }],
    ['JSON with the wrong count', '{"scores": [2, 1]}', 'nulls'],
    ['the format echoed back', '[1] Score: <score>\n[2] Score: <score>', 'nulls'],
    [
      'a score that mentions another response',
      '[1] Score: 2 - response 1 is accurate\n[2] Score: 1\n[3] Score: 4',
      { scores: [2, 1, 4] },
    ],
    [
      'a score revised on its line',
      '[1] Score: 2, but arguably 4\n[2] Score: 1\n[3] Score: 1/4 → 3/4',
      { scores: [null, 1, null] },
    ],
    ['items numbered from 0', '[0] Score: 2\n[1] Score: 1\n[2] Score: 4', 'nulls'],
    ['an index past the count', '[1] Score: 2\n[2] Score: 1\n[4] Score: 4', 'nulls'],
    ...UNREADABLE,
  ]);

  // With one response, an answer line such as `[1] Score: 2` starts with what
  // looks like a JSON array; it must be read as a line, not as the array [1].
  answers(qualityScorer, { instruction: 'Name a prime.', responses: ['7'] }, [
    ['a single score line', '[1] Score: 2', { scores: [2] }],
    ['a bare JSON array', '[2]', { scores: [2] }],
  ]);

  answers(qualityScorer, { instruction: 'Name a prime.', responses: ['7', 'Nine'] }, [
    [
      'an array in the prose before the lines',
      'The answer lists [1, 2] as bullet points.\n[1] Score: 3\n[2] Score: 1',
      { scores: [3, 1] },
    ],
    ['items numbered from 0', '[0] Score: 2\n[1] Score: 3', 'nulls'],
  ]);
});

describe('Complexity scorer', () => {
  const row = { instructions: ['Add 2 and 2.', "Prove Fermat's last theorem."] };

  it('renders the prompt for a sample row', () => {
    expect(
      messages(complexityScorer, row)[0].content,
    ).toBe(`Rank the questions below by how difficult and complex they are, giving each a score from 1 to 2.
Give 3 to a question too complex for you to answer.
Answer with one line per question, in this form, and nothing else:
[1] Score: <score>
[2] Score: <score>
...

## Questions

[1] Add 2 and 2.
[2] Prove Fermat's last theorem.
`);
    expectTemplateReads(scorerPrompts.complexity, ['instructions']);
  });

  it('gives a schema with one score per instruction when it sees the row', () => {
    const on = resolveParams(complexityScorer, {});
    const schema = complexityScorer.jsonSchema?.(on, row) as { properties: { scores: unknown } };
    const scores = schema.properties.scores;
    expect(scores).toEqual({
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: 3 },
      minItems: 2,
      maxItems: 2,
    });
    expect(complexityScorer.jsonSchema?.(on)).toEqual(qualityScorer.jsonSchema?.(on));
  });

  answers(complexityScorer, row, [
    ['well-formed lines', '[1] Score: 1\n[2] Score: 3', { scores: [1, 3] }],
    ['numbered without brackets', '1. Score: 1\n2. Score: 2', { scores: [1, 2] }],
    ['a score of 4 on a 1-3 scale', '[1] Score: 1\n[2] Score: 4', { scores: [1, null] }],
    ['decimals', '[1] Score: 1.5\n[2] Score: 2', { scores: [null, 2] }],
    ...UNREADABLE,
  ]);
});

describe('Prometheus', () => {
  const absRow = {
    instruction: 'Explain gravity.',
    generation: 'Mass attracts mass.',
    reference: 'Gravity is...',
  };
  const relRow = {
    instruction: 'Explain gravity.',
    generations: ['Mass attracts mass.', 'Magic.'],
  };

  it('renders the absolute prompt with a reference answer', () => {
    const [sys, user] = messages(prometheusAbsolute, absRow, {
      rubric: 'reasoning',
      withReference: true,
    });
    expect(sys.role).toBe('system');
    expect(user.content).toBe(`###Task Description:
You are given an instruction (which may contain an input), a response to evaluate, a reference answer that would score 5, and a score rubric describing the criterion to evaluate.
1. Write detailed feedback on the response, judging it strictly by the score rubric and not in general terms.
2. After the feedback, give a score: an integer from 1 to 5, as the rubric defines them.
3. Write your answer in this format: "Feedback: (your feedback on the criterion) [RESULT] (an integer from 1 to 5)"
4. Write nothing else: no introduction, conclusion or explanation.

###The instruction to evaluate:
Explain gravity.

###Response to evaluate:
Mass attracts mass.

###Reference Answer (Score 5):
Gravity is...

###Score Rubrics:
[Does the model reason logically and effectively in its responses?]
Score 1: The responses show no logical reasoning at all and are often irrelevant or nonsensical.
Score 2: The responses show occasional signs of reasoning but generally fail to be coherent or relevant.
Score 3: The responses usually show basic reasoning, though logic is not applied consistently and complex issues are not fully resolved.
Score 4: The responses often show strong reasoning and handle complex questions well, with minor inconsistencies or errors.
Score 5: The responses consistently show advanced reasoning, logically sound, coherent and sophisticated even on complex questions.

###Feedback:`);
  });

  it('leaves the reference out unless asked, and requires its column when asked', () => {
    const user = messages(prometheusAbsolute, absRow)[1].content;
    expect(user).not.toContain('Reference');
    expect(user).toContain('a response to evaluate, and a score rubric');
    expect(inputNames(prometheusAbsolute, { withReference: true })).toEqual([
      'instruction',
      'generation',
      'reference',
    ]);
    expect(() =>
      messages(prometheusAbsolute, { instruction: 'x', generation: 'y' }, { withReference: true }),
    ).toThrow(/"reference"/);
  });

  it('renders the relative prompt with a custom rubric', () => {
    const rubric =
      '[Is it funny?]\nScore 1: No.\nScore 2: Barely.\nScore 3: Somewhat.\nScore 4: Yes.\nScore 5: Hilarious.';
    const user = messages(prometheusRelative, relRow, { rubric: 'custom', customRubric: rubric })[1]
      .content;
    expect(user).toContain(
      '###Response A:\nMass attracts mass.\n\n###Response B:\nMagic.\n\n###Score Rubric:\n[Is it funny?]',
    );
    expect(user.endsWith('Score 5: Hilarious.\n\n###Feedback:')).toBe(true);
  });

  it('refuses a custom rubric of the wrong shape and a pair that is not two', () => {
    expect(() =>
      resolveParams(prometheusRelative, { rubric: 'custom', customRubric: 'Be nice' }),
    ).toThrow(/Custom rubric: /);
    expect(() => messages(prometheusRelative, { instruction: 'x', generations: ['a'] })).toThrow(
      /exactly 2/,
    );
  });

  it('templates read only declared inputs and the rubric', () => {
    expectTemplateReads(absolute, ['instruction', 'generation', 'reference', 'rubric']);
    expectTemplateReads(relative, ['instruction', 'generations', 'reference', 'rubric']);
  });

  describe('absolute answers', () => {
    answers(prometheusAbsolute, absRow, [
      [
        'a well-formed answer',
        'Feedback: Accurate but brief. [RESULT] 4',
        { feedback: 'Accurate but brief.', result: 4 },
      ],
      [
        'bold marker and 4/5',
        '**Feedback:** Accurate but brief.\n\n**[RESULT]** 4/5',
        { feedback: 'Accurate but brief.', result: 4 },
      ],
      [
        'a preamble-free score with trailing text',
        'Good.\n[RESULT] 3\nThat is my score.',
        { feedback: 'Good.', result: 3 },
      ],
      ['a score off the scale', 'Feedback: Fine. [RESULT] 7', { feedback: 'Fine.', result: null }],
      [
        'two different results',
        'Feedback: Fine. [RESULT] 3 ... [RESULT] 4',
        { feedback: 'Fine.', result: null },
      ],
      ['no [RESULT] marker', 'Feedback: Fine. Score: 4', 'nulls'],
      [
        'a result revised on its line',
        "Feedback: Fine. [RESULT] 3 (out of 5)... I'd revise to 4",
        { feedback: 'Fine.', result: null },
      ],
      [
        'a result with its scale in words',
        'Feedback: Fine. [RESULT] 4 (out of 5)',
        { feedback: 'Fine.', result: 4 },
      ],
      ...UNREADABLE,
    ]);
  });

  describe('relative answers', () => {
    answers(prometheusRelative, relRow, [
      [
        'a well-formed answer',
        'Feedback: A explains, B does not. [RESULT] A',
        { feedback: 'A explains, B does not.', result: 'A' },
      ],
      [
        '"Response B" in bold',
        'Feedback: B wins.\n**[RESULT]** Response B',
        { feedback: 'B wins.', result: 'B' },
      ],
      ['a tie', 'Feedback: Equal. [RESULT] A or B', { feedback: 'Equal.', result: null }],
      [
        'an absolute score instead',
        'Feedback: Fine. [RESULT] 4',
        { feedback: 'Fine.', result: null },
      ],
      ...UNREADABLE,
    ]);
  });
});

describe('Arena-Hard pairwise judge', () => {
  const row = { instruction: 'Capital of France?', generations: ['Paris.', 'Lyon.'] };

  it('renders the prompt for a sample row', () => {
    const [sys, user] = messages(arenaHard, row);
    expect(sys).toEqual({ role: 'system', content: arena.system });
    expect(user.content).toBe(`<|User Prompt|>
Capital of France?

<|The Start of Assistant A's Answer|>
Paris.
<|The End of Assistant A's Answer|>

<|The Start of Assistant B's Answer|>
Lyon.
<|The End of Assistant B's Answer|>`);
    expectTemplateReads(arena.user, ['instruction', 'generations']);
  });

  const judgement =
    'My answer: Paris.\n\nA is right, B is wrong.\n\nMy final verdict is: Assistant A is significantly better: [[A>>B]]';
  answers(arenaHard, row, [
    ['a well-formed verdict', judgement, { evaluation: judgement, score: 'A>>B' }],
    [
      'a verdict in bold with spaces',
      'A is better. **[[ A > B ]]**',
      { evaluation: 'A is better. **[[ A > B ]]**', score: 'A>B' },
    ],
    ['a mirrored verdict', 'Same. [[B=A]]', { evaluation: 'Same. [[B=A]]', score: 'A=B' }],
    [
      'the verdict repeated',
      '[[B>A]] ... so again [[B>A]]',
      { evaluation: '[[B>A]] ... so again [[B>A]]', score: 'B>A' },
    ],
    [
      'the verdict list echoed',
      'Verdicts: [[A>>B]] [[A>B]] [[A=B]]',
      { evaluation: 'Verdicts: [[A>>B]] [[A>B]] [[A=B]]', score: null },
    ],
    ['no verdict', 'Both are fine.', { evaluation: 'Both are fine.', score: null }],
    ['an empty answer', '', 'nulls'],
  ]);
});

describe('Instruction backtranslation', () => {
  const row = { instruction: 'Give a synonym for happy.', generation: 'Joyful.' };

  it('renders the prompt for a sample row', () => {
    const user = messages(instructionBacktranslation, row);
    expect(user).toHaveLength(1);
    expect(
      user[0].content.endsWith(
        '## Instruction\n\nGive a synonym for happy.\n\n## Answer\n\nJoyful.',
      ),
    ).toBe(true);
    expect(user[0].content).toContain('then write "Score: <rating>" on the last line.');
    expectTemplateReads(backtranslationPrompt.template, ['instruction', 'generation']);
  });

  answers(instructionBacktranslation, row, [
    [
      'a well-formed answer',
      'The answer is correct and direct.\nScore: 5',
      { score: 5, reason: 'The answer is correct and direct.' },
    ],
    [
      'a labelled reasoning and bold score',
      'Reasoning: Correct but terse.\n\n**Score:** 4/5',
      { score: 4, reason: 'Correct but terse.' },
    ],
    [
      'trailing commentary',
      'Correct.\nScore: 4\nI hope this helps.',
      { score: 4, reason: 'Correct.' },
    ],
    [
      'two different score lines',
      'Correct.\nScore: 3\nScore: 4',
      { score: null, reason: 'Correct.' },
    ],
    [
      'a score mentioned inside the reasoning',
      'Maybe Score: 3? No.\nScore: 4',
      { score: 4, reason: 'Maybe Score: 3? No.' },
    ],
    ['a score off the scale', 'Correct.\nScore: 9', { score: null, reason: 'Correct.' }],
    ['no score line', 'Correct and direct.', 'nulls'],
    ...UNREADABLE,
  ]);
});

describe('CLAIR', () => {
  const row = { task: 'What is 3*3?', student_solution: '3*3 is 6.' };

  it('renders the prompt for a sample row', () => {
    expect(messages(clair, row)).toEqual([
      { role: 'system', content: clairPrompt.system },
      {
        role: 'user',
        content: `{task}: What is 3*3?

{student_solution}: 3*3 is 6.

-----------------

Think it through step by step first, as a {teacher_reasoning} on how to improve the {student_solution}; then write the {corrected_student_solution}. Start the two parts of your answer with the identifiers {teacher_reasoning} and {corrected_student_solution}.`,
      },
    ]);
    expectTemplateReads(clairPrompt.template, ['task', 'student_solution']);
  });

  const expected = { revision: '3*3 is 9.', rational: 'The product is wrong.' };
  answers(clair, row, [
    [
      'a well-formed answer',
      '{teacher_reasoning}: The product is wrong.\n\n{corrected_student_solution}: 3*3 is 9.',
      expected,
    ],
    [
      'bold headings',
      '**Teacher Reasoning:**\nThe product is wrong.\n\n**Corrected Student Solution:**\n3*3 is 9.',
      expected,
    ],
    [
      'sections out of order',
      '{corrected_student_solution}:\n3*3 is 9.\n\n{teacher_reasoning}:\nThe product is wrong.',
      expected,
    ],
    [
      'no reasoning marker',
      'The product is wrong.\n\n{corrected_student_solution}: 3*3 is 9.',
      expected,
    ],
    [
      'the identifier echoed inside the reasoning',
      '{teacher_reasoning}: I will now give the {corrected_student_solution}. The product is wrong.\n{corrected_student_solution}: 3*3 is 9.',
      {
        revision: '3*3 is 9.',
        rational: 'I will now give the {corrected_student_solution}. The product is wrong.',
      },
    ],
    ['only reasoning', '{teacher_reasoning}: The product is wrong.', 'nulls'],
    [
      'two revisions',
      '{corrected_student_solution}: 9\n{corrected_student_solution}: nine',
      'nulls',
    ],
    ...UNREADABLE,
  ]);
});
