import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../src/engine/task';
import { generateSentencePair } from '../../src/tasks/sentencePair';
import * as pairPrompt from '../../src/tasks/sentencePair.prompt';
import { textClassification } from '../../src/tasks/textClassification';
import * as classificationPrompt from '../../src/tasks/textClassification.prompt';
import { answers, expectTemplateReads, messages, UNREADABLE } from './helpers';

describe('Text classification', () => {
  const row = { text: 'Can you tell me about your return policy?' };
  const labels = [
    'complaint: The customer is unhappy',
    'inquiry: The customer asks for information',
    'praise',
  ];

  it('renders the prompt with labels and their descriptions', () => {
    expect(
      messages(textClassification, row, { labels, queryTitle: 'Customer Query', context: '' }),
    ).toEqual([
      { role: 'system', content: classificationPrompt.systemPrompt },
      {
        role: 'user',
        content: `# Instruction
Classify the customer query below by giving it the most fitting labels.
Do not explain your reasoning or add any commentary.
If the text is ambiguous or lacks the information needed to classify it, answer with "Unclassified".
Give the one label that best describes the text.

## Labels
Choose only among these labels, reading what each one means:
- "complaint": The customer is unhappy
- "inquiry": The customer asks for information
- "praise"

## Customer Query
\`\`\`
Can you tell me about your return policy?
\`\`\`

## Output format
Answer with the labels in JSON, and nothing else:
\`\`\`
{"labels": "label"}
\`\`\``,
      },
    ]);
    expectTemplateReads(classificationPrompt.template, [
      'text',
      'queryTitle',
      'defaultLabel',
      'numLabels',
      'context',
      'labels',
      'described',
      'examples',
      'labelsFormat',
    ]);
  });

  it('renders free multi-label classification with examples', () => {
    const content = messages(textClassification, row, {
      numLabels: 3,
      examples: ['Where is my order?'],
    })[1].content;
    expect(content).toContain('Give a list of up to 3 labels that best describe the text.');
    expect(content).toContain("Give concise, relevant labels that capture the text's main themes");
    expect(content).toContain('Use clear, widely understood terms as labels');
    expect(content).toContain('## Examples\nSome examples of the task:\n- Where is my order?');
    expect(content).toContain('{"labels": ["label_0", "label_1", "label_2"]}');
  });

  it('gives a schema limited to the labels, by default', () => {
    expect(textClassification.jsonSchema?.(resolveParams(textClassification, { labels }))).toEqual({
      type: 'object',
      properties: {
        labels: { type: 'string', enum: ['complaint', 'inquiry', 'praise', 'Unclassified'] },
      },
      required: ['labels'],
    });
  });

  describe('one label from a list', () => {
    answers(
      textClassification,
      row,
      [
        ['JSON', '{"labels": "inquiry"}', { labels: 'inquiry' }],
        [
          'JSON in a fence with another case',
          '```json\n{"labels": "Inquiry"}\n```',
          { labels: 'inquiry' },
        ],
        ['a one-item list', '{"labels": ["praise"]}', { labels: 'praise' }],
        ['a bare label', '**inquiry**', { labels: 'inquiry' }],
        ['the default label', '{"labels": "unclassified"}', { labels: 'Unclassified' }],
        ['a label not in the list', '{"labels": "question"}', 'nulls'],
        ['two labels for one', '{"labels": ["inquiry", "praise"]}', 'nulls'],
        ['a sentence', 'The label is inquiry.', 'nulls'],
        ...UNREADABLE,
      ],
      { labels },
    );
  });

  describe('several free labels', () => {
    answers(
      textClassification,
      row,
      [
        [
          'a JSON list',
          'Sure:\n{"labels": ["returns", "policy"]}\nDone.',
          { labels: ['returns', 'policy'] },
        ],
        ['more labels than asked', '{"labels": ["a", "b", "c"]}', 'nulls'],
        ['a list of non-strings', '{"labels": [1, 2]}', 'nulls'],
        ['no JSON', 'returns, policy', 'nulls'],
      ],
      { numLabels: 2 },
    );
  });

  describe('one free label', () => {
    answers(
      textClassification,
      row,
      [
        ['JSON', '{"labels": "returns"}', { labels: 'returns' }],
        ['a bare answer, which could be anything', 'The label is returns.', 'nulls'],
      ],
      { numLabels: 1 },
    );
  });
});

describe('Generate sentence pair', () => {
  const row = { anchor: 'How do vaccines work?' };

  it('renders the prompt for a triplet with a hard negative and context', () => {
    expect(
      messages(generateSentencePair, row, {
        action: 'query',
        triplet: true,
        hardNegative: true,
        context: 'Medicine FAQ.',
      }),
    ).toEqual([
      {
        role: 'system',
        content: `Your task is to write a positive and a negative sentence for a given anchor sentence. Take the given context into account. The positive sentence must be a query for the anchor sentence, while the negative sentence is a "hard negative" that:
- uses keywords or phrases like the anchor's,
- has a grammatical structure like the anchor's,
- is not related to the anchor, yet could be mistaken for it.
Make the negative as hard as you can for a model to tell apart from the positive. Write only two new sections: \`## Positive\` and \`## Negative\`.`,
      },
      {
        role: 'user',
        content: '## Context\n\nMedicine FAQ.\n\n## Anchor\n\nHow do vaccines work?',
      },
    ]);
  });

  it('renders the prompt for a positive only', () => {
    expect(messages(generateSentencePair, row)).toEqual([
      {
        role: 'system',
        content:
          'Your task is to write a positive sentence for a given anchor sentence. The positive sentence must paraphrase the anchor sentence. Write only one new section: `## Positive`.',
      },
      { role: 'user', content: '## Anchor\n\nHow do vaccines work?' },
    ]);
    expectTemplateReads(pairPrompt.system, ['triplet', 'context', 'action', 'hardNegative']);
    expectTemplateReads(pairPrompt.user, ['context', 'anchor']);
  });

  describe('triplets', () => {
    answers(
      generateSentencePair,
      row,
      [
        [
          'sections',
          '## Positive\nWhat is the mechanism of vaccines?\n\n## Negative\nHow do vacuums work?',
          { positive: 'What is the mechanism of vaccines?', negative: 'How do vacuums work?' },
        ],
        [
          'sections out of order, bold',
          '**Negative:** How do vacuums work?\n**Positive:** What is the mechanism of vaccines?',
          { positive: 'What is the mechanism of vaccines?', negative: 'How do vacuums work?' },
        ],
        [
          'a missing negative',
          '## Positive\nWhat is the mechanism of vaccines?',
          { positive: 'What is the mechanism of vaccines?' },
        ],
        [
          'JSON',
          '```json\n{"positive": "P", "negative": "N"}\n```',
          { positive: 'P', negative: 'N' },
        ],
        ...UNREADABLE,
      ],
      { triplet: true },
    );
  });

  describe('positives', () => {
    answers(generateSentencePair, row, [
      [
        'a section after a preamble',
        'Here you go.\n\n## Positive\n\nIn what way do vaccines function?\n',
        { positive: 'In what way do vaccines function?' },
      ],
      ['two different positives', '## Positive\nA\n## Positive\nB', 'nulls'],
      ...UNREADABLE,
    ]);
  });
});
