// Checks an execution's input against the task's optional JSON Schema (Ajv,
// draft-07/2019 defaults). Compiled schemas are cached by schema object, so a
// task version compiles its schema once.
import { Ajv, type ValidateFunction } from 'ajv';
import type { Problem } from './errors.js';
import type { JsonValue } from './json.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** Returns a problem for each mismatch (path under /input), or [] when valid. */
export function checkInput(schema: Record<string, JsonValue> | undefined, input: JsonValue): Problem[] {
  if (!schema) return [];
  let validate = compiled.get(schema);
  if (!validate) {
    try {
      validate = ajv.compile(schema);
    } catch (err) {
      return [{ path: '/input', message: `the task's input schema is not valid JSON Schema: ${(err as Error).message}` }];
    }
    compiled.set(schema, validate);
  }
  // Ajv does not understand BigInt; numbers that big are checked as numbers.
  const value = JSON.parse(JSON.stringify(input, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as unknown;
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => ({
    path: `/input${e.instancePath}`,
    message: e.keyword === 'required' ? `missing required property '${String(e.params['missingProperty'])}'` : `${e.message ?? 'is invalid'}`,
  }));
}

/** Checks that a value is a compilable JSON Schema (for definition validation). */
export function checkSchema(schema: Record<string, JsonValue>): string | null {
  try {
    ajv.compile(schema);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
