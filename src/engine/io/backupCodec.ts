/**
 * Stored records as JSON text and back, exactly. JSON lacks some values that
 * IndexedDB records hold: undefined (a result without an output), NaN, the
 * infinities and -0 (a Parquet double, a time not known), and typed arrays (a
 * page of results is stored as columns). Each of those is written as a string
 * that begins with a NUL character, and a stored string that itself begins
 * with NUL is written with a second one, so no text of a person's data is
 * ever read back as anything else.
 */

const MARK = '\u0000';

const TYPED_ARRAYS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
} as const;

type TypedArrayName = keyof typeof TYPED_ARRAYS;

/** One record as one line of JSON, its line break included. */
export function encodeLine(value: unknown): string {
  return `${JSON.stringify(value, replace)}\n`;
}

/** What encodeLine wrote, as it was stored. Throws a SyntaxError on text that is not JSON. */
export function decodeLine(line: string): unknown {
  return revive(JSON.parse(line));
}

function replace(_key: string, value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      return value.charCodeAt(0) === 0 ? MARK + value : value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0)
        ? value
        : `${MARK}number:${numberText(value)}`;
    case 'undefined':
      return `${MARK}undefined`;
    case 'object':
      return value === null || Array.isArray(value) ? value : objectValue(value);
    default:
      // A bigint, function or symbol is never stored; JSON.stringify says so for a bigint.
      return value;
  }
}

const numberText = (value: number) => (Object.is(value, -0) ? '-0' : String(value));

function objectValue(value: object): unknown {
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    if (!(name in TYPED_ARRAYS)) throw new TypeError(`A ${name} cannot be backed up.`);
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return `${MARK}${name}:${toBase64(bytes)}`;
  }
  const prototype = Object.getPrototypeOf(value);
  // A Map or a Date would come back as something else: refused rather than changed.
  if (prototype !== Object.prototype && prototype !== null)
    throw new TypeError(`A ${value.constructor?.name ?? 'value'} cannot be backed up.`);
  return value;
}

/**
 * Puts marked values back, in place. JSON.parse made every key an own
 * property (a "__proto__" column included), so assigning to it sets that
 * property and never an object's prototype.
 */
function revive(value: unknown): unknown {
  if (typeof value === 'string') return value.charCodeAt(0) === 0 ? unmark(value) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = revive(record[key]);
  return record;
}

function unmark(text: string): unknown {
  if (text.charCodeAt(1) === 0) return text.slice(1);
  const colon = text.indexOf(':');
  const kind = colon === -1 ? text.slice(1) : text.slice(1, colon);
  const body = text.slice(colon + 1);
  if (kind === 'undefined') return undefined;
  if (kind === 'number') return Number(body);
  if (Object.hasOwn(TYPED_ARRAYS, kind)) {
    const bytes = fromBase64(body);
    return new TYPED_ARRAYS[kind as TypedArrayName](bytes.buffer);
  }
  throw new SyntaxError(`unknown marked value "${kind}"`);
}

/** Characters handed to String.fromCharCode at once: well under the engines' argument limits. */
const CHUNK = 0x8000;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK)
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
