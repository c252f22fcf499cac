import { inputError } from '../errors';

/**
 * What Search rows matches: plain text, found in any case, or `/regex/flags`.
 * An invalid expression is said as such, with the browser's reason.
 */
export function matcher(query: string): (text: string) => boolean {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(query.trim());
  if (!regex) {
    const needle = query.trim().toLowerCase();
    return (text) => text.toLowerCase().includes(needle);
  }
  let pattern: RegExp;
  try {
    // No g or y: they make test() remember where it stopped between calls.
    pattern = new RegExp(regex[1], regex[2].replace(/[gy]/g, ''));
  } catch (error) {
    throw inputError(
      `The search ${query.trim()} is not a valid regular expression (${(error as Error).message}). Fix it, or search for plain text without the slashes.`,
    );
  }
  return (text) => pattern.test(text);
}
