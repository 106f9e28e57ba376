// Everything the use cases need from the world, passed in by the composition
// root (src/main.ts). Use cases take this object and nothing else.
import type { StepCatalog } from '../domain/step-catalog.js';
import type { Clock } from '../ports/clock.js';
import type { ExecutionStore } from '../ports/execution-store.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { KvStore } from '../ports/kv-store.js';
import type { Logger } from '../ports/logger.js';
import type { OccurrenceStore } from '../ports/occurrence-store.js';
import type { ScheduleStore } from '../ports/schedule-store.js';
import type { StepRunner } from '../ports/step-runner.js';
import type { TaskStore } from '../ports/task-store.js';
import type { TaskerEventBus } from './events.js';

export interface AppSettings {
  /** How long a worker's claim on an execution lasts without renewal. */
  leaseMs: number;
  workerConcurrency: number;
  /** Committed step outputs larger than this fail the step (never silently truncated). */
  maxOutputBytes: number;
  expressionTimeoutMs: number;
  /** TASKER_SECRET_<NAME> values; redacted from everything stored or logged. */
  secrets: Record<string, string>;
  /** A fire older than this when the scheduler sees it counts as missed (catch-up policy applies). */
  lateToleranceMs: number;
  /**
   * The longest the scheduler sleeps without looking at the database. Changes
   * made in this process wake it at once; this bounds how late it notices
   * schedules created or changed by other processes.
   */
  schedulerMaxSleepMs: number;
  /** Due schedules fired at the same time in a pass (what the database takes at once). */
  fireConcurrency: number;
  /** TASKER_RETENTION: finished executions older than this are pruned; null or absent keeps them forever. */
  retentionMs?: number | null;
}

export interface AppDeps {
  tasks: TaskStore;
  schedules: ScheduleStore;
  executions: ExecutionStore;
  /** The schedule ledger: what became of each fire instant. */
  occurrences: OccurrenceStore;
  kv: KvStore;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  events: TaskerEventBus;
  runners: ReadonlyMap<string, StepRunner>;
  catalog: StepCatalog;
  settings: AppSettings;
  newId(): string;
  /** Pings the database (readiness). */
  ping(): Promise<boolean>;
}
