/**
 * The SQLite engine of the shared store code: one better-sqlite3 connection, driven through a
 * queue so that a transaction's statements (synchronous, but run from async code) never
 * interleave with another operation's. Transactions are BEGIN IMMEDIATE (the write lock is taken
 * at BEGIN, so two writers never deadlock on a lock upgrade); the chain locks need nothing more.
 */
import type Database from 'better-sqlite3';
import type { SqlEngine, SqlExecutor, SqlValue } from '../sql/engine.ts';

export class SqliteEngine implements SqlEngine {
  readonly dialect = 'sqlite' as const;
  readonly db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #exec: SqlExecutor;

  constructor(db: Database.Database) {
    this.db = db;
    const stmt = (sql: string): Database.Statement => {
      let s = this.#statements.get(sql);
      if (!s) {
        s = this.db.prepare(sql);
        this.#statements.set(sql, s);
      }
      return s;
    };
    this.#exec = {
      get: async <T>(sql: string, params: readonly SqlValue[] = []) => stmt(sql).get(...params) as T | undefined,
      all: async <T>(sql: string, params: readonly SqlValue[] = []) => stmt(sql).all(...params) as T[],
      run: async (sql: string, params: readonly SqlValue[] = []) => stmt(sql).run(...params).changes,
    };
  }

  #enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(() => {
      if (this.#closed) throw new Error('the store is closed');
      return fn();
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  read<T>(fn: (db: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#enqueue(() => fn(this.#exec));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#enqueue(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(this.#exec);
        this.db.exec('COMMIT');
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  /** BEGIN IMMEDIATE already makes every write transaction the only one. */
  async lock(): Promise<void> {}

  ping(): Promise<void> {
    return this.read(async (db) => {
      await db.get('SELECT 1 AS x');
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#tail;
    this.#closed = true;
    // Fold the WAL back into the main file so the directory holds one self-contained database.
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }
}
