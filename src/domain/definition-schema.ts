// The shapes of one task node and one step node, as zod schemas, and the
// translation of zod issues into plain-English problems with JSON pointers.
// Each schema checks one node only (nested step lists are `unknown` here):
// validate-definition.ts walks the tree so it can report every problem.
import { z } from 'zod';
import { RETRYABLE_KIND_NAMES, type RetryOnKind, type RetryPolicy } from './definition.js';
import {
  MAX_CONCURRENCY,
  MAX_EXECUTION_TIMEOUT_MS,
  MAX_RETRY_ATTEMPTS,
  MAX_RETRY_DELAY_MS,
  MAX_STEP_ID_LENGTH,
  MAX_STEP_TIMEOUT_MS,
  MAX_TASK_NAME_LENGTH,
  RETRY_DEFAULTS,
  STEP_ID_PATTERN,
  TASK_NAME_PATTERN,
} from './definition-limits.js';
import { formatDuration, parseDuration } from './duration.js';
import type { Problem } from './errors.js';
import { pointerSegment } from './expressions.js';

const MAX_SHOWN = 60;

/** How a value reads in a message: `"soon"`, `1000`, `a list`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
    return value === '' ? 'an empty string' : shown;
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'an object';
}

function durationField(max: number, allowZero: boolean) {
  return z.unknown().transform((value, ctx) => {
    const r = parseDuration(value);
    const fail = (message: string): never => {
      ctx.issues.push({ code: 'custom', message, input: value });
      return z.NEVER;
    };
    if (!r.ok) return fail(r.message);
    if (!allowZero && r.ms === 0) return fail(`must be longer than 0ms, got ${describeValue(value)}`);
    if (r.ms > max) return fail(`must be at most ${formatDuration(max)}, got ${describeValue(value)}`);
    return r.ms;
  });
}

const kindSet = new Set<string>(RETRYABLE_KIND_NAMES);
const kindList = RETRYABLE_KIND_NAMES.map((k) => JSON.stringify(k)).join(', ');

/** `on`: one error kind or a non-empty list of them. */
const retryOnField = z.unknown().transform((value, ctx): RetryOnKind[] => {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    ctx.issues.push({ code: 'custom', message: `expected a list of error kinds (${kindList}), got ${describeValue(value)}`, input: value });
    return z.NEVER;
  }
  list.forEach((kind: unknown, i) => {
    if (typeof kind !== 'string' || !kindSet.has(kind)) {
      const path = Array.isArray(value) ? [i] : [];
      ctx.issues.push({ code: 'custom', message: `expected one of ${kindList}, got ${describeValue(kind)}`, input: kind, path });
    }
  });
  return [...new Set(list as RetryOnKind[])];
});

export const retrySchema = z
  .strictObject({
    maxAttempts: z.int({ error: (iss) => `expected a whole number from 1 to ${MAX_RETRY_ATTEMPTS}, got ${describeValue(iss.input)}` })
      .min(1, { error: (iss) => `must be at least 1, got ${describeValue(iss.input)}` })
      .max(MAX_RETRY_ATTEMPTS, { error: (iss) => `must be at most ${MAX_RETRY_ATTEMPTS}, got ${describeValue(iss.input)}` })
      .optional(),
    backoff: z.enum(['fixed', 'exponential']).optional(),
    delay: durationField(MAX_RETRY_DELAY_MS, true).optional(),
    maxDelay: durationField(MAX_RETRY_DELAY_MS, true).optional(),
    // The normalised names, so a stored definition validates again as is.
    delayMs: durationField(MAX_RETRY_DELAY_MS, true).optional(),
    maxDelayMs: durationField(MAX_RETRY_DELAY_MS, true).optional(),
    jitter: z.boolean().optional(),
    on: retryOnField.optional(),
  })
  .transform((r, ctx): RetryPolicy => {
    const either = (a: number | undefined, b: number | undefined, names: [string, string]): number | undefined => {
      if (a !== undefined && b !== undefined) {
        ctx.issues.push({ code: 'custom', path: [names[1]], input: b, message: `give either ${names[0]} or ${names[1]}, not both` });
      }
      return a ?? b;
    };
    const delay = either(r.delay, r.delayMs, ['delay', 'delayMs']);
    const maxDelay = either(r.maxDelay, r.maxDelayMs, ['maxDelay', 'maxDelayMs']);
    const policy: RetryPolicy = {
      maxAttempts: r.maxAttempts ?? RETRY_DEFAULTS.maxAttempts,
      backoff: r.backoff ?? RETRY_DEFAULTS.backoff,
      delayMs: delay ?? RETRY_DEFAULTS.delayMs,
      jitter: r.jitter ?? RETRY_DEFAULTS.jitter,
      on: r.on ?? [...RETRY_DEFAULTS.on],
    };
    if (maxDelay !== undefined) {
      if (maxDelay < policy.delayMs) {
        ctx.issues.push({
          code: 'custom',
          path: [r.maxDelay !== undefined ? 'maxDelay' : 'maxDelayMs'],
          input: maxDelay,
          message: `must not be shorter than delay (${formatDuration(policy.delayMs)}), got ${formatDuration(maxDelay)}`,
        });
      }
      policy.maxDelayMs = maxDelay;
    }
    return policy;
  });

