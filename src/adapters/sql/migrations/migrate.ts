// Runs the versioned migrations at start. The list is static (no directory
// scanning), so it works the same from sources, a build, or a bundle. It must
// not contain schema itself: each version is its own file.
import { Migrator, SqliteAdapter, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { capabilitiesFor, type DialectCapabilities, type DialectName } from '../dialect-capabilities.js';
import { initialMigration } from './0001-initial.js';
import { scheduleOccurrencesMigration } from './0002-schedule-occurrences.js';
import { executionIndexesMigration } from './0003-execution-indexes.js';

/** Every migration, by name; names sort in the order they apply. */
export function migrations(caps: DialectCapabilities): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(caps),
    '0002-schedule-occurrences': scheduleOccurrencesMigration(),
    '0003-execution-indexes': executionIndexesMigration(),
  };
}

/** The dialect of an open Kysely instance, from its adapter. */
export function detectDialect(db: Kysely<unknown>): DialectName {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  throw new Error(`unsupported database adapter ${adapter.constructor.name}; this version supports SQLite only`);
}

/** Applies every pending migration; returns the names applied now. Throws when one fails. */
export async function migrateToLatest<DB>(db: Kysely<DB>, dialect?: DialectName): Promise<string[]> {
  const untyped = db as unknown as Kysely<unknown>;
  const caps = capabilitiesFor(dialect ?? detectDialect(untyped));
  const provider: MigrationProvider = { getMigrations: async () => migrations(caps) };
  const { error, results } = await new Migrator({ db: untyped, provider }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
