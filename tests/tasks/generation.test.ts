import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../src/engine/task';
import { chatGeneration, structuredGeneration } from '../../src/tasks/generation';
import { genstruct } from '../../src/tasks/genstruct';
import * as genstructPrompt from '../../src/tasks/genstruct.prompt';
import { selfInstruct } from '../../src/tasks/selfInstruct';
import * as selfInstructPrompt from '../../src/tasks/selfInstruct.prompt';
import { textGeneration } from '../../src/tasks/textGeneration';
import { urial } from '../../src/tasks/urial';
import { answers, bound, expectTemplateReads, messages, UNREADABLE } from './helpers';

describe('Text generation', () => {
  const params = (p: object) => resolveParams(textGeneration, p);

  it('renders the default template from the instruction column', () => {
    expect(textGeneration.formatInput({ instruction: 'Say hi' }, params({}))).toEqual([
      { role: 'user', content: 'Say hi' },
    ]);
  });

  it('declares the template variables as inputs, so a variable that is not a column stops the run', () => {
    const p = params({
      template: 'Answer as {{ persona }}: {% for q in questions %}{{ q | upper }}{% endfor %}',
    });
    const { inputs } = bound(textGeneration, p);
    const required = inputs.filter((i) => !i.optional).map((i) => i.name);
    expect(required).toEqual(['persona', 'questions']);
    expect(bound(textGeneration, p).check(['persona']).problems).toHaveLength(1);
  });

  it('uses the system prompt setting, and a system_prompt column over it', () => {
    const p = params({ systemPrompt: 'Be brief.' });
    expect(textGeneration.formatInput({ instruction: 'Hi' }, p)[0]).toEqual({
      role: 'system',
      content: 'Be brief.',
    });
    expect(
      textGeneration.formatInput({ instruction: 'Hi', system_prompt: 'Be a pirate.' }, p)[0],
    ).toEqual({
      role: 'system',
      content: 'Be a pirate.',
    });
  });

  it('names an empty template by its label, in plain words', () => {
    expect(() => params({ template: '' })).toThrow(
      'Check the Text generation settings. Prompt template: it is empty.',
    );
  });

  it('says what to look for when the template ends inside a tag or a block', () => {
    const render = (template: string) => () =>
      textGeneration.formatInput({ instruction: 'x' }, params({ template }));
    expect(render('Answer: {{ instr')).toThrow(
      /a tag is not closed. Check that each {{ has its }}/,
    );
    expect(render('{% for x in y %}{{ x }}')).toThrow(/a block is not closed/);
  });

  it('reports a template syntax error in words', () => {
    expect(() =>
      textGeneration.formatInput({ instruction: 'x' }, params({ template: '{{ instruction ' })),
    ).toThrow(/syntax error/);
  });

  answers(textGeneration, { instruction: 'Say hi' }, [
    [
      'an answer, kept as the model wrote it',
      '  Hi! **Hello.**\n',
      { generation: '  Hi! **Hello.**\n' },
    ],
    ...UNREADABLE.filter(([name]) => name !== 'a refusal'),
  ]);
});

describe('Chat generation', () => {
  const conversation = [
    { role: 'user', content: 'Hi!' },
    { role: 'assistant', content: 'Hello. How can I help?' },
    { role: 'user', content: 'Tell me a joke.' },
  ];

  it('sends the conversation as it is, with the system prompt when it has none', () => {
    expect(messages(chatGeneration, { messages: conversation })).toEqual(conversation);
    expect(
      messages(
        chatGeneration,
        { messages: JSON.stringify(conversation) },
        { systemPrompt: 'Be brief.' },
      ),
    ).toEqual([{ role: 'system', content: 'Be brief.' }, ...conversation]);
  });

  it('refuses a conversation that is malformed or ends with the assistant', () => {
    expect(() => messages(chatGeneration, { messages: 'Hi' })).toThrow(/must be a conversation/);
    expect(() => messages(chatGeneration, { messages: conversation.slice(0, 2) })).toThrow(
      /end with a user message/,
    );
  });

  answers(chatGeneration, { messages: conversation }, [
    [
      'an answer',
      'Why did the chicken cross the road?',
      { generation: 'Why did the chicken cross the road?' },
    ],
    ...UNREADABLE.filter(([name]) => name !== 'a refusal'),
  ]);
});

