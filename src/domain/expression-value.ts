// Turns what JSONata returns into plain JSON, and JSON into template text.
// JSONata hands back sequences (arrays with extra flags), null-prototype
// objects, `undefined` for "nothing found", and may produce functions or
// non-finite numbers; none of that may leak into step params or the journal.
import type { JsonValue } from './json.js';
import { stringifyJson } from './json.js';

/** Why a result could not become JSON; the caller wraps it in a StepError. */
export class NotJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotJsonError';
  }
}

const MAX_NESTING = 1000;

/**
 * A deep copy of `value` as plain JSON. `undefined` (JSONata's "no match")
 * becomes null; object properties that are undefined are dropped, as JSON
 * does. The copy never shares structure with the evaluation context.
 */
export function toJsonValue(value: unknown, depth = 0): JsonValue {
  if (depth > MAX_NESTING) throw new NotJsonError(`the result is nested more than ${MAX_NESTING} levels deep`);
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new NotJsonError(`the result is ${value}, which is not a JSON number`);
      return Object.is(value, -0) ? 0 : value;
    case 'function':
      throw new NotJsonError('the result is a function, which is not a JSON value');
    case 'object':
      break;
    default:
      throw new NotJsonError(`the result is a ${typeof value}, which is not a JSON value`);
  }
  if (Array.isArray(value)) return value.map((item: unknown) => toJsonValue(item, depth + 1));
  const record = value as Record<string, unknown>;
  if (record['_jsonata_lambda'] === true || record['_jsonata_function'] === true) {
    throw new NotJsonError('the result is a function, which is not a JSON value');
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== null && proto !== Object.prototype) {
    throw new NotJsonError(`the result is a ${describeObject(value)}, which is not a JSON value`);
  }
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (item === undefined) continue;
    setOwn(out, key, toJsonValue(item, depth + 1));
  }
  return out;
}

/** Sets a property as own data, even one named `__proto__` (plain assignment would change the prototype). */
export function setOwn(target: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** How a value reads inside text: strings as is, nothing as "", containers as JSON. */
export function toTemplateText(value: JsonValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return stringifyJson(value);
}

function describeObject(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'non-plain object';
}
