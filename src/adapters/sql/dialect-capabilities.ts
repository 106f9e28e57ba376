// Every difference between SQL backends lives in this one table of flags and
// small functions, so stores and migrations never write `if (dialect === …)`.
// Only SQLite has an entry in this version; MariaDB and PostgreSQL add theirs
// here (see the notes on each field) without touching the stores.
import type { ColumnDefinitionBuilder, ColumnDataType } from 'kysely';

export type DialectName = 'sqlite';

export interface DialectCapabilities {
  readonly name: DialectName;
  /**
   * How "insert, or update the existing row" is spelled:
   * `on-conflict` (SQLite, PostgreSQL: INSERT … ON CONFLICT (cols) DO UPDATE)
   * or `on-duplicate-key` (MariaDB/MySQL: INSERT … ON DUPLICATE KEY UPDATE).
   */
  readonly upsert: 'on-conflict' | 'on-duplicate-key';
  /**
   * The auto-increment primary key column (step_attempts.id): SQLite
   * `integer primary key autoincrement`; PostgreSQL would use `bigserial`;
   * MariaDB `bigint auto_increment`.
   */
  readonly autoIncrementKey: {
    type: ColumnDataType;
    build: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  };
  /**
   * True when the driver error is a unique-key (or primary-key) violation.
   * SQLite: code SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY; PostgreSQL: SQLSTATE
   * 23505; MariaDB: errno 1062 (ER_DUP_ENTRY).
   */
  isUniqueViolation(err: unknown): boolean;
}

function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
}

const sqlite: DialectCapabilities = {
  name: 'sqlite',
  upsert: 'on-conflict',
  autoIncrementKey: { type: 'integer', build: (col) => col.primaryKey().autoIncrement() },
  isUniqueViolation: (err) => {
    const code = errorCode(err);
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
};

/*
 * Notes for the backends still to come (kept here so nothing is forgotten):
 * - MariaDB: an UPDATE's row count must mean "rows matched", not "rows
 *   changed" (mysql2 sets CLIENT_FOUND_ROWS by default); fenced writes rely on it.
 * - PostgreSQL: `pg` returns BIGINT as strings; row mappers already convert
 *   every instant with toNumber().
 */
export const DIALECT_CAPABILITIES: Readonly<Record<DialectName, DialectCapabilities>> = { sqlite };

export function capabilitiesFor(name: DialectName): DialectCapabilities {
  return DIALECT_CAPABILITIES[name];
}