describe('Structured generation', () => {
  const schema = JSON.stringify({
    type: 'object',
    properties: {
      name: { type: 'string' },
      level: { type: 'integer' },
      class: { type: 'string', enum: ['mage', 'warrior'] },
      items: { type: 'array', items: { type: 'string' } },
    },
    required: ['name', 'level', 'class'],
  });
  const row = { instruction: 'Create an RPG character.' };

  it('renders the instruction with the schema, and gives the schema for enforcement', () => {
    expect(messages(structuredGeneration, row, { schema })).toEqual([
      {
        role: 'user',
        content: `Create an RPG character.\n\nAnswer with a JSON object that follows this JSON schema, and nothing else:\n${schema}`,
      },
    ]);
    expect(messages(structuredGeneration, row, { schema, schemaInPrompt: false })[0].content).toBe(
      'Create an RPG character.',
    );
    const p = resolveParams(structuredGeneration, { schema });
    expect(structuredGeneration.jsonSchema?.(p)).toEqual(JSON.parse(schema));
    expect(structuredGeneration.outputs).toBeTypeOf('function');
  });

  it('makes each property a column, and refuses a schema without properties', () => {
    const outputs = structuredGeneration.outputs as (p: unknown) => string[];
    expect(outputs(resolveParams(structuredGeneration, { schema }))).toEqual([
      'name',
      'level',
      'class',
      'items',
    ]);
    expect(() => resolveParams(structuredGeneration, { schema: '{"type": "string"}' })).toThrow(
      /schema/,
    );
    expect(() => resolveParams(structuredGeneration, { schema: 'not json' })).toThrow(/schema/);
  });

  answers(
    structuredGeneration,
    row,
    [
      [
        'a JSON object',
        '{"name": "Ayla", "level": 3, "class": "mage", "items": ["staff"]}',
        { name: 'Ayla', level: 3, class: 'mage', items: ['staff'] },
      ],
      [
        'JSON in a fence, with a preamble and commentary',
        'Here is your character:\n```json\n{"name": "Ayla", "level": "3", "class": "mage"}\n```\nEnjoy!',
        { name: 'Ayla', level: 3, class: 'mage' },
      ],
      [
        'values of the wrong type or outside the enum',
        '{"name": "Ayla", "level": 3.5, "class": "bard", "items": [1]}',
        { name: 'Ayla' },
      ],
      [
        'a missing property',
        '{"name": "Ayla", "class": "warrior"}',
        { name: 'Ayla', class: 'warrior' },
      ],
      ['broken JSON', '{"name": "Ayla", "level": ', 'nulls'],
      ['a JSON array instead of an object', '["Ayla", 3]', 'nulls'],
      ...UNREADABLE,
    ],
    { schema },
  );
});

describe('Self-Instruct', () => {
  it('renders the prompt for a sample row', () => {
    expect(
      messages(
        selfInstruct,
        { input: 'Honey bees' },
        { numInstructions: 3, criteria: 'Be short.' },
      )[0].content,
    ).toBe(`# Task
Write 3 user queries that the AI application described below could receive, each one relevant to the given context. Vary the verbs and the sentence structures, within what a text model can do.

# Criteria for the queries
Be short.
Put each query on its own line, without numbers or bullet points.

# AI application
AI assistant

# Context
Honey bees

# Queries`);
    expectTemplateReads(selfInstructPrompt.template, [
      'input',
      'numInstructions',
      'criteria',
      'applicationDescription',
    ]);
  });

  const queries = [
    'How do bees make honey?',
    'Describe the waggle dance.',
    'Why are bees declining?',
  ];
  answers(selfInstruct, { input: 'Honey bees' }, [
    ['one query per line', queries.join('\n'), { instructions: queries }],
    [
      'a numbered list with a preamble',
      `Here are 3 queries:\n\n1. ${queries[0]}\n2. ${queries[1]}\n3. ${queries[2]}`,
      { instructions: queries },
    ],
    [
      'bullets and blank lines',
      `- ${queries[0]}\n\n* ${queries[1]}\n\n   • ${queries[2]}  `,
      { instructions: queries },
    ],
    [
      'a JSON list after a preamble',
      `Here are the queries:\n${JSON.stringify(queries)}`,
      { instructions: queries },
    ],
    [
      'a JSON array in a fence',
      `\`\`\`json\n${JSON.stringify(queries)}\n\`\`\``,
      { instructions: queries },
    ],
    [
      'a list between a preamble and a closing remark',
      `Sure! Here are three queries for an AI assistant.\n1. ${queries[0]}\n2. ${queries[1]}\n3. ${queries[2]}\n\nThese queries vary in verbs and structure.`,
      { instructions: queries },
    ],
    [
      'a query quoting a list, one per line',
      'How do I parse ["a", "b"] in Python?\nWhat is a list?',
      { instructions: ['How do I parse ["a", "b"] in Python?', 'What is a list?'] },
    ],
    ['only a heading', '# Queries', 'nulls'],
    ...UNREADABLE.filter(([name]) => name !== 'a refusal'),
  ]);
});

