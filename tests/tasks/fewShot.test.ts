import { describe, expect, it } from 'vitest';
import { bindTask } from '../../src/engine/bound';
import { defaultRunSettings, resolveParams } from '../../src/engine/task';
import { customJson, customText } from '../../src/tasks/custom';
import { chatGeneration } from '../../src/tasks/generation';
import { textGeneration } from '../../src/tasks/textGeneration';
import { ultraFeedbackHonesty } from '../../src/tasks/ultrafeedback';

/**
 * Rows rated good as few-shot examples: earlier turns by default, or where a
 * template puts `examples`; only for the tasks that take them.
 */
const examples = [
  { instruction: 'Name a colour.', generation: 'Crimson.' },
  { instruction: 'Name a fruit.', generation: 'Quince.' },
];
const fewShot = { fromRunId: 'run-1', count: 3 };

describe('few-shot examples', () => {
  it('go before the prompt as earlier turns, after the system prompt, when the template does not use them', () => {
    const p = resolveParams(textGeneration, { systemPrompt: 'Be brief.' });
    expect(textGeneration.formatInput({ instruction: 'Name a tree.' }, p, examples)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Name a colour.' },
      { role: 'assistant', content: 'Crimson.' },
      { role: 'user', content: 'Name a fruit.' },
      { role: 'assistant', content: 'Quince.' },
      { role: 'user', content: 'Name a tree.' },
    ]);
  });

  it('are a list of rows where the template uses {{ examples }}, and are then no column of the dataset', () => {
    const template =
      '{% for e in examples %}Q: {{ e.instruction }}\nA: {{ e.generation }}\n{% endfor %}Q: {{ instruction }}\nA:';
    const p = resolveParams(customText, { template });
    expect(customText.formatInput({ instruction: 'Name a tree.' }, p, examples)).toEqual([
      {
        role: 'user',
        content:
          'Q: Name a colour.\nA: Crimson.\nQ: Name a fruit.\nA: Quince.\nQ: Name a tree.\nA:',
      },
    ]);
    const inputs = bindTask(customText, {
      taskParams: { template },
      settings: defaultRunSettings,
    }).inputs.map((i) => i.name);
    expect(inputs).toEqual(['instruction']);
  });

  it('answer as JSON for a task of several outputs', () => {
    const p = resolveParams(customJson, { template: 'Describe {{ instruction }}.' });
    const [, answer] = customJson.formatInput({ instruction: 'a kettle' }, p, [
      { instruction: 'a lamp', name: 'Lamp', summary: 'It lights.' },
    ]);
    expect(answer).toEqual({
      role: 'assistant',
      content: '{"name":"Lamp","summary":"It lights."}',
    });
  });

  it('come before the conversation in Chat generation, each with its answer', () => {
    const p = resolveParams(chatGeneration, { systemPrompt: 'Be kind.' });
    const conversation = [{ role: 'user', content: 'Hello?' }];
    const example = {
      messages: [{ role: 'user', content: 'Hi!' }],
      generation: 'Hi, how can I help?',
    };
    expect(chatGeneration.formatInput({ messages: conversation }, p, [example])).toEqual([
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hi!' },
      { role: 'assistant', content: 'Hi, how can I help?' },
      { role: 'user', content: 'Hello?' },
    ]);
  });

  it('reach the prompt through the bound task only where the run asks for them', () => {
    const settings = { ...defaultRunSettings, fewShot };
    const row = { instruction: 'Name a tree.' };
    const withThem = bindTask(textGeneration, { taskParams: {}, settings, examples });
    expect(withThem.preview(row)).toMatchObject({ messages: { length: 5 } });
    const without = bindTask(textGeneration, {
      taskParams: {},
      settings: defaultRunSettings,
      examples,
    });
    expect(without.preview(row)).toEqual({ messages: [{ role: 'user', content: 'Name a tree.' }] });
    // A task that takes no examples ignores them.
    expect(bindTask(ultraFeedbackHonesty, { taskParams: {}, settings, examples }).examples).toEqual(
      [],
    );
  });

  it('asked for and none rated good stop the run with what to do', () => {
    const settings = { ...defaultRunSettings, fewShot };
    const none = bindTask(textGeneration, { taskParams: {}, settings, examples: [] });
    expect(none.check(['instruction'], { instruction: 'Hi' }).problems).toEqual([
      expect.stringContaining('Rate some Good under Results'),
    ]);
  });
});
