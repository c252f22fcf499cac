import { stringify } from 'yaml';
import type { BoundTask } from '../bound';
import type { FailureReason } from '../db/results';
import type { Run } from '../db/schema';
import { trainingFormats } from '../formats/trainingFormats';
import type { ExportShape } from '../io/exportRun';
import { figure } from '../io/figure';
import type { ProviderConfig, SamplingOptions } from '../llm/types';
import type { RunStatistics } from '../review/statistics';
import type { Prompt } from '../task';

/**
 * The dataset card (README.md) of a pushed run: YAML front matter the Hub
 * reads (configs, features, splits, size category, license, tags), then what
 * the run was and how to load it, in prose made from the run. Pure: push.ts
 * gathers the facts.
 */

/** A column of the pushed Parquet file and its type in the Hub's words (`datasets` dtypes). */
export interface Feature {
  name: string;
  dtype: string;
}

export interface CardFacts {
  repo: string;
  /** A license id the Hub knows (apache-2.0, cc-by-4.0, ..., other, unknown). */
  license: string;
  datasetName: string;
  run: Run;
  bound: BoundTask;
  shape: ExportShape;
  /** The data file as pushed: where it is, its size, and what it holds. */
  data: { path: string; bytes: number; rows: number; features: Feature[] };
  statistics: RunStatistics;
  failures: FailureReason[];
  /** What the export left out and why (deleted generations, rows no pair could be made of). */
  skipped?: string;
  /** The prompt the first row made, as an example of what the model was sent. */
  firstPrompt?: Prompt;
  /** Whether retort-recipe.json is pushed beside it. */
  withRecipe: boolean;
}

export const RECIPE_FILE = 'retort-recipe.json';

export function datasetCard(facts: CardFacts): string {
  const sections = [
    introduction(facts),
    loading(facts.repo),
    howItWasMade(facts),
    rows(facts),
    statistics(facts.statistics),
    facts.withRecipe ? recreating(facts.repo) : '',
  ];
  return `---\n${stringify(frontMatter(facts))}---\n\n${sections.filter(Boolean).join('\n\n')}\n`;
}

/** The metadata the Hub reads: https://huggingface.co/docs/hub/datasets-cards */
function frontMatter({ license, bound, shape, data }: CardFacts): Record<string, unknown> {
  return {
    license,
    task_categories: taskCategories(bound, shape),
    tags: ['synthetic', 'distilabel', 'retort', ...(shape === 'rows' ? [] : [shape])],
    size_categories: [sizeCategory(data.rows)],
    configs: [{ config_name: 'default', data_files: [{ split: 'train', path: 'data/train-*' }] }],
    dataset_info: {
      features: data.features,
      splits: [{ name: 'train', num_examples: data.rows }],
      download_size: data.bytes,
    },
  };
}

/** Only where the kind of data is plain: generated text, or labels of a classifier. */
function taskCategories({ task }: BoundTask, shape: ExportShape): string[] {
  if (shape !== 'rows' || task.group === 'Generation' || task.group === 'Evolution')
    return ['text-generation'];
  if (task.id === 'text_classification') return ['text-classification'];
  return [];
}

/** The Hub's size categories: n<1K, 1K<n<10K, ..., n>1T. */
function sizeCategory(rows: number): string {
  const steps = ['1K', '10K', '100K', '1M', '10M', '100M', '1B', '10B', '100B', '1T'];
  const index = steps.findIndex((_, i) => rows < 1000 * 10 ** i);
  if (index === 0) return 'n<1K';
  if (index === -1) return 'n>1T';
  return `${steps[index - 1]}<n<${steps[index]}`;
}

function introduction({ repo, datasetName, run, bound, shape, data }: CardFacts): string {
  const count = `${figure(data.rows)} ${data.rows === 1 ? 'row' : 'rows'}`;
  const held =
    shape === 'rows'
      ? `${count} as the run made them: the input columns, the task’s outputs, \`model_name\` and \`distilabel_metadata\` (raw output, raw input and token counts), with a person’s edits in place of the model’s text and their judgements as \`rating\` and \`comment\``
      : `${count} of ${trainingFormats.find((format) => format.id === shape)?.label} made from the run`;
  return [
    `# ${repo}`,
    `Synthetic data made with Retort, in the browser, with distilabel’s task semantics: the task ${bound.task.label} (\`${bound.task.id}\`) run with ${modelOf(run.provider)} on “${datasetName}”. It holds ${held}.`,
  ].join('\n\n');
}

function loading(repo: string): string {
  return [
    '## Load it',
    fenced(
      `from datasets import load_dataset\n\nds = load_dataset("${repo}", split="train")`,
      'python',
    ),
  ].join('\n\n');
}

function howItWasMade({ run, bound, firstPrompt }: CardFacts): string {
  const { numGenerations, groupGenerations, structuredOutput } = bound.settings;
  const generations = `${numGenerations} per row${numGenerations > 1 ? (groupGenerations ? ', grouped into lists in one row' : ', one row each') : ''}`;
  const settings = table(
    ['', ''],
    [
      ['Task', `${bound.task.label} (\`${bound.task.id}\`): ${bound.task.description}`],
      ['Model', modelOf(run.provider)],
      ['Generations', generations],
      ['Sampling', samplingOf(run.sampling)],
      ['JSON answers', structuredOutput ? 'asked for (structured output)' : 'not asked for'],
      ['Made', new Date(run.created).toISOString().slice(0, 10)],
    ],
  );
  const parts = ['## How it was made', settings];
  const params = bound.params as Record<string, unknown> | undefined;
  if (params && Object.keys(params).length > 0) {
    parts.push(
      'The task’s parameters (prompt template, system prompt, …):',
      fenced(stringify(params).trimEnd(), 'yaml'),
    );
  }
  if (firstPrompt)
    parts.push(
      'What the model was sent for the first row:',
      fenced(promptText(firstPrompt), 'text'),
    );
  return parts.join('\n\n');
}