export const taskSchema = z.strictObject({
  name: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(MAX_TASK_NAME_LENGTH, { error: `must be at most ${MAX_TASK_NAME_LENGTH} characters long` })
    .regex(TASK_NAME_PATTERN, { error: (iss) => `expected letters, digits, "-", "_" or "." only, got ${describeValue(iss.input)}` }),
  description: z.string().optional(),
  input: z.record(z.string(), z.unknown(), { error: (iss) => `expected a JSON Schema object, got ${describeValue(iss.input)}` }).optional(),
  steps: z.array(z.unknown()).min(1, { error: 'a task needs at least one step' }),
  onFailure: z.array(z.unknown()).optional(),
  output: z.unknown().optional(),
  timeout: durationField(MAX_EXECUTION_TIMEOUT_MS, false).optional(),
  timeoutMs: durationField(MAX_EXECUTION_TIMEOUT_MS, false).optional(),
});

export const stepSchema = z.strictObject({
  id: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(MAX_STEP_ID_LENGTH, { error: `must be at most ${MAX_STEP_ID_LENGTH} characters long` })
    .regex(STEP_ID_PATTERN, {
      error: (iss) => `expected a letter or "_" followed by letters, digits or "_", got ${describeValue(iss.input)}`,
    }),
  type: z.string().min(1, { error: 'must not be empty' }),
  params: z.record(z.string(), z.unknown(), { error: (iss) => `expected an object of params, got ${describeValue(iss.input)}` }).optional(),
  description: z.string().optional(),
  if: z.union([z.string(), z.boolean()], { error: (iss) => `expected an expression (a string) or true/false, got ${describeValue(iss.input)}` }).optional(),
  timeout: durationField(MAX_STEP_TIMEOUT_MS, false).optional(),
  /** The normalised name, so a stored definition validates again as is. */
  timeoutMs: durationField(MAX_STEP_TIMEOUT_MS, false).optional(),
  retry: retrySchema.optional(),
  onError: z.unknown().optional(),
  // Control flow (foreach, parallel, switch); validate-definition.ts walks the nested lists.
  items: z.unknown().optional(),
  concurrency: z
    .int({ error: (iss) => `expected a whole number from 1 to ${MAX_CONCURRENCY}, got ${describeValue(iss.input)}` })
    .min(1, { error: (iss) => `must be at least 1, got ${describeValue(iss.input)}` })
    .max(MAX_CONCURRENCY, { error: (iss) => `must be at most ${MAX_CONCURRENCY}, got ${describeValue(iss.input)}` })
    .optional(),
  steps: z.unknown().optional(),
  branches: z.unknown().optional(),
  cases: z.unknown().optional(),
  default: z.unknown().optional(),
});

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list',
};

/** The fallback wording for issues whose schema gave no message of its own. */
export const issueMessage = (iss: z.core.$ZodRawIssue): string => {
  switch (iss.code) {
    case 'invalid_type': {
      const expected = TYPE_NAMES[String(iss.expected)] ?? String(iss.expected);
      return iss.input === undefined ? `is required (expected ${expected})` : `expected ${expected}, got ${describeValue(iss.input)}`;
    }
    case 'invalid_value':
      return `expected one of ${iss.values.map((v) => JSON.stringify(String(v))).join(', ')}, got ${describeValue(iss.input)}`;
    case 'too_small':
      return `must be at least ${String(iss.minimum)}, got ${describeValue(iss.input)}`;
    case 'too_big':
      return `must be at most ${String(iss.maximum)}, got ${describeValue(iss.input)}`;
    default:
      return iss.message ?? 'is invalid';
  }
};

/** Turns zod issues into problems under `base`; unknown keys become one problem each. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], base: string, knownKeys: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const at = base + issue.path.map((p) => `/${pointerSegment(typeof p === 'symbol' ? String(p) : p)}`).join('');
    if (issue.code === 'unrecognized_keys') {
      const known = issue.path[issue.path.length - 1] === 'retry' ? RETRY_KEYS : knownKeys;
      for (const key of issue.keys) problems.push({ path: `${at}/${pointerSegment(key)}`, message: unknownKeyMessage(key, known) });
    } else {
      problems.push({ path: at, message: issue.message });
    }
  }
  return problems;
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const near = known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? known.find((k) => editDistance(k, key) <= 2);
  const hint = near !== undefined ? `did you mean "${near}"?` : `expected one of ${known.map((k) => `"${k}"`).join(', ')}`;
  return `unknown field "${key}": ${hint}`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = row;
  }
  return prev[b.length] as number;
}

export const TASK_KEYS = Object.keys(taskSchema.shape);
export const STEP_KEYS = Object.keys(stepSchema.shape);
export const RETRY_KEYS = ['maxAttempts', 'backoff', 'delay', 'maxDelay', 'jitter', 'on', 'delayMs', 'maxDelayMs'];
