// A fresh, empty database on a real server for one benchmark, removed after:
// MariaDB/MySQL gets `CREATE DATABASE tasker_bench_<random>`, PostgreSQL a
// schema of that name reached through search_path (as test/support does).
// Also a fresh Redis key prefix whose keys are deleted after. drop() and
// clean() are safe to call twice and never touch anything else.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { Redis } from 'ioredis';

export type ServerDialect = 'mariadb' | 'postgres';

export interface FreshDatabase {
  dialect: ServerDialect;
  /** TASKER_DB_URL of the new database. */
  url: string;
  /** Its name (MariaDB database / PostgreSQL schema). */
  name: string;
  drop(): Promise<void>;
}

function freshName(): string {
  return `tasker_bench_${randomBytes(5).toString('hex')}`;
}

/** Runs one admin statement on its own short-lived connection. */
async function adminStatement(dialect: ServerDialect, adminUrl: string, statement: string): Promise<void> {
  if (dialect === 'mariadb') {
    const conn = await mysql.createConnection({ uri: adminUrl, connectTimeout: 5_000 });
    try {
      await conn.query(statement);
    } finally {
      await conn.end().catch(() => undefined);
    }
    return;
  }
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createFreshDatabase(dialect: ServerDialect, adminUrl: string): Promise<FreshDatabase> {
  const name = freshName();
  const create = dialect === 'mariadb' ? `create database \`${name}\`` : `create schema "${name}"`;
  const dropStatement = dialect === 'mariadb' ? `drop database if exists \`${name}\`` : `drop schema if exists "${name}" cascade`;
  await adminStatement(dialect, adminUrl, create);
  const url = new URL(adminUrl);
  if (dialect === 'mariadb') url.pathname = `/${name}`;
  else url.searchParams.set('options', `-c search_path=${name}`);
  let dropped: Promise<void> | undefined;
  return { dialect, url: url.href, name, drop: () => (dropped ??= adminStatement(dialect, adminUrl, dropStatement)) };
}

export interface FreshRedisPrefix {
  prefix: string;
  /** Deletes every key under the prefix (SCAN + UNLINK) and disconnects. */
  clean(): Promise<number>;
}

export function freshRedisPrefix(url: string): FreshRedisPrefix {
  const prefix = `tasker-bench:${randomBytes(6).toString('hex')}:`;
  let cleaning: Promise<number> | undefined;
  const clean = async (): Promise<number> => {
    const client = new Redis(url, { maxRetriesPerRequest: 2, connectTimeout: 5_000, lazyConnect: true });
    client.on('error', () => undefined);
    try {
      await client.connect();
      let deleted = 0;
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) deleted += await client.unlink(...keys);
      } while (cursor !== '0');
      return deleted;
    } finally {
      client.disconnect();
    }
  };
  return { prefix, clean: () => (cleaning ??= clean()) };
}