function rows({ run, data, skipped, failures }: CardFacts): string {
  const c = run.counters;
  const outcome = [
    `${figure(c.total)} generations asked for: ${figure(c.done)} answered, ${figure(c.failed)} failed`,
    c.formatFailed > 0
      ? `${figure(c.formatFailed)} answers could not be read (their columns are null; the raw output is kept)`
      : '',
    c.cut > 0 ? `${figure(c.cut)} answers were cut at the token limit` : '',
  ].filter(Boolean);
  const judged = [
    c.good > 0 ? `${figure(c.good)} rated good` : '',
    c.bad > 0 ? `${figure(c.bad)} rated bad` : '',
    c.edited > 0 ? `${figure(c.edited)} edited` : '',
    c.deleted > 0 ? `${figure(c.deleted)} deleted (left out)` : '',
  ].filter(Boolean);
  const lines = [
    '## Rows',
    `- \`${data.path}\`: ${figure(data.rows)} rows, ${figure(data.bytes)} bytes.`,
    `- ${outcome.join('; ')}.`,
    judged.length > 0
      ? `- By a person: ${judged.join(', ')}.`
      : '- No answer was judged by a person.',
    skipped ? `- ${skipped}` : '',
    ...failures.map(
      ({ message, count }) =>
        `- Failed ${figure(count)} ${count === 1 ? 'time' : 'times'}: ${message.replaceAll('\n', ' ')}`,
    ),
  ];
  const columns = table(
    ['column', 'type'],
    data.features.map((f) => [`\`${f.name}\``, f.dtype]),
  );
  return [lines.filter(Boolean).join('\n'), columns].join('\n\n');
}

function statistics({ perModel, lengths, values }: RunStatistics): string {
  const parts = ['## Statistics'];
  if (perModel.length > 0) {
    const cost = perModel.some((m) => m.cost !== undefined);
    const header = ['model', 'generations', 'input tokens', 'output tokens'];
    const figures = perModel.map((m) => [
      m.model,
      figure(m.generations),
      figure(m.inputTokens),
      figure(m.outputTokens),
      ...(cost ? [m.cost?.toFixed(4) ?? ''] : []),
    ]);
    parts.push(table(cost ? [...header, 'cost'] : header, figures));
  }
  const spans = lengths
    .filter(({ bins }) => bins.length > 0)
    .map(
      ({ column, bins }) =>
        `- \`${column}\`: between about ${figure(Math.floor(bins[0].from))} and ${figure(Math.ceil(bins.at(-1)!.to))} characters.`,
    );
  if (spans.length > 0) parts.push(['Lengths of the answers:', ...spans].join('\n'));
  // A column of labels repeats its values; one whose every value differs is free text.
  const labelled = values.filter(({ counts }) => counts.some(({ count }) => count > 1));
  const counts = labelled.map(
    ({ column, counts }) =>
      `- \`${column}\`: ${counts.map(({ value, count }) => `${value} (${figure(count)})`).join(', ')}`,
  );
  if (counts.length > 0)
    parts.push(['Values of scores, ratings and labels:', ...counts].join('\n'));
  return parts.length > 1 ? parts.join('\n\n') : '';
}

function recreating(repo: string): string {
  return [
    '## Make it again',
    `\`${RECIPE_FILE}\` holds the settings of this run and of the runs that made its input (never a key or a token). In Retort, under Run → Recipe, open it by this dataset’s id (\`${repo}\`) to fill the form, then run it on rows of your own.`,
  ].join('\n\n');
}

function modelOf(provider: ProviderConfig): string {
  switch (provider.provider) {
    case 'openai':
      return `\`${provider.model}\` through an OpenAI-compatible API (${provider.baseURL})`;
    case 'webllm':
      return `\`${provider.model}\` on WebGPU in the browser (web-llm)`;
    case 'wllama':
      return `\`${provider.model}\` with llama.cpp in the browser (wllama)`;
  }
}

function samplingOf({ temperature, topP, maxTokens, seed, stop }: SamplingOptions): string {
  const set = [
    temperature !== undefined && `temperature ${temperature}`,
    topP !== undefined && `top_p ${topP}`,
    maxTokens !== undefined && `at most ${figure(maxTokens)} new tokens`,
    seed !== undefined && `seed ${seed}`,
    stop?.length && `stop at ${stop.map((s) => JSON.stringify(s)).join(', ')}`,
  ].filter(Boolean);
  return set.length > 0 ? set.join(', ') : 'the backend’s defaults';
}

function promptText(prompt: Prompt): string {
  if ('raw' in prompt) return prompt.raw;
  return prompt.messages.map(({ role, content }) => `[${role}]\n${content}`).join('\n\n');
}

/** A Markdown table; a cell's pipes and line breaks would end it, so they are escaped and joined. */
function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) =>
    `| ${cells.map((c) => c.replaceAll('|', '\\|').replace(/\s*\n\s*/g, ' ')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A fenced code block whose fence is longer than any run of backticks in the text. */
function fenced(text: string, language: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}
