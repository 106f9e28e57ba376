// The surface the driving adapters (HTTP API, CLI, scheduler loop) call. Each
// member is implemented by one use case module in src/app/; main.ts wires them
// into one object. Adapters never touch stores directly.
import type { JsonValue } from '../domain/json.js';
import type { Problem } from '../domain/errors.js';
import type { Execution, ExecutionStatus, StepStatus, Trigger } from '../domain/execution.js';
import type { StepErrorInfo } from '../domain/step-error.js';
import type { Page, TaskRecord, TaskVersionRecord } from '../ports/task-store.js';
import type { Schedule } from '../ports/schedule-store.js';
import type { KvEntry } from '../ports/kv-store.js';
import type { RetryOptions, RetryPreview } from './retry-execution.js';
import type { Occurrence } from '../ports/occurrence-store.js';
import type { BackfillRequest, BackfillResult } from './backfill-schedule.js';
import type { OccurrenceListOptions } from './query-occurrences.js';
import type { ExecutionEvent } from './watch-execution.js';

/** One step's row in an execution view: the latest attempt at that path. */
export interface StepView {
  stepId: string;
  path: string;
  status: StepStatus;
  attempts: number;
  startedAt: number | null;
  finishedAt: number | null;
  output: JsonValue;
  error: StepErrorInfo | null;
}

export interface ExecutionView extends Execution {
  steps: StepView[];
}

export interface StartExecutionRequest {
  task: string;
  input?: JsonValue;
  idempotencyKey?: string | null;
  trigger?: Trigger;
  /** The schedule this run belongs to (the seed's execute route). */
  scheduleId?: string | null;
}

export interface ExecutionListFilter {
  task?: string;
  status?: ExecutionStatus;
  schedule?: string;
  trigger?: Trigger;
  /** Created at or after this instant (epoch ms). */
  from?: number;
  /** Created before this instant (epoch ms). */
  to?: number;
  limit?: number;
  cursor?: string;
}

/** Schedule fields as a user sends them (raw, validated by the use case). */
export type ScheduleInput = Record<string, unknown>;

export interface Tasker {
  // Tasks. Raw definitions may be objects (parsed JSON/YAML) in the modern or seed format.
  validateDefinition(raw: unknown): { valid: boolean; problems: Problem[] };
  createTask(raw: unknown): Promise<TaskRecord>;
  updateTask(idOrName: string, raw: unknown): Promise<TaskRecord>;
  /** Creates the task, or adds a version when the definition under that name changed (no-op when equal). */
  applyTask(raw: unknown): Promise<TaskRecord>;
  getTask(idOrName: string): Promise<TaskRecord>;
  listTasks(options: { limit?: number; cursor?: string }): Promise<Page<TaskRecord>>;
  listTaskVersions(idOrName: string): Promise<TaskVersionRecord[]>;
  deleteTask(idOrName: string): Promise<void>;

  // Executions.
  /** Returns the new execution, or the existing one for a repeated idempotency key. */
  startExecution(request: StartExecutionRequest): Promise<{ execution: Execution; created: boolean }>;
  getExecution(id: string): Promise<ExecutionView>;
  /** Resolves when the execution finishes or `timeoutMs` passes, with its latest view. */
  waitForExecution(id: string, timeoutMs: number): Promise<ExecutionView>;
  listExecutions(filter: ExecutionListFilter): Promise<Page<Execution>>;
  cancelExecution(id: string): Promise<ExecutionView>;
  /** What a retry would do: steps reused, run again, run again with side effects. */
  planRetry(id: string, options: RetryOptions): Promise<RetryPreview>;
  /** A new execution (trigger `retry`) reusing the outputs of the steps that succeeded. */
  retryExecution(id: string, options: RetryOptions): Promise<Execution>;
  /**
   * A snapshot of the execution, then its step and finish events as they
   * happen; ends after `execution.finished` or when `signal` aborts. Throws
   * EXECUTION_NOT_FOUND from the first next().
   */
  watchExecution(id: string, signal: AbortSignal): AsyncIterable<ExecutionEvent>;
  /** Retention: deletes finished executions older than TASKER_RETENTION now; 0 when retention is off. */
  pruneExecutions(): Promise<number>;

  // Schedules.
  createSchedule(input: ScheduleInput): Promise<Schedule>;
  getSchedule(id: string): Promise<Schedule>;
  listSchedules(options: { limit?: number; cursor?: string; task?: string }): Promise<Page<Schedule>>;
  updateSchedule(id: string, patch: ScheduleInput): Promise<Schedule>;
  deleteSchedule(id: string): Promise<void>;
  setScheduleEnabled(id: string, enabled: boolean): Promise<Schedule>;
  /** Starts one execution of the schedule's task now (trigger `manual`). */
  triggerSchedule(id: string): Promise<Execution>;
  nextScheduleFires(id: string, count: number): Promise<number[]>;
  /** The schedule ledger: what became of each fire instant, newest first. */
  listScheduleOccurrences(id: string, options: OccurrenceListOptions): Promise<Page<Occurrence>>;
  /** Starts one execution per occurrence in [from, to] that has not run (see BackfillRequest). */
  backfillSchedule(id: string, request: BackfillRequest): Promise<BackfillResult>;
  /** Fires every due schedule now (the seed's /jobs/execute-scheduled-tasks). */
  fireDueSchedules(): Promise<{ fired: number; executionIds: string[]; errors: number }>;

  // Cron preview for any expression.
  previewCron(expr: string, timezone: string, from: number, count: number): number[];

  // Storage.
  getStorage(namespace: string, key: string): Promise<KvEntry>;
  putStorage(namespace: string, key: string, value: JsonValue, ttlMs?: number): Promise<KvEntry>;
  deleteStorage(namespace: string, key: string): Promise<void>;

  /** True when the database answers. */
  ready(): Promise<boolean>;
}
