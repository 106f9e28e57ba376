// Group commit for SQLite. A commit, not the statement, is most of what a
// small write costs in WAL mode (every page it touched is appended to the
// WAL again), and concurrent executions each commit several small writes.
// So writes issued outside an explicit transaction during one turn of the
// event loop run inside one `BEGIN IMMEDIATE` transaction, committed when the
// turn ends; each caller's promise settles only after that COMMIT, so an
// answered write is exactly as durable as before, and a failed COMMIT fails
// every statement of the batch. Reads join an open batch (they must see its
// writes, and answer only once those are committed); with no batch open they
// run on their own, taking no write lock. Explicit transactions (Kysely's
// `transaction()`) first commit the open batch, then have the connection to
// themselves, as with Kysely's own driver.
// The write lock (BEGIN IMMEDIATE, for batches and explicit transactions
// alike) is waited for asynchronously, never in SQLite's busy handler: a
// thread blocked there could not commit a batch another connection of the
// same process holds, and would also stall the event loop.
// Must not: answer a write before its COMMIT, or let a batch span an
// explicit transaction.
import type Database from 'better-sqlite3';
import {
  SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type CompiledQuery, type DatabaseConnection, type DatabaseIntrospector, type Dialect, type DialectAdapter, type Driver,
  type Kysely, type QueryCompiler, type QueryResult,
} from 'kysely';
import type { StatementCache } from './sqlite-statement-cache.js';

/** A batch this large commits at once rather than at the end of the turn. */
const MAX_BATCH_STATEMENTS = 256;
/** Longest pause between two tries for the write lock. */
const MAX_LOCK_RETRY_MS = 20;

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

export class GroupCommitSqliteDialect implements Dialect {
  constructor(
    private readonly sqlite: Database.Database,
    private readonly statements: StatementCache,
    /** How long a write waits for another connection's lock before it fails (SQLITE_BUSY). */
    private readonly busyTimeoutMs: number,
  ) {}

  createDriver(): Driver {
    return new GroupCommitSqliteDriver(this.sqlite, this.statements, this.busyTimeoutMs);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

class GroupCommitSqliteDriver implements Driver {
  /** Callers of the open implicit transaction, settled at its COMMIT. */
  private batch: Waiter[] | undefined;
  /** The connection inside an explicit transaction, and what others wait on meanwhile. */
  private owner: DatabaseConnection | undefined;
  private ownerDone: Promise<void> | undefined;
  private releaseOwner: (() => void) | undefined;
  /** A batch waiting for another connection's write lock; writes wait behind it. */
  private opening: Promise<void> | undefined;
  private lockStatements: { noWait: Database.Statement; begin: Database.Statement; wait: Database.Statement } | undefined;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly statements: StatementCache,
    private readonly busyTimeoutMs: number,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    // Connections are views of the one database; exclusivity comes with transactions.
    const connection: DatabaseConnection = {
      executeQuery: <R>(query: CompiledQuery) => this.execute<R>(connection, query),
      streamQuery: <R>(query: CompiledQuery) => this.stream<R>(connection, query),
    };
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    while (this.ownerDone !== undefined || this.opening !== undefined) {
      await (this.ownerDone ?? this.opening)?.catch(() => undefined);
    }
    this.ownerDone = new Promise((resolve) => {
      this.releaseOwner = resolve;
    });
    this.owner = connection;
    try {
      this.commitBatch();
      if (!this.tryBeginImmediate()) await this.waitForWriteLock();
    } catch (err) {
      this.endOwnership();
      throw err;
    }
  }

  async commitTransaction(): Promise<void> {
    // On failure the transaction stays this caller's: Kysely rolls it back
    // next, and nothing else may run inside it in between.
    this.sqlite.exec('commit');
    this.endOwnership();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.owner !== connection) return;
    // endOwnership rolls back what is still open; a statement may have ended it already.
    this.endOwnership();
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    // Kysely releases every connection it acquired, whatever happened: a
    // transaction that somehow skipped its rollback still gives the database back.
    if (this.owner === connection) this.endOwnership();
  }

  async destroy(): Promise<void> {
    await this.opening?.catch(() => undefined);
    this.commitBatch();
    this.sqlite.close();
  }

  private async execute<R>(connection: DatabaseConnection, query: CompiledQuery): Promise<QueryResult<R>> {
    for (;;) {
      // Behind an explicit transaction of another caller.
      if (this.ownerDone !== undefined && this.owner !== connection) {
        await this.ownerDone;
        continue;
      }
      const statement = this.statements.prepare(query.sql);
      if (this.owner === connection) return run<R>(statement, query);
      if (this.batch !== undefined && !this.sqlite.inTransaction) {
        // Something ended the batch's transaction under it: its writes are gone.
        this.failBatch(this.batch, new Error('the SQLite transaction of this batch ended before its commit'));
      }
      if (this.batch === undefined) {
        // A read needs no lock, and nothing it could see waits unanswered.
        if (statement.readonly) return run<R>(statement, query);
        // Writes keep their order behind a batch still waiting for the lock.
        if (this.opening !== undefined) {
          await this.opening;
          continue;
        }
        if (!this.openBatch()) continue;
      }
      return this.runInBatch<R>(this.batch as Waiter[], statement, query);
    }
  }

