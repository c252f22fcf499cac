import type { ChatMessage } from '../llm/types';
import { cell, type Row } from '../task';

/**
 * distilabel's FormatTextGenerationDPO and FormatTextGenerationSFT: reshape
 * rated or generated rows into what DPO and SFT trainers read. Each keeps the
 * row's other columns, as distilabel's steps do.
 */
export interface TrainingFormat {
  id: 'dpo' | 'sft';
  label: string;
  /** One reshaped row, for messages: "a DPO pair". */
  unit: string;
  /** What the format reads, by name; the run's input mapping says which column holds each. */
  inputs: readonly FormatInput[];
  /** The columns it adds to each row, in order. */
  outputs: readonly string[];
  /** What a row needs to give something, and what to do, said when no row does. */
  needs: string;
  /** The reshaped rows of one row, or why it gives none. */
  format(row: Row, columns?: FormatColumns): Promise<Formatted>;
}

export interface FormatInput {
  name: string;
  /** What it holds, as the error for a run without it names it. */
  description: string;
  optional?: boolean;
  /** What to do when a run's rows lack it. */
  advice?: string;
}

/** Format input name -> the column of the rows that holds it; a name not listed is its own column. */
export type FormatColumns = Readonly<Record<string, string>>;

/** A row's reshaped rows, or why it gives none ("with ratings that all tie"), counted by the export. */
export type Formatted = { rows: Row[] } | { skipped: string };

const instructionInput: FormatInput = {
  name: 'instruction',
  description: 'the prompt',
  advice: 'Start the run with the column that holds the prompts mapped onto "instruction".',
};

const systemPromptInput: FormatInput = {
  name: 'system_prompt',
  description: 'a system prompt',
  optional: true,
};

const NO_INSTRUCTION = 'without an instruction (it is missing, empty or not text)';

export const dpoFormat: TrainingFormat = {
  id: 'dpo',
  label: 'DPO pairs',
  unit: 'a DPO pair',
  inputs: [
    instructionInput,
    {
      name: 'generations',
      description: 'the answers',
      advice:
        'Combine the runs of two or more models into a "generations" list (or make a dataset of a run with grouped generations), then rate them.',
    },
    {
      name: 'ratings',
      description: 'their ratings',
      advice: 'Rate the generations with UltraFeedback, then export that run.',
    },
    { name: 'generation_models', description: 'who wrote each answer', optional: true },
    systemPromptInput,
  ],
  outputs: [
    'prompt',
    'prompt_id',
    'chosen',
    'chosen_model',
    'chosen_rating',
    'rejected',
    'rejected_model',
    'rejected_rating',
  ],
  needs:
    'A pair needs an instruction and at least two generations with different readable ratings: rate more generations per prompt, or look at the raw output of ratings that could not be read.',
  async format(row, columns = {}) {
    const value = reader(row, columns);
    const instruction = value('instruction');
    if (!isText(instruction)) return { skipped: NO_INSTRUCTION };
    const generations = asArray(value('generations'));
    const ratings = asArray(value('ratings'));
    // Only readable ratings of existing generations take part; an unreadable one is never a 0.
    const rated = ratings
      .map((rating, index) => ({ rating, score: scoreOf(rating), index }))
      .filter(
        (r): r is { rating: unknown; score: number; index: number } =>
          r.score !== null && typeof generations[r.index] === 'string',
      );
    if (rated.length < 2) return { skipped: 'with fewer than two readable ratings' };
    // The first best and the first worst, as distilabel's max()/min() pick them.
    const chosen = rated.reduce((best, r) => (r.score > best.score ? r : best));
    const rejected = rated.reduce((worst, r) => (r.score < worst.score ? r : worst));
    if (chosen.score === rejected.score) {
      return { skipped: 'with ratings that all tie (a tie teaches no preference)' };
    }
    const prompt = promptMessages(instruction, value('system_prompt'));
    const models = value('generation_models');
    // A list names each answer's model; one name (a run's own generations) names them all.
    const modelOf = (index: number) =>
      Array.isArray(models) ? (models[index] ?? null) : typeof models === 'string' ? models : null;
    const pair: Row = {
      ...row,
      prompt: instruction,
      prompt_id: await sha256(instruction),
      chosen: [...prompt, { role: 'assistant', content: generations[chosen.index] }],
      chosen_model: modelOf(chosen.index),
      chosen_rating: chosen.rating,
      rejected: [...prompt, { role: 'assistant', content: generations[rejected.index] }],
      rejected_model: modelOf(rejected.index),
      rejected_rating: rejected.rating,
    };
    return { rows: [pair] };
  },
};

export const sftFormat: TrainingFormat = {
  id: 'sft',
  label: 'SFT conversations',
  unit: 'an SFT conversation',
  inputs: [
    instructionInput,
    {
      name: 'generation',
      description: 'the answer',
      advice: 'Export a run of a generation task, such as Text generation, which writes it.',
    },
    systemPromptInput,
  ],
  outputs: ['prompt', 'prompt_id', 'messages'],
  needs:
    'A conversation needs an instruction and a generation that is not empty: resume the run to retry failed generations, or check that the instruction column holds text.',
  async format(row, columns = {}) {
    const value = reader(row, columns);
    const instruction = value('instruction');
    if (!isText(instruction)) return { skipped: NO_INSTRUCTION };
    const generation = value('generation');
    // Grouped generations are a list: each answer is a conversation of its own.
    const answers = (Array.isArray(generation) ? generation : [generation]).filter(isText);
    if (answers.length === 0) return { skipped: 'without a generation (empty, or it failed)' };
    const prompt = promptMessages(instruction, value('system_prompt'));
    const promptId = await sha256(instruction);
    const rows = answers.map((answer) => ({
      ...row,
      [columns.generation ?? 'generation']: answer,
      prompt: instruction,
      prompt_id: promptId,
      messages: [...prompt, { role: 'assistant', content: answer }],
    }));
    return { rows };
  },
};

export const trainingFormats = [dpoFormat, sftFormat] as const;

/** A model's score, or a person's rating (good above bad); null for none. */
function scoreOf(rating: unknown): number | null {
  if (typeof rating === 'number') return rating;
  return rating === 'good' ? 1 : rating === 'bad' ? 0 : null;
}

/** Reads a format input from the column that holds it. */
function reader(row: Row, columns: FormatColumns): (input: string) => unknown {
  return (input) => cell(row, columns[input] ?? input);
}

function promptMessages(instruction: string, systemPrompt: unknown): ChatMessage[] {
  const system = isText(systemPrompt) ? [{ role: 'system' as const, content: systemPrompt }] : [];
  return [...system, { role: 'user', content: instruction }];
}

/** Text a trainer can learn from: a string with more than white space. */
function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
