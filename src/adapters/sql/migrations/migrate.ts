// Runs the versioned migrations at start. The list is static (no directory
// scanning), so it works the same from sources, a build, or a bundle. It must
// not contain schema itself: each version is its own file.
import { MysqlAdapter, Migrator, PostgresAdapter, SqliteAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { capabilitiesFor, type DialectCapabilities, type DialectName } from '../dialect-capabilities.js';
import { initialMigration } from './0001-initial.js';
import { scheduleOccurrencesMigration } from './0002-schedule-occurrences.js';
import { executionIndexesMigration } from './0003-execution-indexes.js';

/** Every migration, by name; names sort in the order they apply. */
export function migrations(caps: DialectCapabilities): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(caps),
    '0002-schedule-occurrences': scheduleOccurrencesMigration(caps),
    '0003-execution-indexes': executionIndexesMigration(),
  };
}

/** The dialect of an open Kysely instance, from its adapter (and, for MySQL's, the server's version()). */
export async function detectDialect(db: Kysely<unknown>): Promise<DialectName> {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof MysqlAdapter) {
    const { rows } = await sql<{ v: string }>`select version() as v`.execute(db);
    return String(rows[0]?.v ?? '').includes('MariaDB') ? 'mariadb' : 'mysql';
  }
  throw new Error(`unsupported database adapter ${adapter.constructor.name}; Tasker supports SQLite, MariaDB/MySQL and PostgreSQL`);
}

/** Applies every pending migration; returns the names applied now. Throws when one fails. */
export async function migrateToLatest<DB>(db: Kysely<DB>, dialect?: DialectName): Promise<string[]> {
  const untyped = db as unknown as Kysely<unknown>;
  const caps = capabilitiesFor(dialect ?? (await detectDialect(untyped)));
  const provider: MigrationProvider = { getMigrations: async () => migrations(caps) };
  const { error, results } = await new Migrator({ db: untyped, provider }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
