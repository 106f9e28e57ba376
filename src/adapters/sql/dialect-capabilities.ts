// Every difference between SQL backends lives in this one table of flags and
// small functions, so stores and migrations never write `if (dialect === …)`.
// Driver settings that make the backends look alike (BIGINT as numbers,
// "rows matched" counts) are applied where connections are made, in
// database.ts, and described by the `connection` notes here.
import { sql, type ColumnDataType, type ColumnDefinitionBuilder, type Expression } from 'kysely';

/** A column type: one Kysely knows by name, or raw SQL. */
export type DataTypeExpression = ColumnDataType | Expression<unknown>;

/**
 * The backends. `mysql` and `mariadb` share the Kysely MySQL dialect and the
 * mysql2 driver; they differ in their binary, no-pad collation's name. Which one
 * a `mysql://` or `mariadb://` URL reaches is read from the server's version().
 */
export type DialectName = 'sqlite' | 'mysql' | 'mariadb' | 'postgres';

export interface DialectCapabilities {
  readonly name: DialectName;
  /**
   * How "insert, or update the existing row" is spelled:
   * `on-conflict` (SQLite, PostgreSQL: INSERT … ON CONFLICT (cols) DO UPDATE / DO NOTHING)
   * or `on-duplicate-key` (MariaDB/MySQL: INSERT … ON DUPLICATE KEY UPDATE, and INSERT IGNORE).
   */
  readonly upsert: 'on-conflict' | 'on-duplicate-key';
  /** True when UPDATE … RETURNING works; otherwise stores read the row back with a SELECT. */
  readonly returning: boolean;
  /**
   * True when SELECT … FOR UPDATE locks the rows it reads (the servers). SQLite
   * has no row locks and no FOR UPDATE: there a writing statement takes the
   * database's write lock before it reads anything, so a single
   * INSERT … SELECT already reads and writes atomically.
   */
  readonly lockingReads: boolean;
  /** The auto-increment primary key column (step_attempts.id). */
  readonly autoIncrementKey: {
    type: DataTypeExpression;
    build: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  };
  /**
   * A short text column compared byte for byte (ids, names, keys, paths):
   * `Task` and `task`, `k` and `k ` are different values on every backend,
   * and ORDER BY sorts by code point.
   */
  keyText(length: number): DataTypeExpression;
  /** Unbounded text for JSON payloads (a MariaDB/MySQL TEXT holds only 64 KiB). */
  readonly largeText: DataTypeExpression;
  /** Booleans are 0/1 integers on every backend, so every driver binds them alike. */
  readonly booleanColumn: DataTypeExpression;
  /** Appended to every CREATE TABLE (MariaDB/MySQL: engine, charset, binary collation), or null. */
  readonly tableOptions: string | null;
  /** Statements run once on every new connection (SQLite's pragmas are set in database.ts). */
  readonly sessionStatements: readonly string[];
  /**
   * True when the driver error is a unique-key (or primary-key) violation.
   * SQLite: code SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY; PostgreSQL: SQLSTATE
   * 23505; MariaDB/MySQL: errno 1062 (ER_DUP_ENTRY).
   */
  isUniqueViolation(err: unknown): boolean;
}

function field(err: unknown, name: 'code' | 'errno'): unknown {
  return typeof err === 'object' && err !== null && name in err ? (err as Record<string, unknown>)[name] : undefined;
}

const sqlite: DialectCapabilities = {
  name: 'sqlite',
  upsert: 'on-conflict',
  returning: true,
  lockingReads: false,
  autoIncrementKey: { type: 'integer', build: (col) => col.primaryKey().autoIncrement() },
  // SQLite's default BINARY collation already compares bytes.
  keyText: (length) => sql.raw(`varchar(${length})`),
  largeText: 'text',
  booleanColumn: 'integer',
  tableOptions: null,
  sessionStatements: [],
  isUniqueViolation: (err) => {
    const code = field(err, 'code');
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
};

const postgres: DialectCapabilities = {
  name: 'postgres',
  upsert: 'on-conflict',
  returning: true,
  lockingReads: true,
  autoIncrementKey: { type: 'bigserial', build: (col) => col.primaryKey() },
  // "C": byte order, whatever the database's default locale.
  keyText: (length) => sql.raw(`varchar(${length}) collate "C"`),
  largeText: 'text',
  booleanColumn: 'integer',
  tableOptions: null,
  sessionStatements: [],
  isUniqueViolation: (err) => field(err, 'code') === '23505',
};

/**
 * MariaDB and MySQL. The table collation is binary and NO PAD: with the
 * PAD SPACE `utf8mb4_bin`, 'k' = 'k ' and a unique index would refuse the
 * second. Strict mode makes a too-long value an error instead of a silent
 * truncation (it is the default since MariaDB 10.2.4 and MySQL 5.7; a server
 * configured otherwise is corrected per session).
 */
function mysqlFamily(name: 'mysql' | 'mariadb', collation: string): DialectCapabilities {
  return {
    name,
    upsert: 'on-duplicate-key',
    returning: false,
    lockingReads: true,
    autoIncrementKey: { type: 'bigint', build: (col) => col.primaryKey().autoIncrement() },
    keyText: (length) => sql.raw(`varchar(${length})`),
    largeText: sql.raw('longtext'),
    booleanColumn: 'integer',
    tableOptions: `engine=InnoDB default charset=utf8mb4 collate=${collation}`,
    sessionStatements: [
      "set session sql_mode = trim(both ',' from concat(@@session.sql_mode, ',STRICT_TRANS_TABLES'))",
    ],
    isUniqueViolation: (err) => field(err, 'errno') === 1062 || field(err, 'code') === 'ER_DUP_ENTRY',
  };
}

export const DIALECT_CAPABILITIES: Readonly<Record<DialectName, DialectCapabilities>> = {
  sqlite,
  postgres,
  mariadb: mysqlFamily('mariadb', 'utf8mb4_nopad_bin'),
  mysql: mysqlFamily('mysql', 'utf8mb4_0900_bin'),
};

export function capabilitiesFor(name: DialectName): DialectCapabilities {
  return DIALECT_CAPABILITIES[name];
}
