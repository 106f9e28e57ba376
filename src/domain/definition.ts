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
}

export interface TaskDefinition {
  name: string;
  description?: string;
  /** Optional JSON Schema the input is checked against when a run starts. */
  input?: Record<string, JsonValue>;
  steps: StepDefinition[];
  onFailure?: StepDefinition[];
  /** Optional template for the execution output; default: the last step's output. */
  output?: JsonValue;
}

/** Step types whose work is done by the engine itself, not by a runner. */
export const ENGINE_STEP_TYPES = ['delay'] as const;

/** Seed aliases, mapped once at validation time. */
export const STEP_TYPE_ALIASES: Record<string, string> = {
  api_call: 'http',
  storage_read: 'storage.read',
  storage_write: 'storage.write',
  storage_delete: 'storage.delete',
};
