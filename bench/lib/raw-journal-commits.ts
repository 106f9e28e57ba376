// The raw baseline for durable steps: N separate commits, each inserting one
// row shaped and sized like a Tasker journal entry (step_attempts), straight
// through the driver (better-sqlite3, mysql2, pg) with no Tasker code on the
// path. On SQLite it uses Tasker's own pragmas (WAL, synchronous, ...), so
// the difference to a Tasker run is Tasker's overhead, not the disk's.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { sqlitePragmas } from '../../src/adapters/sql/database.js';
import type { ServerDialect } from './fresh-server-database.js';

/** One commit of one journal-sized row. */
export interface RawCommitter {
  commit(executionId: string, index: number): Promise<void>;
  close(): Promise<void>;
}

/** The values of one journal row, as Tasker would write them for a small transform step. */
export function journalRow(executionId: string, index: number, output: string): Array<string | number | null> {
  const id = `s${String(index + 1).padStart(2, '0')}`;
  const now = Date.now();
  return [executionId, id, id, 1, 'succeeded', output, null, now, now];
}

// The journal's unique index (step_attempts_uq) is part of every journal write, so the baseline keeps it.
const UNIQUE_INDEX = 'create unique index raw_journal_uq on raw_journal (execution_id, path, attempt)';
const COLUMNS = 'execution_id, path, step_id, attempt, status, output, error, started_at, finished_at';

/** SQLite file at `filename`, with Tasker's default pragmas (synchronous=NORMAL, busy 5 s). */
export function openRawSqlite(filename: string, output: string): RawCommitter {
  const db = new Database(filename);
  try {
    for (const pragma of sqlitePragmas('normal', 5_000)) db.pragma(pragma);
    db.exec(`create table raw_journal (id integer primary key autoincrement, execution_id varchar(64) not null, path varchar(512) not null,
    step_id varchar(128) not null, attempt integer not null, status varchar(32) not null, output text, error text,
    started_at bigint not null, finished_at bigint not null, wake_at bigint)`);
    db.exec(UNIQUE_INDEX);
  } catch (err) {
    db.close();
    throw err;
  }
  const insert = db.prepare(`insert into raw_journal (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  return {
    // Autocommit: each run() is its own transaction, committed (WAL) before it returns.
    commit: async (executionId, index) => {
      insert.run(...journalRow(executionId, index, output));
    },
    close: async () => {
      db.close();
    },
  };
}

/** A table shaped like step_attempts in the server database at `url`, and one connection inserting into it. */
export async function openRawServer(dialect: ServerDialect, url: string, output: string): Promise<RawCommitter> {
  if (dialect === 'mariadb') {
    const conn = await mysql.createConnection({ uri: url, connectTimeout: 5_000 });
    try {
      await conn.query(`create table raw_journal (id bigint primary key auto_increment, execution_id varchar(64) not null, path varchar(512) not null,
      step_id varchar(128) not null, attempt integer not null, status varchar(32) not null, output longtext, error longtext,
      started_at bigint not null, finished_at bigint not null, wake_at bigint) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_nopad_bin`);
      await conn.query(UNIQUE_INDEX);
    } catch (err) {
      await conn.end().catch(() => undefined);
      throw err;
    }
    return {
      commit: async (executionId, index) => {
        await conn.execute(`insert into raw_journal (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?)`, journalRow(executionId, index, output));
      },
      close: () => conn.end(),
    };
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`create table raw_journal (id bigserial primary key, execution_id varchar(64) not null, path varchar(512) not null,
      step_id varchar(128) not null, attempt integer not null, status varchar(32) not null, output text, error text,
      started_at bigint not null, finished_at bigint not null, wake_at bigint)`);
    await client.query(UNIQUE_INDEX);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return {
    commit: async (executionId, index) => {
      await client.query({ name: 'raw-journal-insert', text: `insert into raw_journal (${COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, values: journalRow(executionId, index, output) });
    },
    close: () => client.end(),
  };
}

/** `count` commits one after the other, for a new execution id: one "run" of the baseline. */
export async function commitSequence(committer: RawCommitter, count: number): Promise<void> {
  const executionId = randomUUID();
  for (let i = 0; i < count; i++) await committer.commit(executionId, i);
}
