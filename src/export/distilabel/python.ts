/**
 * Python source from JavaScript values: literals, calls and names, laid out
 * the way a person would write them (one argument a line, trailing commas),
 * so an exported pipeline reads as if written by hand.
 */

/** Python code to put in as it is: a name, an `os.environ[...]` look-up, a call. */
export class Expr {
  constructor(readonly code: string) {}
}

export type PyValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | Expr
  | readonly PyValue[]
  | { readonly [key: string]: PyValue };

/** Keyword arguments in order; an undefined one is left out (the class's default applies). */
export type Args = Record<string, PyValue>;

const INDENT = '    ';
/** Past this a literal is laid out over several lines. */
const LINE = 72;

/** `value` as a Python literal. Strings never hold a raw line break, so re-indenting is safe. */
export function literal(value: PyValue): string {
  if (value instanceof Expr) return value.code;
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'None';
  if (typeof value === 'string') return stringLiteral(value);
  const [open, close, items] = Array.isArray(value)
    ? ['[', ']', value.map(literal)]
    : [
        '{',
        '}',
        Object.entries(value)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${stringLiteral(k)}: ${literal(v)}`),
      ];
  return layout(open, items, close);
}

/** `name(key=value, ...)`, one argument a line when they do not fit on one. */
export function call(name: string, args: Args = {}): string {
  const items = Object.entries(args)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${literal(v)}`);
  return layout(`${name}(`, items, ')');
}

function layout(open: string, items: string[], close: string): string {
  const flat = `${open}${items.join(', ')}${close}`;
  if (items.length === 0 || (flat.length <= LINE && !flat.includes('\n'))) return flat;
  return `${open}\n${items.map((item) => `${indent(item)},\n`).join('')}${close}`;
}

/**
 * A string as a double-quoted literal: JSON's escapes are Python's too. A long
 * text of several lines becomes adjacent literals, a line each, in parentheses.
 */
function stringLiteral(text: string): string {
  const lines = text.split(/(?<=\n)/);
  if (lines.length === 1 || text.length <= LINE) return JSON.stringify(text);
  return `(\n${lines.map((line) => `${INDENT}${JSON.stringify(line)}\n`).join('')})`;
}

/** Every line of `code` one level in. */
export function indent(code: string): string {
  return code.replace(/^(?=.)/gm, INDENT);
}

/** Comments wrap at this column. */
const COMMENT_WIDTH = 88;

/**
 * `text` as comment lines, each paragraph (line of `text`) wrapped. Text from
 * elsewhere (a dataset's name, a model id) cannot end the comment early:
 * Python also breaks lines at a carriage return, and control characters
 * become spaces.
 */
export function comment(text: string): string {
  return text
    .split(/\r\n?|\n/)
    .map((line) => Array.from(line, (ch) => (ch < ' ' ? ' ' : ch)).join(''))
    .flatMap((line) => wrap(line, COMMENT_WIDTH - 2))
    .map((line) => (line ? `# ${line}` : '#'))
    .join('\n');
}

/** Lines of at most `width` characters, broken between words (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lead = /^\s*/.exec(text)?.[0] ?? '';
  const lines: string[] = [];
  let line = '';
  for (const word of text.trim().split(/\s+/)) {
    if (line && lead.length + line.length + 1 + word.length > width) {
      lines.push(lead + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, lead + line];
}

/** A snake_case Python name for `text` ("Text generation" -> "text_generation"). */
export function pythonName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[a-z]/.test(name) ? name : `step_${name}`;
}
