// A fresh, empty database per test, on SQLite (a file in a temp dir) or on the
// real servers of this machine: MariaDB (CREATE DATABASE tasker_t_<random>)
// or PostgreSQL (CREATE SCHEMA tasker_t_<random> in the `postgres` database,
// reached through search_path: ten times faster than a database). Removed
// after. A server that does not answer fails the test with the fix in the
// message, never a silent skip.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';

export type TestDatabaseKind = 'sqlite' | 'mariadb' | 'postgres';
export type ServerKind = Exclude<TestDatabaseKind, 'sqlite'>;

export interface TestDatabase {
  /** The TASKER_DB_URL of the new, empty database. */
  url: string;
  /** Removes the database (close every connection to it first). Safe to call twice. */
  drop(): Promise<void>;
}

/** A connection to a server that creates and drops per-test databases (PostgreSQL: schemas). */
export interface DatabaseServer {
  kind: ServerKind;
  create(): Promise<TestDatabase>;
  close(): Promise<void>;
}

/** Admin URLs; override with TASKER_TEST_MARIADB_URL / TASKER_TEST_POSTGRES_URL. */
const ADMIN_URLS: Record<ServerKind, string> = {
  mariadb: process.env.TASKER_TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test',
  postgres: process.env.TASKER_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};

const LABELS: Record<ServerKind, string> = { mariadb: 'MariaDB', postgres: 'PostgreSQL' };

/** The database the API and engine suites run on: TASKER_TEST_DB=sqlite (default), mariadb or postgres. */
export function testDatabaseKind(): TestDatabaseKind {
  const value = (process.env.TASKER_TEST_DB ?? 'sqlite').toLowerCase();
  if (value === 'sqlite' || value === 'mariadb' || value === 'postgres') return value;
  throw new Error(`TASKER_TEST_DB: expected sqlite, mariadb or postgres, got '${value}'`);
}

function databaseName(): string {
  return `tasker_t_${randomBytes(6).toString('hex')}`;
}

/** The TASKER_DB_URL of a new database (MariaDB) or schema (PostgreSQL). */
function urlFor(kind: ServerKind, name: string): string {
  const url = new URL(ADMIN_URLS[kind]);
  if (kind === 'mariadb') url.pathname = `/${name}`;
  else url.searchParams.set('options', `-c search_path=${name}`);
  return url.href;
}

const STATEMENTS: Record<ServerKind, { create(name: string): string; drop(name: string): string }> = {
  mariadb: { create: (name) => `create database \`${name}\``, drop: (name) => `drop database if exists \`${name}\`` },
  postgres: { create: (name) => `create schema "${name}"`, drop: (name) => `drop schema if exists "${name}" cascade` },
};

function unreachable(kind: ServerKind, err: unknown): Error {
  const url = new URL(ADMIN_URLS[kind]);
  if (url.password !== '') url.password = '***';
  const reason = err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);
  return new Error(
    `${LABELS[kind]} is not reachable at ${url.href} (${reason}). These tests need the real server: `
    + `.ci/run starts it in CI; start it locally, or point TASKER_TEST_${kind.toUpperCase()}_URL at one.`,
    { cause: err },
  );
}

/** Connects to a server (one small pool, reused for every create and drop). Throws a clear error if it does not answer. */
export async function connectServer(kind: ServerKind): Promise<DatabaseServer> {
  let run: (statement: string) => Promise<void>;
  let end: () => Promise<void>;
  if (kind === 'mariadb') {
    const pool = mysql.createPool({ uri: ADMIN_URLS.mariadb, connectionLimit: 2, connectTimeout: 5000 });
    run = async (statement) => { await pool.query(statement); };
    end = () => pool.end();
  } else {
    const pool = new pg.Pool({ connectionString: ADMIN_URLS.postgres, max: 2, connectionTimeoutMillis: 5000 });
    pool.on('error', () => undefined);
    run = async (statement) => { await pool.query(statement); };
    end = () => pool.end();
  }
  try {
    await run('select 1');
  } catch (err) {
    await end().catch(() => undefined);
    throw unreachable(kind, err);
  }
  let closed: Promise<void> | undefined;
  return {
    kind,
    async create() {
      const name = databaseName();
      await run(STATEMENTS[kind].create(name));
      let dropped: Promise<void> | undefined;
      return { url: urlFor(kind, name), drop: () => (dropped ??= run(STATEMENTS[kind].drop(name))) };
    },
    close: () => (closed ??= end()),
  };
}

/**
 * One database of the given kind, with its own server connection (for
 * harnesses that create one database per test and have no file-level hooks).
 */
export async function createTestDatabase(kind: TestDatabaseKind = testDatabaseKind()): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'tasker-db-'));
    return { url: `sqlite:${join(dir, 'tasker.db')}`, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const server = await connectServer(kind);
  try {
    const db = await server.create();
    return {
      url: db.url,
      async drop() {
        try {
          await db.drop();
        } finally {
          await server.close();
        }
      },
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}

/**
 * A server connection made on first use and shared by every test of a file
 * (close it in afterAll). If the server does not answer, every test that asks
 * for a database fails with the same clear message.
 */
export function sharedServer(kind: ServerKind): DatabaseServer {
  let connecting: Promise<DatabaseServer> | undefined;
  return {
    kind,
    create: async () => (await (connecting ??= connectServer(kind))).create(),
    close: async () => {
      if (connecting === undefined) return;
      const server = await connecting.catch(() => undefined);
      await server?.close();
    },
  };
}
