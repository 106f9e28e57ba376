// The documented limits and defaults of task definitions, in one place so
// validation, docs and tests agree. Values beyond a limit are rejected with
// the limit in the message, never silently clamped.
import { DEFAULT_RETRY_ON, type RetryPolicy } from './definition.js';

export const MAX_TASK_NAME_LENGTH = 100;
export const TASK_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const STEP_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_STEP_ID_LENGTH = 100;
/** Steps in the whole task, counting fallbacks and onFailure steps. */
export const MAX_STEPS = 500;
/** Fallback lists inside fallback lists. */
export const MAX_FALLBACK_NESTING = 5;

/** foreach: items per loop, and iterations running at once. */
export const MAX_ITERATIONS = 10_000;
export const MAX_CONCURRENCY = 100;
/** parallel: branches per step. */
export const MAX_BRANCHES = 50;
/** Control-flow steps (foreach, parallel, switch) inside each other. */
export const MAX_CONTROL_NESTING = 5;
/** Committed attempts per execution: a runaway loop ends with kind `limit`, never an out-of-memory. */
export const MAX_JOURNAL_ENTRIES = 100_000;
/** Sub-task chains: a task started by a task started by ... at most this deep. */
export const MAX_SUBTASK_DEPTH = 10;
/** A whole execution may be given at most this long (task-level timeout). */
export const MAX_EXECUTION_TIMEOUT_MS = 7 * 24 * 3_600_000;

/** A single attempt of a step may run at most this long. */
export const MAX_STEP_TIMEOUT_MS = 24 * 3_600_000;
export const MAX_RETRY_ATTEMPTS = 100;
/** Retry waits are durable (no worker is held), so a day is allowed. */
export const MAX_RETRY_DELAY_MS = 24 * 3_600_000;

/**
 * Defaults for fields a `retry` block leaves out. `maxAttempts` 1 means no
 * retry (DESIGN §4). Back-off defaults to exponential (doubling from `delay`),
 * as in Temporal and Step Functions; jitter is off unless asked for.
 */
export const RETRY_DEFAULTS: Omit<RetryPolicy, 'maxDelayMs'> = {
  maxAttempts: 1,
  backoff: 'exponential',
  delayMs: 1_000,
  jitter: false,
  on: [...DEFAULT_RETRY_ON],
};
