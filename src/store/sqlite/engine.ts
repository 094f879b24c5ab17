/**
 * The SQLite engine of the shared store code: one better-sqlite3 connection, driven through a
 * queue so that a transaction's statements (synchronous, but run from async code) never
 * interleave with another operation's. Transactions are BEGIN IMMEDIATE (the write lock is taken
 * at BEGIN, so two writers never deadlock on a lock upgrade); the chain locks need nothing more.
 *
 * Group commit: with `synchronous = FULL` every COMMIT waits for the disk, on the event loop's
 * thread (better-sqlite3 is synchronous). Transactions requested while the previous operation
 * runs, or in the same turn of the event loop (a verification batch completes many requests at
 * once), run together: one BEGIN IMMEDIATE, each transaction in a SAVEPOINT of its own (rolled
 * back alone when it throws), one COMMIT. Each caller's promise settles only after that COMMIT,
 * so nothing is acknowledged before it is on disk; a failed COMMIT fails every transaction of
 * the group. They run in the order requested and see each other's writes, as one after another
 * would; reads are never part of a group (they see committed data only).
 */
import type Database from 'better-sqlite3';
import type { SqlEngine, SqlExecutor, SqlValue } from '../sql/engine.ts';

interface Job {
  fn: (tx: SqlExecutor) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class SqliteEngine implements SqlEngine {
  readonly dialect = 'sqlite' as const;
  readonly db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** transactions waiting for their group's turn (joining is open until it starts) */
  #group: Job[] | undefined;
  /** groups committed and transactions in them, since the engine opened */
  readonly commits = { groups: 0, transactions: 0 };
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

  write(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.transaction((tx) => tx.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#closed) {
        reject(new Error('the store is closed'));
        return;
      }
      const job: Job = { fn, resolve: resolve as (v: unknown) => void, reject };
      if (this.#group) {
        this.#group.push(job);
        return;
      }
      const group = [job];
      this.#group = group;
      this.#enqueue(async () => {
        // Let the rest of this turn of the event loop join (a batch's completions).
        await new Promise((r) => setImmediate(r));
        this.#group = undefined;
        await this.#run(group);
      }).catch((e: unknown) => {
        // Closed before its turn: nothing ran, and no later transaction may join this group.
        if (this.#group === group) this.#group = undefined;
        for (const j of group) j.reject(e);
      });
    });
  }

  async #run(group: Job[]): Promise<void> {
    const db = this.db;
    const outcomes: Outcome[] = [];
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const j of group) j.reject(error);
      return;
    }
    const alone = group.length === 1;
    try {
      for (const j of group) {
        if (!alone) db.exec('SAVEPOINT zkid_tx');
        try {
          const value = await j.fn(this.#exec);
          if (!alone) db.exec('RELEASE zkid_tx');
          outcomes.push({ ok: true, value });
        } catch (error) {
          if (!alone && db.inTransaction) {
            db.exec('ROLLBACK TO zkid_tx');
            db.exec('RELEASE zkid_tx');
          }
          outcomes.push({ ok: false, error });
        }
      }
    } catch (error) {
      // The savepoint statements themselves failed: nothing of the group is kept.
      if (db.inTransaction) db.exec('ROLLBACK');
      for (const j of group) j.reject(error);
      return;
    }
    if (alone && outcomes[0]?.ok === false) {
      if (db.inTransaction) db.exec('ROLLBACK');
      group[0]?.reject(outcomes[0].error);
      return;
    }
    try {
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      group.forEach((j, i) => {
        const o = outcomes[i] as Outcome;
        j.reject(o.ok ? error : o.error);
      });
      return;
    }
    this.commits.groups++;
    this.commits.transactions += group.length;
    group.forEach((j, i) => {
      const o = outcomes[i] as Outcome;
      if (o.ok) j.resolve(o.value);
      else j.reject(o.error);
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
