import type { Outputs } from '../engine/task';
import {
  blocksStartingAt,
  extractJsonObject,
  type Field,
  fieldValue,
  isNotApplicable,
  isPlaceholder,
  numberedSections,
  parseScore,
  readFields,
  scoreFromJson,
} from './parse';
import { listColumn, promptTask, textColumn } from './promptTask';
import { listOf } from './rows';
import { system, templates } from './ultrafeedback.prompt';

const SCALE = { min: 1, max: 5 };
const TYPE_IDS = { min: 1, max: 3 };

interface Aspect {
  id: string;
  label: string;
  description: string;
  template: string;
  /** Helpfulness and truthfulness also name informativeness / hallucination types. */
  withTypes: boolean;
}

/** The columns distilabel's UltraFeedback writes for an aspect. */
function columnsOf(withTypes: boolean): string[] {
  return withTypes
    ? ['types', 'rationales', 'ratings', 'rationales-for-ratings']
    : ['ratings', 'rationales'];
}

/**
 * The type of one text as distilabel records it: the first identifier named
 * (`1, 3` -> 1; `2. **Useful**` -> 2). Null for `None`/`N/A`, and when anything
 * other than identifiers 1-3 is there (`1, 7` shows the field was misread, so
 * even its first identifier is not trusted).
 */
export function parseTypes(text: string): number | null {
  if (isNotApplicable(text)) return null;
  const bare = text
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\*\*[^*]*\*\*/g, ' ')
    .replace(/[[\]]/g, ' ');
  const ids = [...bare.matchAll(/\b(\d+)\b/g)].map((m) => Number(m[1]));
  if (ids.length === 0 || ids.some((id) => id < TYPE_IDS.min || id > TYPE_IDS.max)) return null;
  return ids[0];
}

/**
 * A text whose Type field says "None". It is stored as null like an unreadable
 * one, but it was read: a column where every text says "None" is a list of
 * nulls, not the null of an answer that could not be read.
 */
const NO_TYPE = 'none';
type TypeRead = number | typeof NO_TYPE | null;

function readType(text: string): TypeRead {
  return isNotApplicable(text) ? NO_TYPE : parseTypes(text);
}

/** A type given as JSON: a number, a string, or a list whose first entry counts; null stays null. */
function typeFromJson(value: unknown): TypeRead {
  if (value === null) return NO_TYPE;
  if (typeof value === 'number' || typeof value === 'string') return readType(String(value));
  if (Array.isArray(value)) return readType(value.join(', ') || 'None');
  return null;
}

/** One text's block of fields. A rationale belongs to the Type or Rating written just before it. */
function readBlock(fields: readonly Field[], withTypes: boolean): Outputs {
  const rating = fieldValue(fields, 'Rating');
  const out: Outputs = { ratings: rating === null ? null : parseScore(rating, SCALE) };
  if (!withTypes) {
    out.rationales = fieldValue(fields, 'Rationale');
    return out;
  }
  const type = fieldValue(fields, 'Type');
  out.types = type === null ? null : readType(type);
  let previous: string | null = null;
  const forType: string[] = [];
  const forRating: string[] = [];
  for (const field of fields) {
    if (field.label === 'Rationale') {
      if (previous === 'Type') forType.push(field.value);
      else if (previous === 'Rating') forRating.push(field.value);
    } else {
      previous = field.label;
    }
  }
  const single = (values: string[]) =>
    values.length === 1 && values[0] && !isPlaceholder(values[0]) ? values[0] : null;
  out.rationales = single(forType);
  out['rationales-for-ratings'] = single(forRating);
  return out;
}

const LABELS = ['Type', 'Types', 'Rating', 'Rationale'];

function normalizeLabels(fields: Field[]): Field[] {
  return fields.map((f) => (f.label === 'Types' ? { ...f, label: 'Type' } : f));
}

/** The per-text blocks: under `Output for Text N` headings, else one block per `Type:`/`Rating:` run. */
function textBlocks(text: string, count: number, withTypes: boolean): (string | null)[] | null {
  const sections = numberedSections(text, 'text');
  if (sections.size > 0) {
    return Array.from({ length: count }, (_, i) => sections.get(i + 1) ?? null);
  }
  const first = withTypes ? 'Type' : 'Rating';
  const blocks = blocksStartingAt(text, first);
  if (!blocks || blocks.length !== count) return null;
  const preamble = text.slice(0, text.indexOf(blocks[0]));
  if (readFields(preamble, LABELS).length > 0) return null;
  return blocks;
}

/** The JSON answer of structured output: `{ratings, rationales[, types, rationales_for_rating]}`. */
function fromJson(json: Record<string, unknown>, count: number, withTypes: boolean): Outputs {
  const list = (key: string): unknown[] | null => {
    const value = json[key];
    return Array.isArray(value) && value.length === count ? value : null;
  };
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const out: Outputs = {
    ratings: list('ratings')?.map((v) => scoreFromJson(v, SCALE)) ?? null,
    rationales: list('rationales')?.map(text) ?? null,
  };
  if (withTypes) {
    out.types = list('types')?.map(typeFromJson) ?? null;
    out['rationales-for-ratings'] =
      (list('rationales_for_rating') ?? list('rationales-for-ratings'))?.map(text) ?? null;
  }
  return out;
}

