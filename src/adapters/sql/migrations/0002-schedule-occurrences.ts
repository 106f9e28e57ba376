// The schedule ledger (docs/schedules.md, "Ledger and backfill"): one row per
// (schedule, fire instant), so a missed fire later backfilled is the same row
// with a new kind. Rows go with their schedule (ON DELETE CASCADE).
// Never edit a released migration: add the next number instead.
import type { Kysely, Migration } from 'kysely';
import { COLUMN_LIMITS as L } from '../database-schema.js';

const v = (n: number) => `varchar(${n})` as const;

export function scheduleOccurrencesMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('schedule_occurrences')
        .addColumn('schedule_id', v(L.id), (c) => c.notNull().references('schedules.id').onDelete('cascade'))
        .addColumn('instant', 'bigint', (c) => c.notNull())
        .addColumn('kind', v(L.status), (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('execution_id', v(L.id))
        .addColumn('recorded_at', 'bigint', (c) => c.notNull())
        // Also the index for listing a schedule's rows newest first (scanned backwards).
        .addPrimaryKeyConstraint('schedule_occurrences_pk', ['schedule_id', 'instant'])
        .execute();
      await db.schema.createIndex('schedule_occurrences_kind_idx').on('schedule_occurrences').columns(['schedule_id', 'kind', 'instant']).execute();
      await db.schema.createIndex('schedule_occurrences_recorded_idx').on('schedule_occurrences').column('recorded_at').execute();
    },
  };
}
