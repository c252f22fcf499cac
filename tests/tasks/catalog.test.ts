import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultRunSettings } from '../../src/engine/task';
import { bindSpec, taskById, taskLabel, tasks } from '../../src/tasks';
import { promptTask, textColumn } from '../../src/tasks/promptTask';

const bind = (taskId: string, taskParams: unknown = {}) =>
  bindSpec({ taskId, taskParams, settings: defaultRunSettings });

describe('the task catalog', () => {
  it('starts with text generation and has unique snake_case ids', () => {
    expect(tasks[0].id).toBe('text_generation');
    const ids = tasks.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(taskById('ultrafeedback_overall_rating')?.label).toBe('UltraFeedback');
    expect(taskLabel('no_such_task')).toBe('no_such_task');
    expect(() => bind('no_such_task')).toThrow(/no task "no_such_task"/);
  });

  it.each(tasks.map((t) => [t.id, t] as const))(
    '%s has defaults, labels and simple parameters',
    (_id, task) => {
      expect(task.label).not.toBe('');
      expect(task.description.length).toBeGreaterThan(40);
      const bound = bind(task.id);
      expect(bound.outputs.length).toBeGreaterThan(0);
      expect(bound.inputs.length).toBeGreaterThan(0);
      expect(bound.callsPerGeneration).toBeGreaterThanOrEqual(1);
      expect(task.params).toBeInstanceOf(z.ZodObject);
      const shape = (task.params as z.ZodObject).shape;
      for (const [name, field] of Object.entries(shape)) {
        const schema = field as z.ZodType;
        expect(schema.description, `${task.id}.${name} has a label`).toBeTruthy();
        expect(schema).toBeInstanceOf(z.ZodDefault);
        const inner = (schema as z.ZodDefault).unwrap();
        const simple =
          inner instanceof z.ZodString ||
          inner instanceof z.ZodNumber ||
          inner instanceof z.ZodBoolean ||
          inner instanceof z.ZodEnum ||
          (inner instanceof z.ZodArray && inner.element instanceof z.ZodString);
        expect(simple, `${task.id}.${name} is a simple type`).toBe(true);
      }
    },
  );

  it('has no task parameter for structured output: it is a run setting, on by default where the answer is JSON by design', () => {
    for (const task of tasks) {
      expect(Object.keys((task.params as z.ZodObject).shape)).not.toContain('structuredOutput');
      if (task.structuredByDefault) expect(task.jsonSchema, task.id).toBeTypeOf('function');
    }
    const onByDefault = tasks.filter((t) => t.structuredByDefault).map((t) => t.id);
    expect(onByDefault).toEqual([
      'structured_generation',
      'text_classification',
      'generate_text_retrieval_data',
      'custom_json',
    ]);
  });

  it('makes several calls per generation only in chain tasks, and says how many', () => {
    const chains = tasks.filter((t) => t.kind === 'chain').map((t) => t.id);
    expect(chains).toEqual([
      'magpie',
      'evol_instruct',
      'evol_complexity',
      'evol_quality',
      'generate_text_retrieval_data',
    ]);
    expect(bind('evol_instruct', { numEvolutions: 3 }).callsPerGeneration).toBe(3);
    expect(
      bind('evol_instruct', { numEvolutions: 3, generateAnswers: true, storeEvolutions: true })
        .callsPerGeneration,
    ).toBe(6);
    expect(bind('evol_quality', { numEvolutions: 4 }).callsPerGeneration).toBe(4);
  });

  it('refuses, when the catalog loads, a fixed prompt whose placeholder the task never reads', () => {
    const define = () =>
      promptTask({
        id: 'typo',
        label: 'Typo',
        description: 'A task whose template misspells its variable.',
        group: 'Generation',
        params: z.object({}),
        columns: { instruction: textColumn('What to answer') },
        outputs: ['generation'],
        template: 'Answer: {{ instrution }}',
        formatOutput: (text) => ({ generation: text }),
      });
    expect(define).toThrow('The typo prompt uses instrution, which it never reads.');
  });
});
