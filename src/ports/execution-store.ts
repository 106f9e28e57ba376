// Executions and the journal of their step attempts. The store enforces the
// two uniqueness rules (task + idempotency key; schedule + fire instant) and
// the lease that lets exactly one worker drive an execution at a time.
import type { Execution, ExecutionStatus, StepAttempt, Trigger } from '../domain/execution.js';
import type { JsonValue } from '../domain/json.js';
import type { Page } from './task-store.js';

export interface NewExecution {
  id: string;
  taskId: string;
  taskVersion: number;
  scheduleId: string | null;
  scheduledFor: number | null;
  trigger: Trigger;
  input: JsonValue;
  idempotencyKey: string | null;
  /** Hash of the request payload, to refuse a reused key with other input. */
  requestHash: string | null;
  retryOf: string | null;
  now: number;
  status?: ExecutionStatus;
}

export type CreateExecutionResult =
  | { created: true; execution: Execution }
  /** A row with the same (task, key) or (schedule, instant) already exists. */
  | { created: false; execution: Execution; requestHash: string | null };

export interface ExecutionFilter {
  taskId?: string;
  status?: ExecutionStatus;
  scheduleId?: string;
  trigger?: Trigger;
  /** Created at or after this instant (epoch ms, inclusive). */
  createdFrom?: number;
  /** Created before this instant (epoch ms, exclusive). */
  createdBefore?: number;
  limit: number;
  cursor?: string;
}

export interface ExecutionStore {
  create(execution: NewExecution): Promise<CreateExecutionResult>;
  get(id: string): Promise<Execution | null>;
  list(filter: ExecutionFilter): Promise<Page<Execution>>;
  attempts(executionId: string): Promise<StepAttempt[]>;

  /**
   * Takes the lease if the execution is unfinished and the lease is free or
   * expired (expires_at <= now), or already held by this owner (which extends
   * it). Returns the execution when this owner holds it. It changes only the
   * lease, never the status: the worker sets `running` with transition().
   */
  claim(id: string, owner: string, now: number, leaseMs: number): Promise<Execution | null>;
  /**
   * claim() and the first transition to `running` in one write, for the
   * common case: an execution still `queued`, never started, whose trigger
   * no start-time policy holds back (not `schedule`: overlap `queue`; not
   * `subtask`: its parent may have ended). Returns the started execution, or
   * null with nothing changed (then claim() as usual).
   */
  claimToStart(id: string, owner: string, now: number, leaseMs: number): Promise<Execution | null>;
  renewLease(id: string, owner: string, now: number, leaseMs: number): Promise<boolean>;
  /**
   * Commits one attempt; refused (false) when `owner` no longer holds the lease.
   * Throws when the same (path, attempt) is already in the journal.
   * Fenced writes check the owner only: a lease past its expiry that no one
   * else has claimed is still honoured.
   */
  appendAttempt(id: string, owner: string, attempt: StepAttempt): Promise<boolean>;
  /** Updates status fields under the lease; refused (false) when the lease is lost. */
  transition(id: string, owner: string, patch: ExecutionPatch): Promise<boolean>;
  /** Sets a final or waiting state and releases the lease. */
  release(id: string, owner: string, patch: ExecutionPatch): Promise<boolean>;
  /**
   * Marks an unfinished execution canceled regardless of lease, and clears the
   * lease so the holder's next fenced write is refused; false if already finished.
   */
  cancel(id: string, now: number, message: string): Promise<boolean>;

  /** Unfinished executions whose lease is free or expired (for start-up recovery). */
  listResumable(now: number, limit: number): Promise<Execution[]>;
  /** The owners holding an unexpired lease on an unfinished execution (to spot owners that died). */
  listLeaseOwners(now: number): Promise<string[]>;
  /**
   * Frees every unexpired lease `owner` holds on unfinished executions, for an
   * owner known to be dead; its fenced writes are refused after. Returns how many.
   */
  freeLeasesOf(owner: string, now: number): Promise<number>;
  /**
   * Unfinished sub-task executions a parent started (trigger `subtask`, key
   * `subtask:<parentId>:<path>`), so they can be canceled when it ends.
   */
  listActiveChildren(parentId: string): Promise<Execution[]>;
  /** Unfinished executions started by a schedule. */
  listActiveForSchedule(scheduleId: string): Promise<Execution[]>;
  /** The same for several schedules in one read (a scheduler pass), oldest first. */
  listActiveForSchedules(scheduleIds: readonly string[]): Promise<Execution[]>;

  /**
   * Retention: deletes up to `limit` finished executions whose finishedAt is
   * before `finishedBefore`, with their journals; returns how many it deleted.
   * Never touches an unfinished execution, whatever its age.
   */
  pruneFinished(finishedBefore: number, limit: number): Promise<number>;
}

export interface ExecutionPatch {
  status?: ExecutionStatus;
  output?: JsonValue;
  error?: Execution['error'];
  startedAt?: number | null;
  finishedAt?: number | null;
  wakeAt?: number | null;
}
