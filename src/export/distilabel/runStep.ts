import { ggufName } from '../../engine/llm/types';
import { resolveParams } from '../../engine/task';
import type { RecipeProvider, RunStep } from '../../recipes/schema';
import { taskById } from '../../tasks';
import { chooseLlm, LLM_CLASSES, type LlmChoice, type LlmClass, samplingArgs } from './llms';
import type { PythonModule } from './module';
import { type Args, call, comment, Expr, literal, type PyValue } from './python';
import { type Counterpart, distilabelTask } from './tasks';

/**
 * One run step of a recipe as a distilabel task statement: the class with the
 * task's arguments, its LLM, and the engine's settings (generations,
 * grouping, column mappings, concurrency), with a comment on whatever does
 * not carry over.
 */

/** What the catalog says of a step's task: its label, parameters (defaults filled in) and columns. */
export interface StepTask {
  label: string;
  params: unknown;
  inputs: string[];
  outputs: string[];
}

export function stepTask(step: RunStep): StepTask | undefined {
  const task = taskById(step.task.id);
  if (!task) return undefined;
  const params = resolveParams(task, step.task.params);
  const inputs = typeof task.inputs === 'function' ? task.inputs(params) : task.inputs;
  const outputs = typeof task.outputs === 'function' ? task.outputs(params) : task.outputs;
  return { label: task.label, params, inputs: inputs.map((i) => i.name), outputs: [...outputs] };
}

/** `name = Class(...)` for a run step, after a comment saying what it is and what differs. */
export function runStepStatement(
  step: RunStep,
  at: { name: string; number: number; outputMappings: Record<string, string> },
  file: PythonModule,
): string {
  const task = stepTask(step);
  const mapping = distilabelTask(step.task.id);
  const heading = `Step ${at.number}: ${task?.label ?? step.task.id}, with ${describe(step.provider)}.`;
  const notes: string[] = [];
  const counterpart = mapping.kind === 'class' ? mapping : undefined;
  const llm = llmExpr(step, counterpart, task, at.number, file, notes);
  const settings = engineArgs(step, task, at.outputMappings);
  notes.push(...limitNotes(step));
  if (mapping.kind === 'missing') {
    return [
      comment(
        [heading, `PLACEHOLDER: NO DISTILABEL COUNTERPART. ${mapping.reason}`, ...notes].join('\n'),
      ),
      `${at.name} = ${call(missingStep(file).code, { name: at.name, llm, ...settings })}`,
    ].join('\n');
  }
  // A task with a class is in the catalog: the table holds only catalog tasks.
  const { params } = task!;
  notes.unshift(...(mapping.differences?.(params, step) ?? []));
  const args = hoisted(mapping.args?.(params, step) ?? {}, at.number, file);
  const cls = file.from('distilabel.steps.tasks', mapping.className).code;
  return [
    comment([heading, ...notes].join('\n')),
    `${at.name} = ${call(cls, { name: at.name, llm, ...args, ...settings })}`,
  ].join('\n');
}

function describe(provider: RecipeProvider): string {
  switch (provider.id) {
    case 'openai':
      return `${provider.model} at ${provider.baseURL}`;
    case 'webllm':
      return `${provider.model} in the browser (web-llm)`;
    case 'wllama':
      return `${ggufName(provider.source)} in the browser (llama.cpp)`;
  }
}

/** What the engine applies around every task, as distilabel's Task and Step attributes. */
function engineArgs(
  { task, limits }: RunStep,
  catalog: StepTask | undefined,
  outputMappings: Record<string, string>,
): Args {
  const inputs = Object.entries(task.inputMapping).filter(
    ([input, column]) => input !== column && (!catalog || catalog.inputs.includes(input)),
  );
  return {
    num_generations: task.generations.count > 1 ? task.generations.count : undefined,
    group_generations: task.generations.group || undefined,
    input_mappings: inputs.length > 0 ? Object.fromEntries(inputs) : undefined,
    output_mappings: Object.keys(outputMappings).length > 0 ? outputMappings : undefined,
    // A task sends the requests of a batch together: the batch is Retort's Concurrency.
    input_batch_size: limits.concurrency,
  };
}

function limitNotes({ limits }: RunStep): string[] {
  const { requestsPerMinute, tokensPerMinute } = limits;
  if (requestsPerMinute === undefined && tokensPerMinute === undefined) return [];
  const kept = [
    requestsPerMinute !== undefined && `${requestsPerMinute} requests`,
    tokensPerMinute !== undefined && `${tokensPerMinute} tokens`,
  ].filter(Boolean);
  return [`distilabel has no rate limits: Retort kept to ${kept.join(' and ')} a minute.`];
}

