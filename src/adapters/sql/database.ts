// Opens the database named by TASKER_DB_URL and applies the connection
// settings every store relies on (WAL, busy timeout, foreign keys). It knows
// URLs and drivers; it must not know tables (migrations) or rows (stores).
//
// Durability choice: `synchronous=NORMAL` by default. In WAL mode NORMAL never
// corrupts the database and a committed transaction survives a crash of the
// process; only a power loss or OS crash may lose the last few commits. Use
// `sqlite:./data/tasker.db?synchronous=full` (or the `synchronous` option)
// when every commit must survive power loss, at the cost of an fsync per commit.
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { DatabaseSchema } from './database-schema.js';
import type { DialectName } from './dialect-capabilities.js';

export type SqliteSynchronous = 'normal' | 'full';

export interface OpenDatabaseOptions {
  /** Overrides `?synchronous=` in the URL. Default `normal` (see the module comment). */
  synchronous?: SqliteSynchronous;
  /** Milliseconds a writer waits for another process's lock. Default 5000. */
  busyTimeoutMs?: number;
}

export interface OpenedDatabase {
  db: Kysely<DatabaseSchema>;
  dialect: DialectName;
  close(): Promise<void>;
}

export interface SqliteTarget {
  dialect: 'sqlite';
  /** An absolute path, or `:memory:`. */
  filename: string;
  synchronous?: SqliteSynchronous;
}

const SUPPORTED = 'sqlite:./relative/path.db, sqlite:/absolute/path.db or sqlite::memory:';
const LATER_SCHEMES = new Set(['mysql', 'mariadb', 'postgres', 'postgresql']);

/** Parses a database URL; throws an Error naming the supported forms. Never echoes credentials. */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): SqliteTarget {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url.trim());
  const scheme = match?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new Error(`TASKER_DB_URL: expected a URL like ${SUPPORTED}, got '${url}'`);
  }
  if (LATER_SCHEMES.has(scheme)) {
    throw new Error(`TASKER_DB_URL: ${scheme}:// databases are not supported yet in this version; use ${SUPPORTED}`);
  }
  if (scheme !== 'sqlite') {
    throw new Error(`TASKER_DB_URL: unsupported scheme '${scheme}:'; supported: ${SUPPORTED}`);
  }
  let rest = url.trim().slice('sqlite:'.length);
  let synchronous: SqliteSynchronous | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(rest.slice(q + 1));
    rest = rest.slice(0, q);
    for (const [name, value] of params) {
      if (name !== 'synchronous') {
        throw new Error(`TASKER_DB_URL: unknown option '${name}'; the only option is synchronous=normal|full`);
      }
      const v = value.toLowerCase();
      if (v !== 'normal' && v !== 'full') {
        throw new Error(`TASKER_DB_URL: synchronous must be normal or full, got '${value}'`);
      }
      synchronous = v;
    }
  }
  // `sqlite:///abs/path.db` and `sqlite://./x.db` are read as `sqlite:/abs/path.db` and `sqlite:./x.db`.
  if (rest.startsWith('//')) rest = rest.slice(2);
  if (rest === '') throw new Error(`TASKER_DB_URL: the sqlite URL has no file path; expected ${SUPPORTED}`);
  const filename = rest === ':memory:' ? rest : resolve(cwd, rest);
  return synchronous === undefined ? { dialect: 'sqlite', filename } : { dialect: 'sqlite', filename, synchronous };
}

/** Opens (creating the file and its directory if needed) and configures the database. */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const target = parseDatabaseUrl(url);
  if (target.filename !== ':memory:') await mkdir(dirname(target.filename), { recursive: true });
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const sqlite = new Database(target.filename, { timeout: busyTimeoutMs });
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${(options.synchronous ?? target.synchronous ?? 'normal').toUpperCase()}`);
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    sqlite.pragma('foreign_keys = ON');
  } catch (err) {
    sqlite.close();
    throw new Error(`cannot configure the SQLite database at ${target.filename}: ${(err as Error).message}`, { cause: err });
  }
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
  let closed = false;
  return {
    db,
    dialect: 'sqlite',
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      // Kysely only closes a database it has used; close it ourselves otherwise.
      if (sqlite.open) sqlite.close();
    },
  };
}
