/**
 * The SQLite engine of the shared store code: one better-sqlite3 connection, driven through a
 * queue so that a transaction's statements (synchronous, but run from async code) never
 * interleave with another operation's. Transactions are BEGIN IMMEDIATE (the write lock is taken
 * at BEGIN, so two writers never deadlock on a lock upgrade); the chain locks need nothing more.
 *
 * Group commit: transactions requested while the previous operation runs, or in the same turn of
 * the event loop (a verification batch completes many requests at once), run together: one BEGIN
 * IMMEDIATE, each transaction in a SAVEPOINT of its own (rolled back alone when it throws), one
 * COMMIT. They run in the order requested and see each other's writes, as one after another
 * would; reads are never part of a group (they see committed data only).
 *
 * The disk sync, off the event loop: better-sqlite3 is synchronous, and with `synchronous = FULL`
 * each COMMIT waited for the disk on the event loop's thread (3-4 ms a group on the bench host,
 * a fifth of the event loop's time at 64 connections, while the verification workers waited for
 * it to hand them work). The database runs with `synchronous = NORMAL` instead (in WAL mode a
 * COMMIT then only writes the WAL; SQLite still syncs before and after each checkpoint, and the
 * file stays consistent whatever happens), and the engine makes each group durable itself: after
 * the COMMIT it fdatasyncs the WAL file on libuv's thread pool and settles the group's promises
 * only when that sync is done. The WAL is written in commit order, so one sync covers every
 * COMMIT before it: syncs requested while one runs share the next. Nothing is acknowledged
 * before it is on disk, as with FULL; what changes is that a read may see a committed transaction
 * whose caller is still waiting for the sync (a crash then loses only transactions nobody was
 * told about). Writes outside a transaction must go through `write`, which is a group like any
 * other (a statement run through `read` is not synced). A failed sync fails the group's callers.
 */
import { closeSync, fdatasync, fsync, openSync } from 'node:fs';
import { dirname } from 'node:path';
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
  /** groups committed and transactions in them, and WAL syncs, since the engine opened */
  readonly commits = { groups: 0, transactions: 0, syncs: 0 };
  /** the WAL file's descriptor (opened at the first sync; never closed before the connection) */
  #wal: number | undefined;
  get walDescriptor(): number | undefined {
    return this.#wal;
  }
  /** the sync running, and the one that starts when it ends */
  #syncing: Promise<void> | undefined;
  #queuedSync: Promise<void> | undefined;
  /** groups waiting to take their place in the queue */
  readonly #opening = new Set<Promise<void>>();
  #closing = false;
  /** How a descriptor is synced (fdatasync on libuv's thread pool); tests replace it to hold or fail a sync. */
  syncFile: (fd: number) => Promise<void> = (fd) =>
    new Promise<void>((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
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
      if (this.#closed || this.#closing) {
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
      const opening = this.#open(group);
      this.#opening.add(opening);
      void opening.finally(() => this.#opening.delete(opening));
    });
  }

  /**
   * A group stays open (later transactions join it) while the disk sync before it runs and for the
   * rest of the turn of the event loop, then takes its place in the queue: under load one COMMIT
   * and one sync serve everything requested during the previous sync, as when the sync blocked
   * the event loop, but the event loop runs on meanwhile.
   */
  async #open(group: Job[]): Promise<void> {
    for (let s = this.#queuedSync ?? this.#syncing; s; s = this.#queuedSync ?? this.#syncing) await s.catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    try {
      await this.#enqueue(async () => {
        this.#group = undefined;
        await this.#run(group);
      });
    } catch (e) {
      // Closed before its turn: nothing ran, and no later transaction may join this group.
      if (this.#group === group) this.#group = undefined;
      for (const j of group) j.reject(e);
    }
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
    // Settled once the WAL is on disk; the queue goes on meanwhile.
    this.#durable().then(
      () =>
        group.forEach((j, i) => {
          const o = outcomes[i] as Outcome;
          if (o.ok) j.resolve(o.value);
          else j.reject(o.error);
        }),
      (error: unknown) => {
        for (const j of group) j.reject(error);
      },
    );
  }

  /** Resolves once everything committed before the call is on disk. */
  #durable(): Promise<void> {
    if (this.db.memory) return Promise.resolve();
    if (!this.#syncing) {
      this.#syncing = this.#sync().finally(() => {
        this.#syncing = undefined;
      });
      return this.#syncing;
    }
    // The running sync may have started before this COMMIT: the next one covers it.
    this.#queuedSync ??= this.#syncing
      .catch(() => undefined)
      .then(() => {
        this.#queuedSync = undefined;
        return this.#durable();
      });
    return this.#queuedSync;
  }

  async #sync(): Promise<void> {
    if (this.#wal === undefined) {
      // The WAL exists from the first COMMIT on, and SQLite keeps that file (it rewrites it from
      // the start after a checkpoint) until the connection closes. Its directory entry is made
      // durable once. (Only this descriptor is ever closed by the engine, after the connection:
      // closing a descriptor of the database file would drop SQLite's POSIX locks.)
      try {
        this.#wal = openSync(`${this.db.name}-wal`, 'r');
      } catch (e) {
        // No WAL yet: no COMMIT has written one, so there is nothing to sync.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw e;
      }
      const dir = openSync(dirname(this.db.name), 'r');
      try {
        await new Promise<void>((resolve, reject) => fsync(dir, (e) => (e ? reject(e) : resolve())));
      } finally {
        closeSync(dir);
      }
    }
    await this.syncFile(this.#wal);
    this.commits.syncs++;
  }

  /** BEGIN IMMEDIATE already makes every write transaction the only one. */
  async lock(): Promise<void> {}

  ping(): Promise<void> {
    return this.read(async (db) => {
      await db.get('SELECT 1 AS x');
    });
  }

  async close(): Promise<void> {
    if (this.#closed || this.#closing) return;
    this.#closing = true;
    while (this.#opening.size > 0) await Promise.all(this.#opening);
    await this.#tail;
    this.#closed = true;
    await this.#queuedSync?.catch(() => undefined);
    await this.#syncing?.catch(() => undefined);
    // Fold the WAL back into the main file so the directory holds one self-contained database.
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
      if (this.#wal !== undefined) closeSync(this.#wal);
      this.#wal = undefined;
    }
  }
}
