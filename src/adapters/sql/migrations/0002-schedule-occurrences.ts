// The schedule ledger (docs/schedules.md, "Ledger and backfill"): one row per
// (schedule, fire instant), so a missed fire later backfilled is the same row
// with a new kind. Rows go with their schedule (ON DELETE CASCADE, a table
// constraint: MySQL ignores one written inline on a column).
// Never edit a released migration: add the next number instead.
import type { Kysely, Migration } from 'kysely';
import { COLUMN_LIMITS as L } from '../database-schema.js';
import type { DialectCapabilities } from '../dialect-capabilities.js';
import { schemaHelpers } from './schema-helpers.js';

export function scheduleOccurrencesMigration(caps: DialectCapabilities): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const { createTable, v } = schemaHelpers(db, caps);
      await createTable('schedule_occurrences')
        .addColumn('schedule_id', v(L.id), (c) => c.notNull())
        .addColumn('instant', 'bigint', (c) => c.notNull())
        .addColumn('kind', v(L.status), (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('execution_id', v(L.id))
        .addColumn('recorded_at', 'bigint', (c) => c.notNull())
        // Also the index for listing a schedule's rows newest first (scanned backwards).
        .addPrimaryKeyConstraint('schedule_occurrences_pk', ['schedule_id', 'instant'])
        .addForeignKeyConstraint('schedule_occurrences_schedule_fk', ['schedule_id'], 'schedules', ['id'], (fk) => fk.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('schedule_occurrences_kind_idx').on('schedule_occurrences').columns(['schedule_id', 'kind', 'instant']).execute();
      await db.schema.createIndex('schedule_occurrences_recorded_idx').on('schedule_occurrences').column('recorded_at').execute();
    },
  };
}
