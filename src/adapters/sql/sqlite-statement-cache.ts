// Kysely's SQLite driver prepares every query afresh, and better-sqlite3's
// prepare (parsing and planning the SQL) costs more than running a small
// statement. This wrapper keeps prepared statements by SQL text, most recently
// used last, bounded in number (SQL with `in (…)` lists varies). A statement
// still iterating (a streamed select) is busy and cannot be reused: such a
// call gets a fresh one. It changes no result, only when SQL is parsed.
import type Database from 'better-sqlite3';

const DEFAULT_MAX_STATEMENTS = 200;

/** Prepared statements by SQL text (the shape Kysely's SqliteDatabase takes, too). */
export interface StatementCache {
  close(): void;
  prepare(sql: string): Database.Statement;
}

export function cachingStatements(sqlite: Database.Database, maxStatements = DEFAULT_MAX_STATEMENTS): StatementCache {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): Database.Statement {
      const cached = statements.get(sql);
      if (cached !== undefined) {
        if (cached.busy) return sqlite.prepare(sql);
        // Move to the most recently used end.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > maxStatements) {
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      return statement;
    },
  };
}
