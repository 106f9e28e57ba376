// The SQL adapter's front door for the composition root: open the database
// named by a URL, bring its schema up to date, and build the four stores on
// one connection. It must not pick the URL (config does) or wire use cases.
import { sql } from 'kysely';
import type { ExecutionStore } from '../../ports/execution-store.js';
import type { KvStore } from '../../ports/kv-store.js';
import type { OccurrenceStore } from '../../ports/occurrence-store.js';
import type { ScheduleStore } from '../../ports/schedule-store.js';
import type { TaskStore } from '../../ports/task-store.js';
import { openDatabase, type OpenDatabaseOptions } from './database.js';
import { capabilitiesFor, type DialectName } from './dialect-capabilities.js';
import { migrateToLatest } from './migrations/migrate.js';
import { SqlExecutionStore } from './sql-execution-store.js';
import { SqlKvStore } from './sql-kv-store.js';
import { SqlOccurrenceStore } from './sql-occurrence-store.js';
import { SqlScheduleStore } from './sql-schedule-store.js';
import { SqlTaskStore } from './sql-task-store.js';

export interface SqlStores {
  dialect: DialectName;
  /** How many independent writes are worth issuing at once (see OpenedDatabase). */
  concurrentWrites: number;
  tasks: TaskStore;
  schedules: ScheduleStore;
  executions: ExecutionStore;
  kv: KvStore;
  /** The schedule ledger. */
  occurrences: OccurrenceStore;
  /** Migrations applied by this start (empty when the schema was current). */
  migrationsApplied: string[];
  /** True when the database answers a trivial query. Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export async function createSqlStores(url: string, options: OpenDatabaseOptions = {}): Promise<SqlStores> {
  const opened = await openDatabase(url, options);
  let migrationsApplied: string[];
  try {
    migrationsApplied = await migrateToLatest(opened.db, opened.dialect);
  } catch (err) {
    await opened.close();
    throw err;
  }
  const { db } = opened;
  const caps = capabilitiesFor(opened.dialect);
  return {
    dialect: opened.dialect,
    concurrentWrites: opened.concurrentWrites,
    tasks: new SqlTaskStore(db, caps),
    schedules: new SqlScheduleStore(db),
    executions: new SqlExecutionStore(db, caps),
    kv: new SqlKvStore(db, caps),
    occurrences: new SqlOccurrenceStore(db, caps),
    migrationsApplied,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => opened.close(),
  };
}

export { openDatabase, parseDatabaseUrl, type OpenDatabaseOptions, type OpenedDatabase } from './database.js';
export { migrateToLatest } from './migrations/migrate.js';
export { COLUMN_LIMITS, type DatabaseSchema } from './database-schema.js';
export { DIALECT_CAPABILITIES, capabilitiesFor, type DialectCapabilities, type DialectName } from './dialect-capabilities.js';
export { SqlExecutionStore, SqlKvStore, SqlScheduleStore, SqlTaskStore };
export { SqlOccurrenceStore };
