// The shape of a task definition after validation and normalisation: what the
// engine runs. Raw user input (JSON/YAML, seed format) is turned into this by
// validate-definition.ts; nothing else constructs it from untrusted data.
import type { JsonValue } from './json.js';

export type ErrorKind =
  | 'timeout'
  | 'network'
  | 'http_5xx'
  | 'http_429'
  | 'http_4xx'
  | 'expression'
  | 'invalid_json'
  | 'response_too_large'
  | 'output_too_large'
  | 'limit'
  /** On a succeeded control step: steps inside it failed and were handled. */
  | 'handled'
  | 'subtask'
  | 'storage'
  | 'fail'
  | 'canceled'
  | 'internal';

/** Kinds a retry policy may name; `any` matches every kind. */
export const RETRYABLE_KIND_NAMES = ['timeout', 'network', 'http_5xx', 'http_429', 'http_4xx', 'expression', 'any'] as const;
export type RetryOnKind = (typeof RETRYABLE_KIND_NAMES)[number];
export const DEFAULT_RETRY_ON: readonly RetryOnKind[] = ['timeout', 'network', 'http_5xx', 'http_429'];

export interface RetryPolicy {
  maxAttempts: number;
  backoff: 'fixed' | 'exponential';
  delayMs: number;
  maxDelayMs?: number;
  jitter: boolean;
  on: RetryOnKind[];
}

export type OnError = 'fail' | 'continue' | StepDefinition[];

export interface SwitchCase {
  /** A template; the first case whose value is truthy is taken. */
  when: string;
  steps: StepDefinition[];
}

export interface StepDefinition {
  id: string;
  type: string;
  /** Params exactly as written: strings may hold {{ }} templates. */
  params: Record<string, JsonValue>;
  description?: string;
  if?: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
  onError: OnError;
  /** foreach: the list to iterate (a template or a literal list). */
  items?: JsonValue;
  /** foreach: iterations running at once (default 1). */
  concurrency?: number;
  /** foreach: the steps run for each item. */
  steps?: StepDefinition[];
  /** parallel: step lists run at the same time. */
  branches?: StepDefinition[][];
  /** switch: the cases, tried in order, and the list run when none matches. */
  cases?: SwitchCase[];
  default?: StepDefinition[];
}

export interface TaskDefinition {
  name: string;
  /** Execution-level deadline: past it the execution ends `timed_out`. */
  timeoutMs?: number;
  description?: string;
  /** Optional JSON Schema the input is checked against when a run starts. */
  input?: Record<string, JsonValue>;
  steps: StepDefinition[];
  onFailure?: StepDefinition[];
  /** Optional template for the execution output; default: the last step's output. */
  output?: JsonValue;
}

/** Step types whose work is done by the engine itself, not by a runner. */
export const ENGINE_STEP_TYPES = ['delay', 'foreach', 'parallel', 'switch', 'task'] as const;

/** Step types that hold other steps; the engine walks into them. */
export const CONTROL_STEP_TYPES = ['foreach', 'parallel', 'switch'] as const;
export const isControlStep = (type: string): boolean => (CONTROL_STEP_TYPES as readonly string[]).includes(type);

/** Seed aliases, mapped once at validation time. */
export const STEP_TYPE_ALIASES: Record<string, string> = {
  api_call: 'http',
  storage_read: 'storage.read',
  storage_write: 'storage.write',
  storage_delete: 'storage.delete',
};
