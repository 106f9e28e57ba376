// JSON that never rounds numbers: integers beyond 2^53 are parsed as BigInt
// and written back digit for digit. Every boundary that reads or writes user
// data (HTTP bodies, storage, the API, the journal) goes through here.
import { parse, stringify, isSafeNumber } from 'lossless-json';

export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

function parseNumber(text: string): number | bigint {
  if (isSafeNumber(text)) return Number(text);
  // Integers too large for a double keep every digit; other unsafe numbers
  // (many decimals) are kept as the closest double, as every JSON tool does.
  if (/^-?\d+$/.test(text)) return BigInt(text);
  return Number(text);
}

/**
 * How deep objects and lists may nest. Deeper documents are refused where
 * they enter (request bodies, HTTP responses, YAML), so nothing downstream
 * (serialising, expressions, the journal) can overflow the stack.
 */
export const MAX_JSON_DEPTH = 512;

/** Parses JSON text; throws SyntaxError with a position on bad input, or when nested deeper than MAX_JSON_DEPTH. */
export function parseJson(text: string): JsonValue {
  let value: JsonValue;
  try {
    value = parse(text, null, parseNumber) as JsonValue;
  } catch (err) {
    if (err instanceof RangeError) throw tooDeep();
    throw err;
  }
  if (jsonDepth(value) > MAX_JSON_DEPTH) throw tooDeep();
  return value;
}

function tooDeep(): SyntaxError {
  return new SyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
}

/** The nesting depth of a value (a scalar is 0), without recursion. */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    const here = depth + 1;
    if (here > deepest) deepest = here;
    if (here > MAX_JSON_DEPTH) return here;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, here]);
  }
  return deepest;
}

/** Serialises a value to JSON text; BigInt is written as plain digits. */
export function stringifyJson(value: unknown, indent?: number): string {
  let out: string | undefined;
  try {
    // The native serialiser writes the same text several times faster; it
    // refuses only what lossless-json must handle (a BigInt) or refuses
    // anyway (a cycle), and then lossless-json serialises (or throws) as before.
    out = JSON.stringify(value, undefined, indent) as string | undefined;
  } catch {
    out = stringify(value, undefined, indent);
  }
  return out === undefined ? 'null' : out;
}

/** A deep copy that survives BigInt (structuredClone would too, but this also drops undefined the JSON way). */
export function cloneJson<T>(value: T): T {
  return parseJson(stringifyJson(value)) as T;
}
