import { slug } from '../../engine/names';
import type { Recipe, RecipeStep, RunStep } from '../../recipes/schema';
import { PythonModule } from './module';
import { call, comment, indent, literal, pythonName } from './python';
import { runStepStatement, stepTask } from './runStep';
import { loader, type RowSource } from './source';

/**
 * A recipe as a Python file that makes the same dataset with distilabel 1.5:
 * the loader of the rows the first run read, a task step per run step (its
 * class, prompt, LLM and settings), GroupColumns where answers of several
 * runs were combined, the training format the export used, all connected
 * with `>>` in one Pipeline, run with `pipeline.run()` or on a Ray cluster
 * with `pipeline.ray()`. Keys are read from environment variables by name.
 */

export interface PipelineRequest {
  recipe: Recipe;
  source: RowSource;
  /** Names the pipeline and its file. */
  name: string;
}

const LOADER = 'load_dataset';

/** `<name>-pipeline.py`, lower-cased, with runs of anything but letters and digits as one dash. */
export function pipelineFileName(name: string): string {
  return `${slug(name) || 'retort'}-pipeline.py`;
}

export function distilabelPipeline({ recipe, source, name }: PipelineRequest): string {
  const file = new PythonModule();
  const names = recipe.steps.map(nodeName);
  const shape = recipe.export?.as ?? 'rows';
  const format = shape === 'rows' ? undefined : FORMATS[shape];
  const outputMappings = combinedOutputs(recipe.steps);
  const statement = (step: RecipeStep, i: number): string[] => {
    const at = { name: names[i], number: i + 1 };
    if (step.kind === 'run')
      return [runStepStatement(step, { ...at, outputMappings: outputMappings[i] ?? {} }, file)];
    return step.kind === 'combine' ? [groupStatement(step.runs, at, file)] : [];
  };
  const statements = [
    loaderStatement(source, file),
    ...recipe.steps.flatMap(statement),
    ...(format ? [formatStatement(format, lastRun(recipe), file)] : []),
    connections(recipe.steps, names, format?.name).join('\n'),
  ];
  const pipeline = file.from('distilabel.pipeline', 'Pipeline').code;
  const body = [
    `with ${pipeline}(name=${literal(slug(name) || 'retort')}) as pipeline:`,
    indent(statements.join('\n\n')),
    '',
    mainBlock(pipelineFileName(name)),
  ].join('\n');
  return file.render(header(name, source, recipe, file, body), body);
}

/** A step's Python name: its task and number for a run, GroupColumns' for a combine; a results step makes none. */
function nodeName(step: RecipeStep, index: number): string {
  if (step.kind === 'run') return `${pythonName(step.task.id)}_${index + 1}`;
  return step.kind === 'combine' ? `group_columns_${index + 1}` : '';
}

function lastRun(recipe: Recipe): RunStep {
  return recipe.steps.at(-1) as RunStep;
}

function loaderStatement(source: RowSource, file: PythonModule): string {
  const { className, args, note } = loader(source);
  const cls = file.from('distilabel.steps', className).code;
  return `${comment(note)}\n${LOADER} = ${call(cls, { name: LOADER, ...args })}`;
}

/**
 * The output mappings of runs a combine names: their answer (the task's first
 * output) as `generation` and `model_name` as `generation_model`, the
 * columns GroupColumns gathers, as Retort's combine did.
 */
function combinedOutputs(steps: readonly RecipeStep[]): Record<number, Record<string, string>> {
  const mappings: Record<number, Record<string, string>> = {};
  for (const step of steps) {
    if (step.kind !== 'combine') continue;
    for (const number of step.runs) {
      const run = steps[number - 1] as RunStep;
      const answer = stepTask(run)?.outputs[0] ?? 'generation';
      mappings[number - 1] = {
        ...(answer === 'generation' ? {} : { [answer]: 'generation' }),
        model_name: 'generation_model',
      };
    }
  }
  return mappings;
}

function groupStatement(
  runs: number[],
  { name, number }: { name: string; number: number },
  file: PythonModule,
): string {
  const cls = file.from('distilabel.steps', 'GroupColumns').code;
  return [
    comment(
      `Step ${number}: the answers of steps ${runs.join(' and ')} side by side, as Retort combined them into "generations" and "generation_models".`,
    ),
    `${name} = ${call(cls, {
      name,
      columns: ['generation', 'generation_model'],
      output_columns: ['generations', 'generation_models'],
    })}`,
  ].join('\n');
}

