// Opens the database named by TASKER_DB_URL and applies the connection
// settings every store relies on. It knows URLs and drivers; it must not know
// tables (migrations) or rows (stores), nor branch on the dialect elsewhere.
//
// SQLite durability: `synchronous=NORMAL` by default. In WAL mode NORMAL never
// corrupts the database and a committed transaction survives a crash of the
// process; only a power loss or OS crash may lose the last few commits. Use
// `sqlite:./data/tasker.db?synchronous=full` (or the `synchronous` option)
// when every commit must survive power loss, at the cost of an fsync per commit.
//
// Servers: BIGINT columns come back as JS numbers (epoch ms are far below
// 2^53): `pg` gets a type parser for int8, mysql2 `supportBigNumbers` (a value
// beyond 2^53 would come back as a string, never rounded). mysql2 reports
// "rows matched" for UPDATE (the FOUND_ROWS flag), which fenced writes need.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, MysqlDialect, PostgresDialect, type DatabaseConnection } from 'kysely';
import { createPool, type Pool as MysqlPool } from 'mysql2';
import pg from 'pg';
import type { DatabaseSchema } from './database-schema.js';
import { parseDatabaseUrl, type MysqlTarget, type PostgresTarget, type SqliteSynchronous, type SqliteTarget } from './database-url.js';
import { capabilitiesFor, type DialectCapabilities, type DialectName } from './dialect-capabilities.js';
import { cachingStatements } from './sqlite-statement-cache.js';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.js';

export { parseDatabaseUrl, type DatabaseTarget, type SqliteSynchronous } from './database-url.js';

export interface OpenDatabaseOptions {
  /** SQLite: overrides `?synchronous=` in the URL. Default `normal` (see the module comment). */
  synchronous?: SqliteSynchronous;
  /** SQLite: milliseconds a writer waits for another process's lock. Default 5000. */
  busyTimeoutMs?: number;
  /** Servers: milliseconds to wait for a connection before failing. Default 10000. */
  connectTimeoutMs?: number;
}

export interface OpenedDatabase {
  db: Kysely<DatabaseSchema>;
  dialect: DialectName;
  /**
   * How many independent writes are worth issuing at once: a server's pool
   * runs that many side by side; SQLite's one connection takes any number
   * and commits them together (group commit).
   */
  concurrentWrites: number;
  close(): Promise<void>;
}

/** Opens (creating a SQLite file and its directory if needed) and configures the database. */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const target = parseDatabaseUrl(url);
  switch (target.dialect) {
    case 'sqlite': return openSqlite(target, options);
    case 'mysql': return openMysql(target, options);
    case 'postgres': return openPostgres(target, options);
  }
}

/** SQLite has one connection, and group commit makes many writes at once cheaper, not slower. */
const SQLITE_CONCURRENT_WRITES = 100;

/** Half a server pool: the other half stays free for the API and the workers of the same process. */
function sharedPool(poolSize: number): number {
  return Math.max(1, Math.floor(poolSize / 2));
}

/** The pragmas every SQLite connection gets (exported so benchmarks measure the same settings). */
export function sqlitePragmas(synchronous: SqliteSynchronous, busyTimeoutMs: number): string[] {
  return ['journal_mode = WAL', `synchronous = ${synchronous.toUpperCase()}`, `busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`, 'foreign_keys = ON'];
}

async function openSqlite(target: SqliteTarget, options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  if (target.filename !== ':memory:') await mkdir(dirname(target.filename), { recursive: true });
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const sqlite = new Database(target.filename, { timeout: busyTimeoutMs });
  try {
    for (const pragma of sqlitePragmas(options.synchronous ?? target.synchronous ?? 'normal', busyTimeoutMs)) sqlite.pragma(pragma);
  } catch (err) {
    sqlite.close();
    throw new Error(`cannot configure the SQLite database at ${target.filename}: ${(err as Error).message}`, { cause: err });
  }
  const db = new Kysely<DatabaseSchema>({ dialect: new GroupCommitSqliteDialect(sqlite, cachingStatements(sqlite), busyTimeoutMs) });
  return {
    db,
    dialect: 'sqlite',
    concurrentWrites: SQLITE_CONCURRENT_WRITES,
    close: once(async () => {
      await db.destroy();
      // Kysely only closes a database it has used; close it ourselves otherwise.
      if (sqlite.open) sqlite.close();
    }),
  };
}

async function openMysql(target: MysqlTarget, options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const pool = createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionLimit: target.poolSize,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    supportBigNumbers: true,
    bigNumberStrings: false,
    // mysql2 sets it by default; named here because fenced writes depend on it.
    flags: ['FOUND_ROWS'],
    enableKeepAlive: true,
  });
  let caps: DialectCapabilities;
  try {
    caps = capabilitiesFor((await mysqlVersion(pool)).includes('MariaDB') ? 'mariadb' : 'mysql');
  } catch (err) {
    await new Promise<void>((done) => pool.end(() => done()));
    throw unreachable('MariaDB/MySQL', target.display, err);
  }
  const db = new Kysely<DatabaseSchema>({
    dialect: new MysqlDialect({ pool, onCreateConnection: (conn) => runSessionStatements(conn, caps) }),
  });
  return { db, dialect: caps.name, concurrentWrites: sharedPool(target.poolSize), close: once(() => db.destroy()) };
}

function mysqlVersion(pool: MysqlPool): Promise<string> {
  return new Promise((resolve, reject) => {
    pool.query('select version() as v', (err, rows) => {
      if (err) reject(err);
      else resolve(String((rows as Array<{ v: unknown }>)[0]?.v ?? ''));
    });
  });
}

/** int8 as a number when it is exact, else the digits (toNumber then refuses it). */
function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

async function openPostgres(target: PostgresTarget, options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, parseInt8);
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: target.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types,
  });
  // An idle client that loses its server (a restart) is dropped by the pool;
  // without a listener the 'error' event would crash the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end();
    throw unreachable('PostgreSQL', target.display, err);
  }
  const caps = capabilitiesFor('postgres');
  const db = new Kysely<DatabaseSchema>({
    dialect: new PostgresDialect({ pool, onCreateConnection: (conn) => runSessionStatements(conn, caps) }),
  });
  return { db, dialect: caps.name, concurrentWrites: sharedPool(target.poolSize), close: once(() => db.destroy()) };
}

async function runSessionStatements(conn: DatabaseConnection, caps: DialectCapabilities): Promise<void> {
  for (const statement of caps.sessionStatements) await conn.executeQuery(CompiledQuery.raw(statement));
}

function unreachable(server: string, display: string, err: unknown): Error {
  const reason = err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);
  return new Error(`cannot connect to the ${server} database at ${display}: ${reason}`, { cause: err });
}

function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}
