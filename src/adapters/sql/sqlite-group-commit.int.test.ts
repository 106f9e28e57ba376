// The group-commit SQLite driver against a real SQLite file, watched from a
// second connection (what another process would see).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqlitePragmas } from './database.js';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.js';
import { cachingStatements } from './sqlite-statement-cache.js';

interface Schema {
  parents: { id: string };
  children: { id: string; parent_id: string };
}

let dir: string;
let sqlite: Database.Database;
let db: Kysely<Schema>;
let observer: Database.Database;

const committedParents = (): string[] => (observer.prepare('select id from parents order by id').all() as Array<{ id: string }>).map((r) => r.id);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tasker-group-commit-'));
  const file = join(dir, 'db.sqlite');
  sqlite = new Database(file);
  for (const pragma of sqlitePragmas('normal', 5000)) sqlite.pragma(pragma);
  db = new Kysely<Schema>({ dialect: new GroupCommitSqliteDialect(sqlite, cachingStatements(sqlite), 5000) });
  await sql`create table parents (id text primary key)`.execute(db);
  await sql`create table children (id text primary key, parent_id text not null references parents (id))`.execute(db);
  observer = new Database(file, { readonly: true });
});

afterEach(async () => {
  observer.close();
  await db.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('writes issued in one turn of the event loop', () => {
  it('commit together, and no caller hears back before the commit is visible to others', async () => {
    const seenAtAnswer: string[][] = [];
    const writes = ['a', 'b', 'c'].map((id) =>
      db.insertInto('parents').values({ id }).execute().then(() => seenAtAnswer.push(committedParents())));
    // Still this turn: executed, not yet committed.
    expect(committedParents()).toEqual([]);
    await Promise.all(writes);
    expect(seenAtAnswer).toEqual([['a', 'b', 'c'], ['a', 'b', 'c'], ['a', 'b', 'c']]);
  });

  it('fail alone when one breaks a constraint, while the others commit', async () => {
    await db.insertInto('parents').values({ id: 'a' }).execute();
    const results = await Promise.allSettled([
      db.insertInto('parents').values({ id: 'b' }).execute(),
      db.insertInto('parents').values({ id: 'a' }).execute(),
      db.insertInto('parents').values({ id: 'c' }).execute(),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committedParents()).toEqual(['a', 'b', 'c']);
  });

  it('all fail when the commit itself fails', async () => {
    // Deferred foreign keys are checked at COMMIT: the batch's commit then fails.
    sqlite.pragma('defer_foreign_keys = ON');
    const results = await Promise.allSettled([
      db.insertInto('parents').values({ id: 'p' }).execute(),
      db.insertInto('children').values({ id: 'orphan', parent_id: 'missing' }).execute(),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(committedParents()).toEqual([]);
    expect(sqlite.inTransaction).toBe(false);
    // And the next write goes through.
    await db.insertInto('parents').values({ id: 'q' }).execute();
    expect(committedParents()).toEqual(['q']);
  });
});

describe('reads', () => {
  it('see the open batch and answer after its commit', async () => {
    const write = db.insertInto('parents').values({ id: 'a' }).execute();
    const read = db.selectFrom('parents').select('id').execute().then((rows) => ({ rows, committed: committedParents() }));
    await write;
    expect(await read).toEqual({ rows: [{ id: 'a' }], committed: ['a'] });
  });

  it('run on their own, taking no write lock, when no batch is open', async () => {
    await db.insertInto('parents').values({ id: 'a' }).execute();
    const read = db.selectFrom('parents').select('id').execute();
    expect(sqlite.inTransaction).toBe(false);
    expect(await read).toEqual([{ id: 'a' }]);
  });
});

describe('an explicit transaction', () => {
  it('commits the open batch first, and writes issued meanwhile are not part of it', async () => {
    const before = db.insertInto('parents').values({ id: 'before' }).execute();
    let during: Promise<unknown> | undefined;
    const tx = db.transaction().execute(async (trx) => {
      await trx.insertInto('parents').values({ id: 'inside' }).execute();
      during = db.insertInto('parents').values({ id: 'during' }).execute();
      await new Promise((r) => setTimeout(r, 20));
      // The other write waits for this transaction to end.
      expect(committedParents()).toEqual(['before']);
      throw new Error('roll back');
    });
    await expect(tx).rejects.toThrow('roll back');
    await before;
    await during;
    expect(committedParents()).toEqual(['before', 'during']);
  });
});

describe('an explicit transaction whose COMMIT fails', () => {
  it('is rolled back alone: writes that waited for it, or come right after, commit and are answered so', async () => {
    // Deferred foreign keys are checked at COMMIT: the transaction's commit then fails.
    sqlite.pragma('defer_foreign_keys = ON');
    let waited: Promise<unknown> | undefined;
    const tx = db.transaction().execute(async (trx) => {
      await trx.insertInto('children').values({ id: 'orphan', parent_id: 'missing' }).execute();
      waited = db.insertInto('parents').values({ id: 'waited' }).execute();
    });
    await expect(tx).rejects.toThrow(/FOREIGN KEY/);
    const after = db.insertInto('parents').values({ id: 'after' }).execute();
    expect((await Promise.allSettled([waited, after])).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(committedParents()).toEqual(['after', 'waited']);
    expect(sqlite.inTransaction).toBe(false);
  });
});

describe('another connection holding the write lock', () => {
  it('delays writes, never reads', async () => {
    await db.insertInto('parents').values({ id: 'a' }).execute();
    const other = new Database(join(dir, 'db.sqlite'));
    other.exec('begin immediate');
    try {
      const write = db.insertInto('parents').values({ id: 'b' }).execute();
      const read = await db.selectFrom('parents').select('id').execute();
      // The read answered while the write still waits for the lock.
      expect(read).toEqual([{ id: 'a' }]);
      other.exec('commit');
      await write;
      expect(committedParents()).toEqual(['a', 'b']);
    } finally {
      if (other.inTransaction) other.exec('rollback');
      other.close();
    }
  });
});

describe('two connections of one process on the same file', () => {
  it('take turns with the write lock instead of blocking the thread that must commit', async () => {
    const other = new Database(join(dir, 'db.sqlite'));
    for (const pragma of sqlitePragmas('normal', 5000)) other.pragma(pragma);
    const db2 = new Kysely<Schema>({ dialect: new GroupCommitSqliteDialect(other, cachingStatements(other), 5000) });
    try {
      await Promise.all([
        ...['a', 'b'].map((id) => db.insertInto('parents').values({ id }).execute()),
        ...['c', 'd'].map((id) => db2.insertInto('parents').values({ id }).execute()),
        db2.transaction().execute((trx) => trx.insertInto('parents').values({ id: 'e' }).execute()),
        db.insertInto('parents').values({ id: 'f' }).execute(),
      ]);
      // A thread blocked in SQLite's busy wait would have failed one of them with SQLITE_BUSY.
      expect(committedParents()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    } finally {
      await db2.destroy();
    }
  });
});
