/**
 * What the shared store code needs from a database engine: an executor for one statement at a
 * time, transactions, named locks that serialise appends to a chain, and the engine's name.
 *
 * SQL is written once with `?` placeholders in the subset both engines speak (SQLite 3.35+ and
 * PostgreSQL 9.5+: `ON CONFLICT ... DO NOTHING / DO UPDATE`, `RETURNING`); the PostgreSQL engine
 * numbers the placeholders. Parameters are strings, numbers or null (times as epoch
 * milliseconds, booleans as 0/1, JSON as text), so one row mapping serves both engines.
 */

export type SqlValue = string | number | null;

/** Runs statements on one connection (inside a transaction when given by {@link SqlEngine.transaction}). */
export interface SqlExecutor {
  /** The first row, or undefined. */
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** @returns how many rows the statement changed */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

/**
 * A chain whose appends must be serialised across every connection and every instance:
 * 'revisions' (the revocation root history: revision n + 1 follows n) and 'audit' (each entry
 * links to the previous hash). Always taken in this order (revisions before audit), so two
 * transactions never wait for each other in a cycle.
 */
export type ChainLock = 'revisions' | 'audit';

export interface SqlEngine {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Read-only statements outside a transaction (each sees committed data only). Writes go through
   * `write` or `transaction`: on SQLite those share a group's COMMIT and disk sync, where a write
   * here would wait for a disk sync of its own on the event loop.
   */
  read<T>(fn: (db: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * One write statement that needs no other statement's view, applied atomically on its own:
   * PostgreSQL runs it in autocommit (one round trip instead of BEGIN, statement, COMMIT), SQLite
   * in a group-committed transaction like any other (a statement outside one would pay a disk
   * sync of its own). @returns how many rows it changed
   */
  write(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** One transaction: committed when `fn` resolves, rolled back when it throws (and the error rethrown). */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Take a chain lock until the end of the current transaction (see {@link ChainLock}). */
  lock(tx: SqlExecutor, chain: ChainLock): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
