import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