/**
 * Reads an UltraFeedback answer: one list per column, an entry per generation
 * (null where that text's block is missing or unreadable). A column with no
 * readable entry at all is null, so a wholly unreadable answer is a format failure.
 */
export function readUltraFeedback(text: string, count: number, withTypes: boolean): Outputs {
  const columns = columnsOf(withTypes);
  const json = extractJsonObject(text);
  let out: Outputs;
  if (json && Array.isArray(json.ratings)) {
    out = fromJson(json, count, withTypes);
  } else {
    const blocks = textBlocks(text, count, withTypes);
    if (!blocks) return {};
    const read = blocks.map((block) =>
      block === null ? {} : readBlock(normalizeLabels(readFields(block, LABELS)), withTypes),
    );
    out = Object.fromEntries(columns.map((c) => [c, read.map((r) => r[c] ?? null)]));
  }
  for (const column of columns) {
    const values = out[column];
    if (!Array.isArray(values) || values.every((v) => v === null)) out[column] = null;
    else out[column] = values.map((v) => (v === NO_TYPE ? null : v));
  }
  return out;
}

function jsonSchemaOf(withTypes: boolean): Record<string, unknown> {
  const strings = { type: 'array', items: { type: 'string' } };
  const properties: Record<string, unknown> = {
    ratings: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 5 } },
    rationales: strings,
  };
  if (withTypes) {
    // distilabel's shape: one optional identifier per text (null for "None").
    properties.types = {
      type: 'array',
      items: { anyOf: [{ type: 'integer', minimum: 1, maximum: 3 }, { type: 'null' }] },
    };
    properties.rationales_for_rating = strings;
  }
  return { type: 'object', properties, required: Object.keys(properties) };
}

function ultraFeedback(aspect: Aspect) {
  return promptTask({
    id: aspect.id,
    label: aspect.label,
    description: aspect.description,
    group: 'Judging',
    columns: {
      instruction: textColumn('The instruction the texts answer'),
      generations: listColumn('The texts to rate (a list)'),
    },
    outputs: columnsOf(aspect.withTypes),
    system,
    template: aspect.template,
    formatOutput: (text, row) =>
      readUltraFeedback(text, listOf(row, 'generations').length, aspect.withTypes),
    jsonSchema: () => jsonSchemaOf(aspect.withTypes),
  });
}

export const ultraFeedbackHelpfulness = ultraFeedback({
  id: 'ultrafeedback_helpfulness',
  label: 'UltraFeedback: helpfulness',
  description:
    'Rates each text in "generations" from 1 to 5 for helpfulness (correctness and informativeness) and names its informativeness type. Writes "types" (per text the first type identifier named, 1-3, or null for none), "rationales", "ratings" and "rationales-for-ratings", one entry per text.',
  template: templates.helpfulness,
  withTypes: true,
});

export const ultraFeedbackHonesty = ultraFeedback({
  id: 'ultrafeedback_honesty',
  label: 'UltraFeedback: honesty',
  description:
    'Rates each text in "generations" from 1 to 5 for honesty: whether its confidence matches its correctness (N/A for creative writing gives null). Writes "ratings" and "rationales", one entry per text.',
  template: templates.honesty,
  withTypes: false,
});

export const ultraFeedbackInstructionFollowing = ultraFeedback({
  id: 'ultrafeedback_instruction_following',
  label: 'UltraFeedback: instruction following',
  description:
    'Rates each text in "generations" from 1 to 5 for how well it follows the instruction\'s goal and restrictions. Writes "ratings" and "rationales", one entry per text.',
  template: templates.instructionFollowing,
  withTypes: false,
});

export const ultraFeedbackTruthfulness = ultraFeedback({
  id: 'ultrafeedback_truthfulness',
  label: 'UltraFeedback: truthfulness',
  description:
    'Rates each text in "generations" from 1 to 5 for truthfulness and names its hallucination type. Writes "types" (per text the first type identifier named, 1-3, or null for none), "rationales", "ratings" and "rationales-for-ratings", one entry per text.',
  template: templates.truthfulness,
  withTypes: true,
});

export const ultraFeedbackOverallRating = ultraFeedback({
  id: 'ultrafeedback_overall_rating',
  // distilabel's default aspect, so it carries the method's plain name.
  label: 'UltraFeedback',
  description:
    'Overall rating: rates each text in "generations" from 1 to 5 for overall quality (correctness, honesty, truthfulness and instruction following at once). Writes "ratings" and "rationales", one entry per text. The usual choice for preference data.',
  template: templates.overallRating,
  withTypes: false,
});

export const ultraFeedbackTasks = [
  ultraFeedbackOverallRating,
  ultraFeedbackHelpfulness,
  ultraFeedbackHonesty,
  ultraFeedbackInstructionFollowing,
  ultraFeedbackTruthfulness,
];