/** Values too long to read inside the call (templates, rubrics) become constants named after the argument. */
function hoisted(args: Args, number: number, file: PythonModule): Args {
  const long = (value: PyValue) =>
    typeof value === 'string'
      ? value.includes('\n') || value.length > 60
      : typeof value === 'object' && value !== null && literal(value).includes('\n');
  return Object.fromEntries(
    Object.entries(args).map(([name, value]) => [
      name,
      value !== undefined && !(value instanceof Expr) && long(value)
        ? file.constant(`${name.toUpperCase()}_${number}`, value)
        : value,
    ]),
  );
}

/** The step's LLM: the class for its provider, the model, sampling, limits, JSON schema and Magpie. */
function llmExpr(
  step: RunStep,
  counterpart: Counterpart | undefined,
  task: StepTask | undefined,
  number: number,
  file: PythonModule,
  notes: string[],
): Expr {
  const magpie = counterpart?.magpie && task ? counterpart.magpie(task.params) : undefined;
  const choice = chooseLlm(step.provider, file, magpie !== undefined);
  const { cls } = choice;
  file.from('distilabel.models', cls.name);
  file.extras.add(cls.extra);
  const sampling = samplingArgs(cls, step.sampling);
  const structured = structuredOutput(step, counterpart, task, cls, number, file);
  notes.push(...choice.notes, ...sampling.notes, ...structured.notes);
  const kwargs = { ...sampling.kwargs, ...structured.kwargs };
  return new Expr(
    call(cls.name, {
      ...choice.args,
      ...sampling.init,
      ...limitArgs(cls, step.limits),
      ...structured.args,
      ...(magpie !== undefined ? magpieArgs(choice, magpie) : {}),
      generation_kwargs: Object.keys(kwargs).length > 0 ? kwargs : undefined,
    }),
  );
}

function limitArgs(cls: LlmClass, limits: RunStep['limits']): Args {
  return {
    timeout: cls.limits.includes('timeout') ? Math.ceil(limits.timeoutSeconds) : undefined,
    max_retries: cls.limits.includes('max_retries') ? limits.maxRetries : undefined,
  };
}

function magpieArgs({ cls, args }: LlmChoice, template: string): Args {
  return {
    use_magpie_template: true,
    magpie_pre_query_template: template,
    // InferenceEndpointsLLM writes the chat template with a tokenizer it must be told of.
    tokenizer_id: cls === LLM_CLASSES.InferenceEndpointsLLM ? args.model_id : undefined,
  };
}

/**
 * "Ask for a JSON answer" as distilabel says it: the task's own schema (an
 * argument of the task, written by the table), or the task's schema given to
 * the LLM in the form its class takes; a note where neither can be done.
 */
function structuredOutput(
  step: RunStep,
  counterpart: Counterpart | undefined,
  task: StepTask | undefined,
  cls: LlmClass,
  number: number,
  file: PythonModule,
): { args: Args; kwargs: Args; notes: string[] } {
  const none = { args: {}, kwargs: {}, notes: [] };
  if (!step.task.structuredOutput || !counterpart || !task) return none;
  const { structured } = counterpart;
  if (structured === undefined)
    return {
      ...none,
      notes: [
        `Retort asked for a JSON answer; distilabel's ${counterpart.className} has no such setting.`,
      ],
    };
  if (cls.structuredExtra) file.extras.add(cls.structuredExtra);
  // Parsed from JSON: every value is one Python can be written with.
  const schema = (structured === 'task' ? undefined : structured.schema(task.params)) as
    | Record<string, PyValue>
    | undefined;
  if (!schema) return none;
  switch (cls.structured) {
    case 'pydantic': {
      // instructor takes a pydantic model, named after the schema's title.
      const constant = file.constant(`SCHEMA_${number}`, { title: 'Answer', ...schema }).code;
      const toModel = file.from(
        'distilabel.steps.tasks.structured_outputs.utils',
        'json_schema_to_model',
      ).code;
      return {
        ...none,
        args: { structured_output: { schema: new Expr(`${toModel}(${constant})`) } },
      };
    }
    case 'json-schema':
      return {
        ...none,
        args: {
          structured_output: { format: 'json', schema: file.constant(`SCHEMA_${number}`, schema) },
        },
      };
    case 'json-mode':
      return {
        ...none,
        kwargs: { format: 'json' },
        notes: [`${cls.name} asks for JSON but cannot be given the schema Retort enforced.`],
      };
    default:
      return { ...none, notes: [`${cls.name} cannot enforce the JSON schema Retort asked for.`] };
  }
}

/** A helper that stops the pipeline being built, for a step this file cannot write. */
function missingStep(file: PythonModule): Expr {
  return file.define(
    'missing_step',
    [
      'def missing_step(name, **settings):',
      '    """A step distilabel has no class for: replace the call with one (see its comment)."""',
      '    raise NotImplementedError(',
      '        f"Step {name} has no distilabel counterpart: see the comment above it in this file."',
      '    )',
    ].join('\n'),
  );
}