describe('Genstruct', () => {
  const row = { title: ' Photosynthesis ', content: 'Plants turn light into sugar.\n' };

  it('renders the prompt for a sample row', () => {
    expect(messages(genstruct, row)).toEqual([
      {
        role: 'user',
        content:
          '[[[Title]]] Photosynthesis\n[[[Content]]] Plants turn light into sugar.\n\nWhat follows is a conversation between a user and an AI assistant about the text above.\n\n[[[User]]] ',
      },
    ]);
    expectTemplateReads(genstructPrompt.template, ['title', 'content']);
  });

  answers(genstruct, row, [
    [
      'a continuation',
      'What do plants make from light?\n[[[Assistant]]] Sugar.',
      { user: 'What do plants make from light?', assistant: 'Sugar.' },
    ],
    [
      'the user marker repeated',
      '[[[User]]] What do plants make?\n\n[[[Assistant]]]\nSugar.',
      { user: 'What do plants make?', assistant: 'Sugar.' },
    ],
    [
      'a next turn started',
      'What do plants make?\n[[[Assistant]]] Sugar.\n[[[User]]] Thanks!',
      { user: 'What do plants make?', assistant: 'Sugar.' },
    ],
    ['no assistant marker', 'What do plants make from light?', 'nulls'],
    ['two assistant turns', 'Q\n[[[Assistant]]] A\n[[[Assistant]]] B', 'nulls'],
    ...UNREADABLE,
  ]);
});

describe('URIAL', () => {
  it('renders an instruction after the worked examples, ending at an open assistant turn', () => {
    const content = messages(urial, { instruction: 'Name a planet.' })[0].content;
    expect(
      content.startsWith(
        '# Instructions\n\nBelow are conversations between a person and an AI assistant (you).',
      ),
    ).toBe(true);
    expect(content).toContain(
      '# User:\n\nWhat is the boiling point of water at sea level?\n\n# Assistant:\n\nAt sea level',
    );
    expect(content.endsWith('\n\n# User:\n\nName a planet.\n\n# Assistant:')).toBe(true);
  });

  it('renders a conversation without the examples', () => {
    const conversation = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Name a planet.' },
    ];
    const content = messages(urial, { conversation }, { fewShot: false })[0].content;
    expect(content).not.toContain('boiling point');
    expect(
      content.endsWith(
        '# User:\n\nHi\n\n# Assistant:\n\nHello!\n\n# User:\n\nName a planet.\n\n# Assistant:',
      ),
    ).toBe(true);
    expect(() => messages(urial, {})).toThrow(/"instruction" or a "conversation"/);
  });

  answers(urial, { instruction: 'Name a planet.' }, [
    ['a reply', '\n\nMars is a planet.', { generation: 'Mars is a planet.' }],
    [
      'a reply that runs into the next turn',
      'Mars.\n\n# User:\n\nAnother?\n\n# Assistant:\n\nVenus.',
      { generation: 'Mars.' },
    ],
    ['a repeated assistant label', '# Assistant:\nMars.', { generation: 'Mars.' }],
    ['only a next turn', '\n# User: next', 'nulls'],
    ...UNREADABLE.filter(([name]) => name !== 'a refusal'),
  ]);
});
