// Indexes for execution management: the list filter by trigger (newest
// first) and retention, which looks for finished executions by finishedAt.
// Indexes only, no data changes. Never edit a released migration: add a new one.
import type { Kysely, Migration } from 'kysely';

export function executionIndexesMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('executions_trigger_created_idx').on('executions').columns(['trigger', 'created_at']).execute();
      await db.schema.createIndex('executions_finished_idx').on('executions').column('finished_at').execute();
    },
  };
}
