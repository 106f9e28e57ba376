// Reads definition text (a request body, a file) as JSON or YAML into JSON
// values, keeping integers beyond 2^53 as BigInt in both. Syntax errors come
// back as problems with line and column; this module does not validate the
// definition itself (validate-definition.ts does).
import { parseDocument } from 'yaml';
import type { Problem } from './errors.js';
import { setOwn } from './expression-value.js';
import { pointerSegment } from './expressions.js';
import { MAX_JSON_DEPTH, parseJson, type JsonValue } from './json.js';

export type TextParseResult = { ok: true; value: JsonValue } | { ok: false; problems: Problem[] };

const MAX_YAML_ALIASES = 100;

/** Parses `text`: JSON when hinted or when it looks like JSON, else YAML (a superset of JSON). */
export function parseDefinitionText(text: string, hint?: 'json' | 'yaml'): TextParseResult {
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') return { ok: false, problems: [{ path: '', message: 'the definition is empty' }] };
  if (hint === 'yaml') return parseYaml(source);
  const looksLikeJson = /^\s*[[{]/.test(source);
  if (hint !== 'json' && !looksLikeJson) return parseYaml(source);
  try {
    return { ok: true, value: parseJson(source) };
  } catch (err) {
    const jsonProblem = { path: '', message: `not valid JSON: ${describeJsonError(err, source)}` };
    if (hint === 'json') return { ok: false, problems: [jsonProblem] };
    // `{ a: 1 }` is YAML flow style, not JSON: give YAML a chance, report the JSON error if both fail.
    const yaml = parseYaml(source);
    return yaml.ok ? yaml : { ok: false, problems: [jsonProblem] };
  }
}

function describeJsonError(err: unknown, source: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^(.*?)\s*at position (\d+)\s*$/.exec(message);
  if (!m) return message;
  const { line, column } = lineAndColumn(source, Number(m[2]));
  return `line ${line}, column ${column}: ${m[1]}`;
}

function lineAndColumn(source: string, position: number): { line: number; column: number } {
  const before = source.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

function parseYaml(source: string): TextParseResult {
  const doc = parseDocument(source, { intAsBigInt: true, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({ path: '', message: `not valid YAML: ${firstLine(e.message)}` })),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    return { ok: false, problems: [{ path: '', message: `not valid YAML: ${err instanceof Error ? err.message : String(err)}` }] };
  }
  const problems: Problem[] = [];
  const value = toJson(raw, '', problems, new Set());
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** YAML values as JSON: safe BigInts back to numbers, non-JSON values reported. */
function toJson(value: unknown, pointer: string, problems: Problem[], ancestors: Set<unknown>): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') {
    // A YAML alias can point at its own ancestor (`a: &x [*x]`): JSON cannot hold that.
    if (ancestors.has(value)) {
      problems.push({ path: pointer, message: 'a YAML alias refers to a value that contains it: JSON cannot hold a cycle' });
      return null;
    }
    if (ancestors.size >= MAX_JSON_DEPTH) {
      problems.push({ path: pointer, message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
      return null;
    }
  }
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    problems.push({ path: pointer, message: `expected a JSON value, got ${value} (YAML .inf/.nan are not allowed)` });
    return null;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    ancestors.add(value);
    const out = value.map((item: unknown, i) => toJson(item, `${pointer}/${i}`, problems, ancestors));
    ancestors.delete(value);
    return out;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    ancestors.add(value);
    const out: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) setOwn(out, key, toJson(item, `${pointer}/${pointerSegment(key)}`, problems, ancestors));
    ancestors.delete(value);
    return out;
  }
  problems.push({ path: pointer, message: 'expected a JSON value (object, list, string, number, true/false or null), got a YAML type that JSON cannot hold' });
  return null;
}
