// Executions and their journal. The journal is the list of finished step
// attempts (plus "waiting" markers for delays); replaying it through the
// engine reproduces the execution exactly.
import type { JsonValue } from './json.js';
import type { StepErrorInfo } from './step-error.js';

export const EXECUTION_STATUSES = [
  'queued', 'running', 'waiting', 'succeeded', 'handled_failure', 'failed', 'canceled', 'timed_out',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const FINISHED_STATUSES: readonly ExecutionStatus[] = ['succeeded', 'handled_failure', 'failed', 'canceled', 'timed_out'];
export const isFinished = (s: ExecutionStatus): boolean => FINISHED_STATUSES.includes(s);

export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'canceled'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const TRIGGERS = ['manual', 'api', 'schedule', 'retry', 'subtask'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export interface ExecutionError {
  kind: string;
  message: string;
  stepId?: string;
}

/**
 * One committed attempt of one step. `path` addresses the step in the tree:
 * `fetch`, `fetch/fallback/alert`, `@onFailure/alert`; control-flow steps
 * add segments (`each/3/inner`, `par/0/call`, `sw/1/x`) in later versions.
 * A `waiting` entry records a durable wait (delay step) and its wake instant.
 */
export interface StepAttempt {
  path: string;
  stepId: string;
  attempt: number;
  status: 'succeeded' | 'failed' | 'skipped' | 'waiting';
  output: JsonValue;
  error: StepErrorInfo | null;
  startedAt: number;
  finishedAt: number;
  /** For `waiting` entries: when the wait ends (epoch ms). */
  wakeAt?: number;
}

export interface Execution {
  id: string;
  taskId: string;
  taskVersion: number;
  scheduleId: string | null;
  scheduledFor: number | null;
  trigger: Trigger;
  status: ExecutionStatus;
  input: JsonValue;
  output: JsonValue;
  error: ExecutionError | null;
  retryOf: string | null;
  idempotencyKey: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** When a waiting execution should be looked at again. */
  wakeAt: number | null;
}
