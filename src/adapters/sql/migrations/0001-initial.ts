// The first schema: every table of DESIGN §8 in one migration. Column types
// come from the dialect's capabilities (byte-compared varchar with a length
// for indexed text, large text for JSON, bigint for epoch-ms instants,
// integer for 0/1 flags). Foreign keys are table constraints: MySQL ignores
// one written inline on a column. Never edit a released migration: add 0004-… instead.
import type { Kysely, Migration } from 'kysely';
import { COLUMN_LIMITS as L } from '../database-schema.js';
import type { DialectCapabilities } from '../dialect-capabilities.js';
import { schemaHelpers } from './schema-helpers.js';

export function initialMigration(caps: DialectCapabilities): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const { createTable, v, json } = schemaHelpers(db, caps);
      await createTable('tasks')
        .addColumn('id', v(L.id), (c) => c.primaryKey())
        .addColumn('name', v(L.taskName), (c) => c.notNull().unique())
        .addColumn('current_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tasks_created_idx').on('tasks').columns(['created_at', 'id']).execute();

      await createTable('task_versions')
        .addColumn('task_id', v(L.id), (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('definition', json, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('task_versions_pk', ['task_id', 'version'])
        .addForeignKeyConstraint('task_versions_task_fk', ['task_id'], 'tasks', ['id'], (fk) => fk.onDelete('cascade'))
        .execute();

      await createTable('schedules')
        .addColumn('id', v(L.id), (c) => c.primaryKey())
        .addColumn('task_id', v(L.id), (c) => c.notNull())
        .addColumn('name', v(L.taskName), (c) => c.notNull())
        .addColumn('cron', 'text', (c) => c.notNull())
        .addColumn('timezone', v(64), (c) => c.notNull())
        .addColumn('enabled', caps.booleanColumn, (c) => c.notNull())
        .addColumn('input', json, (c) => c.notNull())
        .addColumn('overlap', v(L.status), (c) => c.notNull())
        .addColumn('catchup', v(L.status), (c) => c.notNull())
        .addColumn('catchup_window_ms', 'bigint', (c) => c.notNull())
        .addColumn('start_at', 'bigint')
        .addColumn('end_at', 'bigint')
        .addColumn('jitter_ms', 'bigint', (c) => c.notNull())
        .addColumn('next_fire_at', 'bigint')
        .addColumn('last_fire_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('schedules_due_idx').on('schedules').columns(['enabled', 'next_fire_at']).execute();
      await db.schema.createIndex('schedules_task_idx').on('schedules').column('task_id').execute();
      await db.schema.createIndex('schedules_created_idx').on('schedules').columns(['created_at', 'id']).execute();

      await createTable('executions')
        .addColumn('id', v(L.id), (c) => c.primaryKey())
        .addColumn('task_id', v(L.id), (c) => c.notNull())
        .addColumn('task_version', 'integer', (c) => c.notNull())
        .addColumn('schedule_id', v(L.id))
        .addColumn('scheduled_for', 'bigint')
        .addColumn('trigger', v(L.status), (c) => c.notNull())
        .addColumn('status', v(L.status), (c) => c.notNull())
        .addColumn('input', json, (c) => c.notNull())
        .addColumn('output', json)
        .addColumn('error', json)
        .addColumn('retry_of', v(L.id))
        .addColumn('idempotency_key', v(L.idempotencyKey))
        .addColumn('request_hash', v(128))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addColumn('wake_at', 'bigint')
        .addColumn('lease_owner', v(L.leaseOwner))
        .addColumn('lease_expires_at', 'bigint')
        .execute();
      // NULLs are distinct in unique indexes on all three dialects: executions
      // without a key (or without a schedule) never collide.
      await db.schema.createIndex('executions_idempotency_uq').on('executions').columns(['task_id', 'idempotency_key']).unique().execute();
      // Also serves lookups by schedule_id alone (its leading column).
      await db.schema.createIndex('executions_schedule_instant_uq').on('executions').columns(['schedule_id', 'scheduled_for']).unique().execute();
      await db.schema.createIndex('executions_status_idx').on('executions').column('status').execute();
      await db.schema.createIndex('executions_task_created_idx').on('executions').columns(['task_id', 'created_at']).execute();
      await db.schema.createIndex('executions_created_idx').on('executions').columns(['created_at', 'id']).execute();

      await createTable('step_attempts')
        .addColumn('id', caps.autoIncrementKey.type, caps.autoIncrementKey.build)
        .addColumn('execution_id', v(L.id), (c) => c.notNull())
        .addColumn('path', v(L.stepPath), (c) => c.notNull())
        .addColumn('step_id', v(L.stepId), (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status', v(L.status), (c) => c.notNull())
        .addColumn('output', json)
        .addColumn('error', json)
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint', (c) => c.notNull())
        .addColumn('wake_at', 'bigint')
        .addForeignKeyConstraint('step_attempts_execution_fk', ['execution_id'], 'executions', ['id'], (fk) => fk.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('step_attempts_uq').on('step_attempts').columns(['execution_id', 'path', 'attempt']).unique().execute();

      await createTable('kv')
        .addColumn('namespace', v(L.kvNamespace), (c) => c.notNull())
        .addColumn('key', v(L.kvKey), (c) => c.notNull())
        .addColumn('value', json, (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addPrimaryKeyConstraint('kv_pk', ['namespace', 'key'])
        .execute();

      await createTable('secrets')
        .addColumn('name', v(L.secretName), (c) => c.primaryKey())
        .addColumn('value', json, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
