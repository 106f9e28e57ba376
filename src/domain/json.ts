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

/** Parses JSON text; throws SyntaxError with a position on bad input. */
export function parseJson(text: string): JsonValue {
  return parse(text, null, parseNumber) as JsonValue;
}

/** Serialises a value to JSON text; BigInt is written as plain digits. */
export function stringifyJson(value: unknown, indent?: number): string {
  const out = stringify(value, undefined, indent);
  return out === undefined ? 'null' : out;
}

/** A deep copy that survives BigInt (structuredClone would too, but this also drops undefined the JSON way). */
export function cloneJson<T>(value: T): T {
  return parseJson(stringifyJson(value)) as T;
}
