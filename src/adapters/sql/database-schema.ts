// The Kysely view of the tables created by the migrations. Instants are epoch
// milliseconds in BIGINT columns; JSON is large text written by stringifyJson.
// Read types are deliberately loose (database.ts makes every driver return
// exact BIGINTs as numbers, but a value beyond 2^53 would come back as a
// string), so every value goes through the converters in row-values.ts.
import type { ColumnType, Generated } from 'kysely';

/** A BIGINT as drivers return it; written as a number. */
export type BigIntColumn = ColumnType<number | string | bigint, number, number>;
export type NullableBigIntColumn = ColumnType<number | string | bigint | null, number | null, number | null>;
/** A small INTEGER (versions, attempts, 0/1 flags). */
export type IntColumn = ColumnType<number | string | bigint, number, number>;

/**
 * Lengths of the indexed text columns (MariaDB needs a length to index a
 * column). Callers validating user input (task names, idempotency keys,
 * storage keys) should refuse longer values rather than let the database do it.
 */
export const COLUMN_LIMITS = {
  id: 64,
  taskName: 255,
  idempotencyKey: 255,
  leaseOwner: 128,
  stepPath: 512,
  stepId: 128,
  kvNamespace: 191,
  kvKey: 512,
  secretName: 255,
  status: 32,
} as const;

export interface TasksTable {
  id: string;
  name: string;
  current_version: IntColumn;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

export interface TaskVersionsTable {
  task_id: string;
  version: IntColumn;
  definition: string;
  created_at: BigIntColumn;
}

export interface SchedulesTable {
  id: string;
  task_id: string;
  name: string;
  cron: string;
  timezone: string;
  /** 0 or 1: booleans are integers so every dialect (and better-sqlite3) binds them. */
  enabled: IntColumn;
  input: string;
  overlap: string;
  catchup: string;
  catchup_window_ms: BigIntColumn;
  start_at: NullableBigIntColumn;
  end_at: NullableBigIntColumn;
  jitter_ms: BigIntColumn;
  next_fire_at: NullableBigIntColumn;
  last_fire_at: NullableBigIntColumn;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

export interface ExecutionsTable {
  id: string;
  task_id: string;
  task_version: IntColumn;
  schedule_id: string | null;
  scheduled_for: NullableBigIntColumn;
  trigger: string;
  status: string;
  input: string;
  output: string | null;
  error: string | null;
  retry_of: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: BigIntColumn;
  started_at: NullableBigIntColumn;
  finished_at: NullableBigIntColumn;
  wake_at: NullableBigIntColumn;
  lease_owner: string | null;
  lease_expires_at: NullableBigIntColumn;
}

export interface StepAttemptsTable {
  id: Generated<number>;
  execution_id: string;
  path: string;
  step_id: string;
  attempt: IntColumn;
  status: string;
  output: string | null;
  error: string | null;
  started_at: BigIntColumn;
  finished_at: BigIntColumn;
  wake_at: NullableBigIntColumn;
}

export interface KvTable {
  namespace: string;
  key: string;
  value: string;
  expires_at: NullableBigIntColumn;
}

export interface SecretsTable {
  name: string;
  value: string;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** The schedule ledger (migration 0002): one row per (schedule_id, instant). */
export interface ScheduleOccurrencesTable {
  schedule_id: string;
  instant: BigIntColumn;
  kind: string;
  reason: string;
  execution_id: string | null;
  recorded_at: BigIntColumn;
}

export interface DatabaseSchema {
  tasks: TasksTable;
  task_versions: TaskVersionsTable;
  schedules: SchedulesTable;
  executions: ExecutionsTable;
  step_attempts: StepAttemptsTable;
  kv: KvTable;
  secrets: SecretsTable;
  schedule_occurrences: ScheduleOccurrencesTable;
}
