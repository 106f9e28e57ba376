// Reads TASKER_DB_URL into a connection target: a SQLite file, a MariaDB/MySQL
// server or a PostgreSQL server. It must not connect, and no message it
// throws may echo a password.
import { resolve } from 'node:path';

export type SqliteSynchronous = 'normal' | 'full';

export interface SqliteTarget {
  dialect: 'sqlite';
  /** An absolute path, or `:memory:`. */
  filename: string;
  synchronous?: SqliteSynchronous;
}

/** A MariaDB or MySQL server (the server's version() tells which, once connected). */
export interface MysqlTarget {
  dialect: 'mysql';
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  poolSize: number;
  /** The URL without its password, for messages. */
  display: string;
}

export interface PostgresTarget {
  dialect: 'postgres';
  /** Passed to `pg` as is (it understands sslmode, application_name, …), without poolSize. */
  connectionString: string;
  poolSize: number;
  display: string;
}

export type DatabaseTarget = SqliteTarget | MysqlTarget | PostgresTarget;

const SUPPORTED = 'sqlite:./relative/path.db, sqlite:/absolute/path.db, sqlite::memory:, '
  + 'mysql://user:password@host:3306/database (also mariadb://) or postgres://user:password@host:5432/database';
const DEFAULT_POOL_SIZE = 10;

/** Parses a database URL; throws an Error naming the supported forms. Never echoes credentials. */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseTarget {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url.trim());
  const scheme = match?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new Error(`TASKER_DB_URL: expected a URL like ${SUPPORTED}, got '${url}'`);
  }
  if (scheme === 'sqlite') return parseSqlite(url.trim().slice('sqlite:'.length), cwd);
  if (scheme === 'mysql' || scheme === 'mariadb') return parseMysql(url.trim());
  if (scheme === 'postgres' || scheme === 'postgresql') return parsePostgres(url.trim());
  throw new Error(`TASKER_DB_URL: unsupported scheme '${scheme}:'; supported: ${SUPPORTED}`);
}

function parseSqlite(rest: string, cwd: string): SqliteTarget {
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

/** The URL with its password replaced, for messages and logs. */
function redact(parsed: URL): string {
  const copy = new URL(parsed.href);
  if (copy.password !== '') copy.password = '***';
  return copy.href;
}

function parseServerUrl(url: string, scheme: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new Error(`TASKER_DB_URL: not a valid ${scheme} URL; expected ${SUPPORTED}`);
  }
}

function poolSizeOf(value: string | null, display: string): number {
  if (value === null) return DEFAULT_POOL_SIZE;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new Error(`TASKER_DB_URL (${display}): poolSize must be a whole number from 1 to 1000, got '${value}'`);
  }
  return n;
}

function parseMysql(url: string): MysqlTarget {
  const parsed = parseServerUrl(url, 'MariaDB/MySQL');
  const display = redact(parsed);
  let poolSize = DEFAULT_POOL_SIZE;
  for (const [name, value] of parsed.searchParams) {
    if (name !== 'poolSize') throw new Error(`TASKER_DB_URL (${display}): unknown option '${name}'; the only option is poolSize=N`);
    poolSize = poolSizeOf(value, display);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw new Error(`TASKER_DB_URL (${display}): name the database in the path, like mysql://user@host:3306/tasker`);
  }
  if (parsed.hostname === '') throw new Error(`TASKER_DB_URL (${display}): the URL has no host`);
  return {
    dialect: 'mysql',
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 3306 : Number(parsed.port),
    user: decodeURIComponent(parsed.username) || 'root',
    password: decodeURIComponent(parsed.password),
    database,
    poolSize,
    display,
  };
}

function parsePostgres(url: string): PostgresTarget {
  const parsed = parseServerUrl(url, 'PostgreSQL');
  const display = redact(parsed);
  const poolSize = poolSizeOf(parsed.searchParams.get('poolSize'), display);
  parsed.searchParams.delete('poolSize');
  return { dialect: 'postgres', connectionString: parsed.href, poolSize, display };
}
