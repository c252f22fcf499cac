import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveParams, taskInputs, taskOutputs } from '../../src/engine/task';
import { findTask, tasks } from '../../src/tasks';

describe('the task catalog', () => {
  it('starts with text generation and has unique snake_case ids', () => {
    expect(tasks[0].id).toBe('text_generation');
    const ids = tasks.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(findTask('ultrafeedback_overall_rating').label).toBe('UltraFeedback');
    expect(() => findTask('no_such_task')).toThrow(/no task "no_such_task"/);
  });

  it.each(tasks.map((t) => [t.id, t] as const))(
    '%s has defaults, labels and simple parameters',
    (_id, task) => {
      expect(task.label).not.toBe('');
      expect(task.description.length).toBeGreaterThan(40);
      const params = resolveParams(task, {});
      expect(taskOutputs(task, params).length).toBeGreaterThan(0);
      expect(taskInputs(task, params).length).toBeGreaterThan(0);
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
});
