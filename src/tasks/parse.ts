/**
 * Forgiving readers for model answers, shared by every task. Each one reads
 * what a model plausibly writes (markdown emphasis, `4/5`, a preamble, JSON in
 * a code fence, trailing commentary) and gives null whenever the value cannot
 * be read with confidence: never a guess.
 */

/** Removes markdown bold/underline markers (`**`, `__`), which models sprinkle on labels. */
export function stripEmphasis(text: string): string {
  return text.replace(/\*\*|__/g, '');
}

/** Trims a value and the emphasis, quotes or brackets wrapped around the whole of it. */
export function cleanValue(text: string): string {
  let value = stripEmphasis(text).trim();
  for (;;) {
    const inner = value.replace(/^([*_`"'])([\s\S]*)\1$/, '$2').trim();
    if (inner === value) return value;
    value = inner;
  }
}

/** "N/A", "None", "null", "-", "not applicable": the model said there is no value. */
export function isNotApplicable(text: string): boolean {
  return /^[[(]?\s*(?:n\s*\/\s*a|na|none|null|not applicable|-|—|–)\s*[\])]?\.?$/i.test(
    cleanValue(text),
  );
}

export interface ScaleOptions {
  min: number;
  max: number;
  /** Accept only whole numbers (the default): `4.5` on an integer scale is unreadable. */
  integer?: boolean;
}

/**
 * A score on a known scale: `4`, `[4]`, `4/5`, `4 out of 5`, `4 (Highly informative)`,
 * `Score 4`. Null for N/A, out-of-scale values, a different denominator (`4/10` on a
 * 1-5 scale), ambiguous answers (`3-4`, `4 or 5`), and a score the rest of the
 * line revises (`3... I'd revise to 4`, `1/5 → 4/5`).
 */
export function parseScore(text: string, scale: ScaleOptions): number | null {
  const value = cleanValue(text.split('\n')[0] ?? '')
    .replace(/^(?:score|rating)\s*[:=]?\s*/i, '')
    .replace(/^[[(]\s*([\d.]+(?:\s*\/\s*\d+)?)\s*[\])]/, '$1');
  const match = /^(\d+(?:\.\d+)?)(?:\s*(?:\/|out of)\s*(\d+))?/i.exec(value);
  if (!match) return null;
  const rest = value.slice(match[0].length);
  if (/^\s*(?:-|–|—|to|or|and|,|\/|\.\d)\s*\d/i.test(rest) || /^\d/.test(rest)) return null;
  if (match[2] !== undefined && Number(match[2]) !== scale.max) return null;
  const score = Number(match[1]);
  if ((scale.integer ?? true) && !Number.isInteger(score)) return null;
  if (score < scale.min || score > scale.max) return null;
  if (revisedScores(rest, scale).some((s) => s !== score)) return null;
  return score;
}

/**
 * A word or arrow by which a model takes back or hedges the score it just gave
 * (`I'd revise to 4`, `but arguably 4`, `or rather 4`, `1/5 → 4/5`); `rather
 * than 2` and `instead of 2` set another number aside rather than move to it.
 * The number must end its clause: in `actually covers 3 of the 4 points` or
 * `maybe 1 typo` it counts something else.
 */
const REVISION_CUE =
  /(?:\b(?:revis|bump|chang|adjust|rais|lower|actually|arguably|rather(?!\s+than)|instead(?!\s+of)|maybe|perhaps|reconsider|on second thought)\w*|→|->|=>)[^\d\n]{0,15}?(\d+(?:\.\d+)?)(?=\s*(?:$|[.,;:!?)\]]))/gi;

/**
 * The in-scale numbers that a revision cue introduces in what follows a score.
 * Denominators (`/5`, `out of 5`) are dropped first: they restate the scale,
 * not another score. Other numbers (`response 1 is accurate`) are not cued, so
 * they never count.
 */
function revisedScores(rest: string, scale: ScaleOptions): number[] {
  const withoutScale = rest.replace(/\s*(?:\/|\bout of\b)\s*\d+/gi, '');
  return [...withoutScale.matchAll(REVISION_CUE)]
    .map((m) => Number(m[1]))
    .filter((n) => n >= scale.min && n <= scale.max);
}

/** A score that came as JSON: a number, or a string holding one. */
export function scoreFromJson(value: unknown, scale: ScaleOptions): number | null {
  if (typeof value === 'number') return parseScore(String(value), scale);
  if (typeof value === 'string') return parseScore(value, scale);
  return null;
}

/**
 * The JSON value in an answer: the whole text, else the content of a ```json
 * fence, else the first balanced object in the prose (a preamble and trailing
 * commentary are skipped). Undefined when there is none.
 *
 * An array counts only as the whole answer, a whole fence, or whole lines of
 * their own (`Scores:` then `[4, 3]`): within a line of prose, brackets are too
 * often something else (`[1] Score: 2`, `parse ["a", "b"] in Python`). Any
 * other array is skipped whole, so an object inside it (one of several list
 * entries) is not taken for the answer either.
 */
export function extractJson(text: string): unknown {
  const candidates: string[] = [text.trim()];
  for (const fence of text.matchAll(/```[a-zA-Z0-9_-]*[ \t]*\n?([\s\S]*?)```/g)) {
    candidates.push(fence[1].trim());
  }
  for (const candidate of candidates) {
    const parsed = tryParse(candidate);
    if (parsed !== undefined) return parsed;
  }
  for (let start = 0; start < text.length; start++) {
    const ch = text[start];
    if (ch !== '{' && ch !== '[') continue;
    const end = balancedEnd(text, start);
    if (end < 0) continue;
    const parsed = tryParse(text.slice(start, end + 1));
    if (isRecord(parsed)) return parsed;
    if (Array.isArray(parsed)) {
      if (ownLines(text, start, end)) return parsed;
      start = end;
    }
  }
  return undefined;
}

/** Whether text[start..end] stands on lines of its own: only blanks before it and after it on them. */
function ownLines(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text.indexOf('\n', end + 1);
  const after = text.slice(end + 1, lineEnd < 0 ? text.length : lineEnd);
  return text.slice(lineStart, start).trim() === '' && after.trim() === '';
}

/** The JSON object in an answer, or undefined when there is no object. */
export function extractJsonObject(text: string): Record<string, unknown> | undefined {
  const value = extractJson(text);
  return isRecord(value) ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tryParse(text: string): unknown {
  if (!text || !/^[{["\d-]|^(?:true|false|null)$/.test(text)) return undefined;
  for (const candidate of [text, escapeControlsInStrings(text)]) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

/**
 * Models often write long string values with raw line breaks or tabs in them,
 * which JSON forbids; escaping them inside strings changes nothing else.
 */
function escapeControlsInStrings(text: string): string {
  const escapes: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString && ch === '\\') {
      out += ch + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') inString = !inString;
    out += inString ? (escapes[ch] ?? ch) : ch;
  }
  return out;
}

/** The index of the bracket closing the one at `start`, skipping strings; -1 if unbalanced. */
function balancedEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') stack.push('}');
    else if (ch === '[') stack.push(']');
    else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

export interface Field {
  /** The label as the task named it (not as the model spelled it). */
  label: string;
  value: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `Label: value` fields in the order they appear. A label may carry markdown
 * (`**Rating:** 4`, `- *Rating*: 4`, `### Rating: 4`), any case, and a short
 * parenthesis (`Rating (1-5): 4`); a label alone on its line (`## Positive`)
 * starts a value on the next lines. A value runs over the following lines
 * until the next label, a markdown heading, a `---` rule, or the end.
 */
export function readFields(text: string, labels: readonly string[]): Field[] {
  const alternatives = [...labels]
    .sort((a, b) => b.length - a.length)
    .map((l) => escapeRegExp(l).replace(/[ _-]+/g, '[ _-]*'));
  const labelLine = new RegExp(
    `^[\\t >*_#-]*(?:\\d+[.)]\\s*)?[*_]*(${alternatives.join('|')})[*_]*\\s*(?:\\([^)\\n]{0,40}\\))?\\s*(?:[:：][*_]*[ \\t]*(.*)|[*_]*\\s*)$`,
    'i',
  );
  const fields: Field[] = [];
  let current: { label: string; lines: string[] } | null = null;
  const flush = () => {
    if (current) fields.push({ label: current.label, value: cleanValue(current.lines.join('\n')) });
  };
  for (const line of text.split(/\r?\n/)) {
    const match = labelLine.exec(line);
    if (match) {
      flush();
      const spelled = match[1].toLowerCase().replace(/[ _-]+/g, '');
      const label = labels.find((l) => l.toLowerCase().replace(/[ _-]+/g, '') === spelled)!;
      current = { label, lines: [match[2] ?? ''] };
    } else if (current && (/^\s*#{1,6}\s/.test(line) || /^\s*(?:-{3,}|={3,})\s*$/.test(line))) {
      flush();
      current = null;
    } else if (current) {
      current.lines.push(line);
    }
  }
  flush();
  return fields;
}

/** A value that only echoes the prompt's placeholder, such as `[Rationale for text 1]`. */
export function isPlaceholder(value: string): boolean {
  return /^\[[^\]]*[a-z]{2}[^\]]*\]$/i.test(value.trim()) && !isNotApplicable(value);
}

/**
 * The value of the single field with this label; null when absent, empty,
 * a placeholder echoed from the prompt, or given twice differently.
 */
export function fieldValue(fields: readonly Field[], label: string): string | null {
  const values = [...new Set(fields.filter((f) => f.label === label).map((f) => f.value))];
  return values.length === 1 && values[0] !== '' && !isPlaceholder(values[0]) ? values[0] : null;
}

/**
 * Splits an answer into numbered sections under headings such as
 * `#### Output for Text 2`, `**Text 2**`, `Text 2:` or `### Text 2 (Assistant B)`
 * (alone on their line), keyed by number so sections out of order land in the
 * right place. A number that heads two sections maps to null. Empty when the
 * answer has no such headings.
 */
export function numberedSections(text: string, noun: string): Map<number, string | null> {
  const heading = new RegExp(
    `^[\\t >*_#-]*(?:output\\s+for\\s+|annotation\\s+for\\s+)?${noun}\\s*#?\\s*(\\d+)\\s*[*_]*\\s*(?:\\([^)\\n]{0,40}\\))?\\s*[*_]*\\s*[:.]?\\s*[*_]*\\s*$`,
    'im',
  );
  const sections = new Map<number, string | null>();
  const lines = text.split(/\r?\n/);
  let number: number | null = null;
  let body: string[] = [];
  const flush = () => {
    if (number === null) return;
    sections.set(number, sections.has(number) ? null : body.join('\n'));
  };
  for (const line of lines) {
    const match = heading.exec(line);
    if (match) {
      flush();
      number = Number(match[1]);
      body = [];
    } else {
      body.push(line);
    }
  }
  flush();
  return sections;
}

/**
 * Splits an answer without headings into blocks, each starting at a line
 * labelled `firstLabel` (e.g. every `Rating:` starts a new text's block), so
 * that the caller can read them by position. When the blocks are numbered
 * (`2. Rating: 3`), the numbers must run 1..n in order: a model that numbers
 * them otherwise means another order (or something else), so the blocks cannot
 * be read by position and the result is null.
 */
export function blocksStartingAt(text: string, firstLabel: string): string[] | null {
  const start = new RegExp(
    `^[\\t >*_#-]*(?:(\\d+)[.)]\\s*)?[*_]*${escapeRegExp(firstLabel)}[*_]*\\s*(?:\\([^)\\n]{0,40}\\))?\\s*[:：]`,
    'i',
  );
  const blocks: string[] = [];
  const numbers: (number | null)[] = [];
  let current: string[] | null = null;
  for (const line of text.split(/\r?\n/)) {
    const match = start.exec(line);
    if (match) {
      if (current) blocks.push(current.join('\n'));
      current = [line];
      numbers.push(match[1] === undefined ? null : Number(match[1]));
    } else if (current) {
      current.push(line);
    }
  }
  if (current) blocks.push(current.join('\n'));
  const numbered = numbers.some((n) => n !== null);
  if (numbered && numbers.some((n, i) => n !== i + 1)) return null;
  return blocks;
}

/**
 * Per-item scores written as `[1] Score: 4` (also `1. Score: 4`, `**[2] Score:** 3`),
 * in any order, one per index 1..count. A missing index, an index scored twice
 * differently, or an unreadable score is null. Null when no line could be read,
 * and when an index is 0 or above the count: the model numbered the items
 * otherwise than the prompt did (`[0]`, `[1]` for two items), so no index can
 * be trusted to name the right item.
 */
export function indexedScores(
  text: string,
  count: number,
  scale: ScaleOptions,
): (number | null)[] | null {
  const line =
    /^[\t >*_#-]*[[(]?\s*(\d+)\s*[\])]?[.:)]?[*_]*\s*(?:-\s*)?[*_]*score[*_]*\s*[:=]?[*_]*\s*(.*)$/gim;
  const seen = new Map<number, number | null>();
  for (const match of stripEmphasis(text).matchAll(line)) {
    const index = Number(match[1]);
    if (index < 1 || index > count) return null;
    const score = parseScore(match[2], scale);
    seen.set(index, seen.has(index) && seen.get(index) !== score ? null : score);
  }
  const scores = Array.from({ length: count }, (_, i) => seen.get(i + 1) ?? null);
  return scores.some((s) => s !== null) ? scores : null;
}

/** Scores given as JSON (`{"scores": [..]}` or a bare array), when the count matches. */
export function jsonScores(
  text: string,
  key: string,
  count: number,
  scale: ScaleOptions,
): (number | null)[] | null {
  const json = extractJson(text);
  const list = isRecord(json) ? json[key] : json;
  if (!Array.isArray(list) || list.length !== count) return null;
  const scores = list.map((v) => scoreFromJson(v, scale));
  return scores.some((s) => s !== null) ? scores : null;
}

/** A bullet or a number opening a list line: `- `, `* `, `•`, `1.`, `2)`, `(3)`, `a)`. */
const LIST_MARKER = /^\s*(?:[-*•+]|\d+[.)]|\(\d+\)|[a-z][.)](?=\s))\s+/i;

/** Lines of a list answer without bullets or numbering, skipping blanks. */
export function listLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => cleanValue(line.replace(LIST_MARKER, '')))
    .filter((line) => line !== '');
}

/**
 * Only the bulleted or numbered lines of an answer, without their markers:
 * when a model writes a list, the unmarked lines around it are its preamble
 * and closing remarks, not items. Empty when no line is marked.
 */
export function listItems(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => LIST_MARKER.test(line))
    .map((line) => cleanValue(line.replace(LIST_MARKER, '')))
    .filter((line) => line !== '');
}