  private runInBatch<R>(batch: Waiter[], statement: Database.Statement, query: CompiledQuery): Promise<QueryResult<R>> {
    let result: QueryResult<R>;
    try {
      result = run<R>(statement, query);
    } catch (err) {
      // A constraint error undoes only its statement; a worse one ends the whole transaction.
      if (!this.sqlite.inTransaction) this.failBatch(batch, err);
      return Promise.reject(err);
    }
    const settled = new Promise<QueryResult<R>>((resolve, reject) => {
      batch.push({ resolve: () => resolve(result), reject });
    });
    if (batch.length >= MAX_BATCH_STATEMENTS) this.commitBatch();
    return settled;
  }

  private async *stream<R>(connection: DatabaseConnection, query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    // Nothing streams large results from SQLite here: read them whole, row by row after.
    const result = await this.execute<R>(connection, query);
    for (const row of result.rows) yield { rows: [row] };
  }

  /**
   * Opens a batch: true when it is open now; false when the write lock is
   * held elsewhere, and `opening` now waits for it.
   */
  private openBatch(): boolean {
    if (this.tryBeginImmediate()) {
      this.startBatch();
      return true;
    }
    this.opening = (async () => {
      try {
        await this.waitForWriteLock();
        this.startBatch();
      } finally {
        this.opening = undefined;
      }
    })();
    return false;
  }

  private startBatch(): void {
    const batch: Waiter[] = [];
    this.batch = batch;
    setImmediate(() => {
      if (this.batch === batch) this.commitBatch();
    });
  }

  /** BEGIN IMMEDIATE without SQLite's blocking busy wait: false when another connection holds the write lock. */
  private tryBeginImmediate(): boolean {
    // Prepared once: this runs for every batch, and preparing costs more than running.
    this.lockStatements ??= {
      noWait: this.sqlite.prepare('pragma busy_timeout = 0'),
      begin: this.sqlite.prepare('begin immediate'),
      wait: this.sqlite.prepare(`pragma busy_timeout = ${Math.max(0, Math.floor(this.busyTimeoutMs))}`),
    };
    const { noWait, begin, wait } = this.lockStatements;
    noWait.run();
    try {
      begin.run();
      return true;
    } catch (err) {
      // SQLITE_BUSY and its extended codes (SQLITE_BUSY_RECOVERY, …): someone else has the lock.
      if (String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY')) return false;
      throw err;
    } finally {
      wait.run();
    }
  }

  /** Tries for the write lock after growing pauses, up to the busy timeout; then fails as SQLite would. */
  private async waitForWriteLock(): Promise<void> {
    const deadline = performance.now() + this.busyTimeoutMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, MAX_LOCK_RETRY_MS)) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      if (this.tryBeginImmediate()) return;
      if (performance.now() >= deadline) {
        throw Object.assign(new Error(`database is locked: no write lock within ${this.busyTimeoutMs} ms`), { code: 'SQLITE_BUSY' });
      }
    }
  }

  /** Commits the open batch and settles its callers (all of them failed when the COMMIT fails). */
  private commitBatch(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    this.batch = undefined;
    try {
      this.sqlite.exec('commit');
    } catch (err) {
      this.rollbackQuietly();
      for (const waiter of batch) waiter.reject(err);
      return;
    }
    for (const waiter of batch) waiter.resolve();
  }

  private failBatch(batch: Waiter[], err: unknown): void {
    if (this.batch === batch) this.batch = undefined;
    for (const waiter of batch) waiter.reject(err);
  }

  /** Ends a transaction a failed statement or COMMIT left open, so nothing later runs inside it. */
  private rollbackQuietly(): void {
    try {
      if (this.sqlite.inTransaction) this.sqlite.exec('rollback');
    } catch {
      // Nothing more to undo: SQLite ended it itself.
    }
  }

  private endOwnership(): void {
    this.rollbackQuietly();
    const release = this.releaseOwner;
    this.owner = undefined;
    this.ownerDone = undefined;
    this.releaseOwner = undefined;
    release?.();
  }
}

function run<R>(statement: Database.Statement, query: CompiledQuery): QueryResult<R> {
  const parameters = query.parameters as unknown[];
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return {
    numAffectedRows: BigInt(changes),
    insertId: BigInt(lastInsertRowid),
    rows: [],
  };
}
