// The expression language: JSONata inside `{{ }}` templates, anywhere in a
// params tree. Templates are compiled once per task version and evaluated
// many times against a context ({ input, steps, prev, error, execution, ... }).
// Evaluation is bounded (time and depth, with the clock passed in) and every
// failure is a StepError of kind `expression`; this module reads no clock.
import jsonata from 'jsonata';
import type { Problem } from './errors.js';
import { stepReferences } from './expression-references.js';
import { NotJsonError, setOwn, toJsonValue, toTemplateText } from './expression-value.js';
import type { JsonValue } from './json.js';
import { StepError } from './step-error.js';
import { hasTemplate, splitTemplate } from './template.js';

/** One `{{ }}` expression, parsed (or not: `error` says why). */
export interface CompiledExpression {
  readonly source: string;
  /** JSON pointer of the string holding it, relative to what was compiled. */
  readonly pointer: string;
  readonly program?: jsonata.Expression;
  readonly error?: { message: string; position?: number };
}

export type CompiledValue =
  | { readonly kind: 'json'; readonly value: null | boolean | number | bigint | string }
  | { readonly kind: 'expr'; readonly expr: CompiledExpression }
  | { readonly kind: 'text'; readonly pointer: string; readonly parts: readonly (string | CompiledExpression)[] }
  | { readonly kind: 'array'; readonly items: readonly CompiledValue[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, CompiledValue])[] }
  | { readonly kind: 'invalid'; readonly pointer: string; readonly text: string; readonly message: string };

