// Conversions between column values and domain values, shared by the stores.
// Drivers disagree on BIGINT (number, string or bigint), so every integer is
// read through toNumber; JSON goes through src/domain/json.ts so integers
// beyond 2^53 survive. Nothing here knows a table.
import { parseJson, stringifyJson, type JsonValue } from '../../domain/json.js';

/** An integer column (instant, version, count) as an exact number; refuses one beyond 2^53 rather than round it. */
export function toNumber(value: number | string | bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`expected an integer within ±2^53 from the database, got '${String(value)}'`);
  return n;
}

export function toNullableNumber(value: number | string | bigint | null): number | null {
  return value === null ? null : toNumber(value);
}

/** JSON text to a value; SQL NULL reads as JSON null. */
export function readJson(text: string | null): JsonValue {
  return text === null ? null : parseJson(text);
}

/** JSON text to a typed record (definitions, error objects); the writer guaranteed its shape. */
export function readJsonAs<T>(text: string | null): T | null {
  return text === null ? null : (parseJson(text) as unknown as T);
}

export function writeJson(value: unknown): string {
  return stringifyJson(value);
}

/** Writes JSON, keeping SQL NULL for a null value (for nullable columns). */
export function writeNullableJson(value: unknown): string | null {
  return value === null || value === undefined ? null : stringifyJson(value);
}
