import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sharedServer } from '../../../test/support/test-database.js';
import { openDatabase, type OpenedDatabase } from './database.js';
import { migrateToLatest } from './migrations/migrate.js';

async function pragma(opened: OpenedDatabase, name: string): Promise<unknown> {
  const { rows } = await sql.raw(`pragma ${name}`).execute(opened.db);
  return Object.values(rows[0] as Record<string, unknown>)[0];
}

describe('openDatabase on SQLite', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'tasker-db-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('creates the parent directory and turns on WAL, NORMAL sync, a busy timeout and foreign keys', async () => {
    const file = join(dir, 'a', 'b', 'tasker.db');
    const opened = await openDatabase(`sqlite:${file}`);
    try {
      expect(opened.dialect).toBe('sqlite');
      expect(await pragma(opened, 'journal_mode')).toBe('wal');
      expect(await pragma(opened, 'synchronous')).toBe(1); // NORMAL
      expect(await pragma(opened, 'busy_timeout')).toBe(5000);
      expect(await pragma(opened, 'foreign_keys')).toBe(1);
      expect((await stat(file)).isFile()).toBe(true);
    } finally {
      await opened.close();
    }
  });

  it('uses FULL sync when the URL or the options ask for it', async () => {
    const byUrl = await openDatabase(`sqlite:${join(dir, 'u.db')}?synchronous=full`);
    const byOption = await openDatabase(`sqlite:${join(dir, 'o.db')}`, { synchronous: 'full' });
    try {
      expect(await pragma(byUrl, 'synchronous')).toBe(2);
      expect(await pragma(byOption, 'synchronous')).toBe(2);
    } finally {
      await byUrl.close();
      await byOption.close();
    }
  });

  it('opens an in-memory database that migrates and closes twice without error', async () => {
    const opened = await openDatabase('sqlite::memory:');
    expect((await migrateToLatest(opened.db))[0]).toBe('0001-initial');
    await opened.close();
    await opened.close();
  });

  it('closes a database that was never queried', async () => {
    const opened = await openDatabase(`sqlite:${join(dir, 'idle.db')}`);
    await opened.close();
    await rm(join(dir, 'idle.db'));
  });
});

describe('openDatabase on the MariaDB and PostgreSQL servers', () => {
  const servers = { mariadb: sharedServer('mariadb'), postgres: sharedServer('postgres') };
  afterAll(async () => {
    await servers.mariadb.close();
    await servers.postgres.close();
  });

  for (const kind of ['mariadb', 'postgres'] as const) {
    it(`tells ${kind} by the server's answer and reads BIGINT values as exact numbers`, async () => {
      const database = await servers[kind].create();
      const opened = await openDatabase(database.url);
      try {
        expect(opened.dialect).toBe(kind);
        const { rows } = await sql<{ big: unknown; count: unknown }>`select cast(${Number.MAX_SAFE_INTEGER} as ${sql.raw(kind === 'mariadb' ? 'signed' : 'bigint')}) as big, count(*) as count from (select 1 as one) t`.execute(opened.db);
        expect(rows[0]).toEqual({ big: Number.MAX_SAFE_INTEGER, count: 1 });
        await migrateToLatest(opened.db);
      } finally {
        await opened.close();
        await opened.close();
        await database.drop();
      }
    });
  }

  it('runs MariaDB connections in strict mode, so a value too long for its column is an error, not a truncation', async () => {
    const database = await servers.mariadb.create();
    const opened = await openDatabase(database.url);
    try {
      await migrateToLatest(opened.db);
      const { rows } = await sql<{ mode: string }>`select @@session.sql_mode as mode`.execute(opened.db);
      expect(rows[0]?.mode).toContain('STRICT_TRANS_TABLES');
      await expect(opened.db.insertInto('kv').values({ namespace: 'x'.repeat(500), key: 'k', value: '1', expires_at: null }).execute()).rejects.toThrow(/too long/i);
    } finally {
      await opened.close();
      await database.drop();
    }
  });

  it('names the server it cannot reach, without the password', async () => {
    for (const url of ['mysql://root:hunter2@127.0.0.1:1/tasker', 'postgres://postgres:hunter2@127.0.0.1:1/tasker']) {
      const error = await openDatabase(url, { connectTimeoutMs: 2000 }).then(() => null, (err: Error) => err);
      expect(error?.message).toMatch(/^cannot connect to the (MariaDB\/MySQL|PostgreSQL) database at .*:\*\*\*@127\.0\.0\.1:1\/tasker: /);
      expect(error?.message).not.toContain('hunter2');
    }
  });
});