export interface EvaluateOptions {
  /** The clock (epoch ms): for the time limit and JSONata's $now() / $millis(). */
  now: () => number;
  /** Limit for the whole evaluation of one compiled value. */
  timeoutMs: number;
  /** Limit on JSONata's evaluation depth (deep or endless recursion). */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 2000;
const MAX_SOURCE_IN_MESSAGE = 200;
const GUARD_BINDING = '__taskerGuard';
const ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry');

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Compiles every template in a JSON tree. Never throws: bad templates fail when evaluated and are listed by templateProblems. */
export function compileTemplates(value: JsonValue, basePointer = ''): CompiledValue {
  if (typeof value === 'string') return compileString(value, basePointer);
  if (value === null || typeof value !== 'object') return { kind: 'json', value };
  if (Array.isArray(value)) {
    return { kind: 'array', items: value.map((item, i) => compileTemplates(item, `${basePointer}/${i}`)) };
  }
  return {
    kind: 'object',
    entries: Object.entries(value).map(([key, item]) => [key, compileTemplates(item, `${basePointer}/${pointerSegment(key)}`)] as const),
  };
}

function compileString(text: string, pointer: string): CompiledValue {
  if (!hasTemplate(text)) return { kind: 'json', value: text };
  const split = splitTemplate(text);
  if (!split.ok) return { kind: 'invalid', pointer, text, message: split.message };
  const parts = split.parts.map((p) => (p.kind === 'text' ? p.text : compileExpression(p.source, pointer)));
  if (split.whole) {
    const expr = parts.find((p): p is CompiledExpression => typeof p !== 'string');
    if (expr) return { kind: 'expr', expr };
  }
  return { kind: 'text', pointer, parts };
}

/** Compiles one bare JSONata expression (no braces). */
export function compileExpression(source: string, pointer = ''): CompiledExpression {
  try {
    const program = jsonata(source);
    program.assign(ENTRY_HOOK as unknown as string, checkGuard);
    return { source, pointer, program };
  } catch (err) {
    const { message, position } = describeJsonataError(err);
    return { source, pointer, error: position === undefined ? { message } : { message, position } };
  }
}

/** Every template that does not parse, as problems at `basePointer` + the string's pointer. */
export function templateProblems(compiled: CompiledValue, basePointer = ''): Problem[] {
  const problems: Problem[] = [];
  visitCompiled(compiled, (node) => {
    if (node.kind === 'invalid') problems.push({ path: basePointer + node.pointer, message: node.message });
  }, (expr) => {
    if (expr.error) problems.push({ path: basePointer + expr.pointer, message: `${quote(expr.source)} does not parse: ${withPosition(expr.error)}` });
  });
  return problems;
}

/** Compiles and lists the problems of every template in `value`, with pointers under `basePointer`. */
export function checkTemplates(value: JsonValue, basePointer = ''): Problem[] {
  return templateProblems(compileTemplates(value, basePointer));
}

/** Each `steps.<id>` read by a template, with the pointer of the string that reads it. */
export function templateReferences(compiled: CompiledValue, basePointer = ''): { path: string; stepId: string }[] {
  const refs: { path: string; stepId: string }[] = [];
  visitCompiled(compiled, () => undefined, (expr) => {
    if (!expr.program) return;
    for (const stepId of stepReferences(expr.program.ast())) refs.push({ path: basePointer + expr.pointer, stepId });
  });
  return refs;
}

/** The distinct step ids the templates read. */
export function referencedSteps(compiled: CompiledValue): string[] {
  return [...new Set(templateReferences(compiled).map((r) => r.stepId))];
}

/** True when the tree holds at least one template (so evaluation can be skipped otherwise). */
export function hasTemplates(compiled: CompiledValue): boolean {
  let found = false;
  visitCompiled(compiled, (node) => { if (node.kind !== 'json' && node.kind !== 'array' && node.kind !== 'object') found = true; }, () => undefined);
  return found;
}

function visitCompiled(node: CompiledValue, onNode: (n: CompiledValue) => void, onExpr: (e: CompiledExpression) => void): void {
  onNode(node);
  if (node.kind === 'expr') onExpr(node.expr);
  else if (node.kind === 'text') for (const p of node.parts) { if (typeof p !== 'string') onExpr(p); }
  else if (node.kind === 'array') for (const item of node.items) visitCompiled(item, onNode, onExpr);
  else if (node.kind === 'object') for (const [, item] of node.entries) visitCompiled(item, onNode, onExpr);
}

/** The per-evaluation limits, reached by the entry hook through a binding. */
class Guard {
  readonly startedAt: number;
  constructor(readonly options: EvaluateOptions) {
    this.startedAt = options.now();
  }
}

/** Thrown by the hook to stop an evaluation; turned into a StepError. */
class GuardStop extends Error {}

function checkGuard(this: unknown, _expr: unknown, _input: unknown, env: { lookup(name: string): unknown; base?: { depth?: number } }): void {
  const guard = env.lookup(GUARD_BINDING);
  if (!(guard instanceof Guard)) return;
  const maxDepth = guard.options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const depth = env.base?.depth ?? 0;
  if (depth > maxDepth) {
    throw new GuardStop(`it nested deeper than ${maxDepth} levels (is a function calling itself without end?)`);
  }
  if (guard.options.now() - guard.startedAt > guard.options.timeoutMs) {
    throw new GuardStop(`it ran longer than ${guard.options.timeoutMs}ms (is there an endless loop?)`);
  }
}

/** `$now()` and `$millis()` read the clock passed in, fixed for the whole evaluation. */
function clockBindings(at: number): Record<string, unknown> {
  return {
    millis: { _jsonata_function: true, implementation: () => at },
    now: {
      _jsonata_function: true,
      implementation(this: { environment: { lookup(name: string): unknown } }, picture?: unknown, timezone?: unknown): unknown {
        const fromMillis = this.environment.lookup('fromMillis') as { implementation: (...args: unknown[]) => unknown };
        return fromMillis.implementation.call(this, at, picture, timezone);
      },
    },
  };
}

/**
 * Evaluates a compiled value against `context`. A whole-string template keeps
 * its result's JSON type (nothing found -> null); text interpolates (nothing
 * found -> ""). Throws StepError kind `expression` on any failure.
 */
export async function evaluate(compiled: CompiledValue, context: unknown, options: EvaluateOptions): Promise<JsonValue> {
  const guard = new Guard(options);
  const bindings = { ...clockBindings(guard.startedAt), ...limitedBuiltins, [GUARD_BINDING]: guard };
  const value = await evaluateNode(compiled, context, bindings);
  // The hook checks time between JSONata steps; one slow built-in (a regular
  // expression that backtracks badly) runs in one piece, so check again at the end.
  const took = options.now() - guard.startedAt;
  if (took > options.timeoutMs) {
    throw new StepError('expression', `the templates took ${took}ms to evaluate, over the ${options.timeoutMs}ms limit (a slow regular expression or a huge $pad/range?)`);
  }
  return value;
}

/** The widest `$pad` allowed: wider would build strings of hundreds of megabytes. */
export const MAX_PAD_WIDTH = 1_000_000;

/** Built-ins replaced by bounded versions of the same behaviour. */
const limitedBuiltins: Record<string, unknown> = {
  pad: {
    _jsonata_function: true,
    implementation(str: unknown, width: unknown, char?: unknown): unknown {
      if (str === undefined) return undefined;
      if (typeof str !== 'string' || typeof width !== 'number' || !Number.isFinite(width)) throw new Error('$pad: expected a string and a width');
      if (Math.abs(width) > MAX_PAD_WIDTH) throw new Error(`$pad: a width of ${width} is over the limit of ${MAX_PAD_WIDTH}`);
      const fill = char === undefined ? ' ' : String(char);
      const length = [...str].length;
      const missing = Math.abs(Math.trunc(width)) - length;
      if (missing <= 0 || fill.length === 0) return str;
      const padding = [...fill.repeat(Math.ceil(missing / [...fill].length))].slice(0, missing).join('');
      return width > 0 ? str + padding : padding + str;
    },
  },
};

async function evaluateNode(node: CompiledValue, context: unknown, bindings: Record<string, unknown>): Promise<JsonValue> {
  switch (node.kind) {
    case 'json':
      return node.value;
    case 'invalid':
      throw new StepError('expression', `${where(node.pointer)}${node.message}`, { data: { pointer: node.pointer, text: clip(node.text) } });
    case 'expr':
      return runExpression(node.expr, context, bindings);
    case 'text': {
      let out = '';
      for (const part of node.parts) out += typeof part === 'string' ? part : toTemplateText(await runExpression(part, context, bindings));
      return out;
    }
    case 'array': {
      const out: JsonValue[] = [];
      for (const item of node.items) out.push(await evaluateNode(item, context, bindings));
      return out;
    }
    case 'object': {
      const out: { [key: string]: JsonValue } = {};
      for (const [key, item] of node.entries) setOwn(out, key, await evaluateNode(item, context, bindings));
      return out;
    }
  }
}

async function runExpression(expr: CompiledExpression, context: unknown, bindings: Record<string, unknown>): Promise<JsonValue> {
  if (!expr.program) {
    const error = expr.error ?? { message: 'it does not parse' };
    throw expressionError(expr, `does not parse: ${withPosition(error)}`, error.position);
  }
  let result: unknown;
  try {
    result = await expr.program.evaluate(context, bindings);
  } catch (err) {
    if (err instanceof GuardStop) throw expressionError(expr, `was stopped: ${err.message}`, undefined, err);
    const { message, position, code } = describeJsonataError(err);
    // Integers beyond 2^53 are kept exact as BigInt: they pass through paths
    // whole, but JSONata's arithmetic and string functions cannot take them.
    const hint = /BigInt/.test(message) ? ' (an integer beyond 2^53 is kept exact: it can be passed on whole, e.g. "{{ input.id }}", but not computed with or joined into text)' : '';
    throw expressionError(expr, `failed: ${withPosition({ message, position })}${hint}`, position, err, code);
  }
  try {
    return toJsonValue(result);
  } catch (err) {
    if (err instanceof NotJsonError) throw expressionError(expr, `failed: ${err.message}`, undefined, err);
    throw err;
  }
}

function expressionError(expr: CompiledExpression, what: string, position?: number, cause?: unknown, code?: string): StepError {
  const data: { [key: string]: JsonValue } = { expression: clip(expr.source), pointer: expr.pointer };
  if (position !== undefined) data['position'] = position;
  if (code !== undefined) data['code'] = code;
  return new StepError('expression', `${where(expr.pointer)}expression ${quote(expr.source)} ${what}`, { data, cause });
}

/** JSONata throws plain objects `{ code, position, token, message }`, or Errors from inside functions. */
export function describeJsonataError(err: unknown): { message: string; position?: number; code?: string } {
  if (typeof err === 'object' && err !== null) {
    const e = err as { message?: unknown; position?: unknown; code?: unknown };
    const message = typeof e.message === 'string' && e.message !== '' ? e.message : 'unknown JSONata error';
    const out: { message: string; position?: number; code?: string } = { message };
    if (typeof e.position === 'number') out.position = e.position;
    if (typeof e.code === 'string') out.code = e.code;
    return out;
  }
  return { message: String(err) };
}

function withPosition(error: { message: string; position?: number }): string {
  return error.position === undefined ? error.message : `${error.message} (at position ${error.position})`;
}

function where(pointer: string): string {
  return pointer === '' ? '' : `${pointer}: `;
}

function clip(text: string): string {
  return text.length > MAX_SOURCE_IN_MESSAGE ? `${text.slice(0, MAX_SOURCE_IN_MESSAGE)}…` : text;
}

function quote(source: string): string {
  return `{{ ${clip(source)} }}`;
}
