import type { Row } from '../task';
import { figure } from './figure';

/**
 * The deepest nesting of objects and arrays a value may have, the row itself
 * counted. Storing a value (structured clone) and showing it (JSON.stringify)
 * recurse once per level, and V8 runs out of stack between 3,000 and 5,000
 * levels; real data seldom nests past a few dozen.
 */
export const MAX_NESTING = 1000;

/**
 * A row of `names` and `values`, every name an own property, `__proto__`
 * included: assigning that one would set the row's prototype instead, so it
 * is defined.
 */
export function rowOf(names: readonly string[], values: readonly unknown[]): Row {
  const row: Row = {};
  for (let i = 0; i < names.length; i++) {
    if (names[i] === '__proto__') {
      Object.defineProperty(row, '__proto__', {
        value: values[i],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      row[names[i]] = values[i];
    }
  }
  return row;
}

/** Whether `value` nests objects and arrays more than `levels` deep (itself counted). */
export function nestedDeeperThan(value: unknown, levels: number): boolean {
  // Bytes (a Parquet binary value) hold numbers only.
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (levels === 0) return true;
  // Bounded by `levels`, this recursion cannot exhaust the stack.
  for (const item of Object.values(value)) {
    if (nestedDeeperThan(item, levels - 1)) return true;
  }
  return false;
}

/** The end of a message about a value nested past MAX_NESTING: why it is refused, what to do. */
export const NESTED_TOO_DEEP =
  `nested more than ${figure(MAX_NESTING)} levels deep, which a browser can neither store nor show. ` +
  'Flatten the value, or store it as a JSON string.';
