/**
 * Names (columns, files) as a message shows them: a file can hold thousands
 * of columns or a name of 10,000 characters, and an alert must stay readable.
 * And names made from them for files we write.
 */

const LONGEST_NAME = 40;

/** A name cut to `longest` characters, with an ellipsis when cut. */
export function shortName(name: string, longest = LONGEST_NAME): string {
  const chars = Array.from(name);
  return chars.length > longest ? `${chars.slice(0, longest - 1).join('')}…` : name;
}

/** "id, question, … 4,997 more": the first `shown` names, each shortened, and how many are left. */
export function listNames(names: readonly string[], shown = 12): string {
  const listed = names.slice(0, shown).map((name) => shortName(name));
  const rest = names.length - listed.length;
  return rest > 0
    ? `${listed.join(', ')}, … ${rest.toLocaleString('en-US')} more`
    : listed.join(', ');
}

/** Lower case, each run of anything but letters and digits one dash, at most 80 characters: a part of a file name. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .slice(0, 80)
    .replace(/^-+|-+$/g, '');
}