/** The export's training formats, as distilabel's formatting steps; each reads these columns. */
const FORMATS = {
  dpo: {
    name: 'format_dpo',
    className: 'FormatTextGenerationDPO',
    inputs: ['system_prompt', 'instruction', 'generations', 'generation_models', 'ratings'],
    note: "Export as DPO pairs. Retort's export takes your Good and Bad ratings first and leaves out rows whose ratings all tie or that have fewer than two readable ones; FormatTextGenerationDPO pairs the highest and lowest rating of every row.",
  },
  sft: {
    name: 'format_sft',
    className: 'FormatTextGenerationSFT',
    inputs: ['system_prompt', 'instruction', 'generation'],
    note: "Export as SFT conversations. Retort's export leaves out rows without an answer; FormatTextGenerationSFT keeps every row.",
  },
} as const;

type Format = (typeof FORMATS)[keyof typeof FORMATS];

/** The format step reads the columns the last run read its inputs from, as Retort's export does. */
function formatStatement(format: Format, last: RunStep, file: PythonModule): string {
  const cls = file.from('distilabel.steps', format.className).code;
  const mapped = Object.entries(last.task.inputMapping).filter(
    ([input, column]) => input !== column && (format.inputs as readonly string[]).includes(input),
  );
  return [
    comment(format.note),
    `${format.name} = ${call(cls, {
      name: format.name,
      input_mappings: mapped.length > 0 ? Object.fromEntries(mapped) : undefined,
    })}`,
  ].join('\n');
}

/**
 * The `>>` connections: one chain through the steps that made each next
 * dataset (the runs a combine names side by side, in a list), and a line of
 * its own for a run whose answers no later step reads.
 */
function connections(
  steps: readonly RecipeStep[],
  names: readonly string[],
  format?: string,
): string[] {
  const chain: string[] = [LOADER];
  const branches: string[] = [];
  let source = LOADER;
  let pending: number[] = [];
  const carryOn = (used: number[]) => {
    for (const i of pending) if (!used.includes(i)) branches.push(`${source} >> ${names[i]}`);
    const stage = used.map((i) => names[i]);
    chain.push(stage.length === 1 ? stage[0] : `[${stage.join(', ')}]`);
    pending = [];
  };
  steps.forEach((step, i) => {
    if (step.kind === 'run') {
      pending.push(i);
    } else if (step.kind === 'combine') {
      carryOn(step.runs.map((n) => n - 1));
      chain.push(names[i]);
      source = names[i];
    } else {
      carryOn([step.run - 1]);
      source = names[step.run - 1];
    }
  });
  carryOn([steps.length - 1]);
  if (format) chain.push(format);
  const line = chain.join(' >> ');
  // Inside parentheses a long chain can break before each `>>`.
  const wrapped = line.length > 84 ? `(\n${indent(chain.join('\n>> '))}\n)` : line;
  return [wrapped, ...branches];
}

function mainBlock(fileName: string): string {
  return [
    'if __name__ == "__main__":',
    '    distiset = pipeline.run(use_cache=False)',
    indent(
      comment(
        [
          'On a Ray cluster the same steps scale out over its workers: pip install "distilabel[ray]", start the cluster (ray start), use the line below instead of the one above, and submit this file:',
          `    ray job submit --working-dir . -- python ${fileName}`,
          'distiset = pipeline.ray().run(use_cache=False)',
        ].join('\n'),
      ),
    ),
  ].join('\n');
}

function header(
  name: string,
  source: RowSource,
  recipe: Recipe,
  file: PythonModule,
  body: string,
): string {
  const runs = recipe.steps.filter((step) => step.kind === 'run').length;
  const extras = [...file.extras].sort().join(',');
  return [
    `${name}: a distilabel pipeline exported by Retort.`,
    '',
    `It makes again what Retort made ${runs === 1 ? 'in this run' : `in these ${runs} runs`}, with the same tasks, prompts, models and settings, using distilabel 1.5's own classes, from ${describeSource(source)}. The answers are new: your ratings and edits stay in Retort.`,
    '',
    `    pip install "distilabel[${extras}]"`,
    ...[...file.variables].sort().map((variable) => `    export ${variable}=...`),
    `    python ${pipelineFileName(name)}`,
    '',
    'API keys are read from the environment, never written here.',
    ...(body.includes('PLACEHOLDER')
      ? ['Lines marked PLACEHOLDER need something from you before it runs.']
      : []),
  ].join('\n');
}

function describeSource(source: RowSource): string {
  switch (source.kind) {
    case 'hub':
      return `the Hub dataset ${source.repoId} (${source.config}, ${source.split})`;
    case 'url':
      return source.url;
    case 'file':
      return `the file ${source.name}`;
    case 'orphan':
      return `the rows of "${source.name}"`;
  }
}
