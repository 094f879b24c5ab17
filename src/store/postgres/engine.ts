/**
 * The PostgreSQL engine of the shared store code: a `pg` pool, READ COMMITTED transactions (every
 * rule the store keeps rests on a conditional UPDATE, a unique key or a chain lock, which hold at
 * that level), transaction-scoped advisory locks for the chains, and a retry of a transaction
 * that the server aborted as a deadlock or serialisation failure.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ChainLock, SqlEngine, SqlExecutor, SqlValue } from '../sql/engine.ts';

/** SQLSTATEs of a transaction that may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;
const INT8_OID = 20;

/** May the work that failed with `e` on this attempt simply be run again? */
function retryable(e: unknown, attempt: number): boolean {
  const code = (e as { code?: string }).code;
  return code !== undefined && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS;
}

/** `?` placeholders numbered for PostgreSQL ($1, $2, ...); none of the store's SQL has a `?` in a literal. */
const numbered = new Map<string, { text: string; name: string }>();
function pgStatement(sql: string): { text: string; name: string } {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    // The store's SQL is a fixed set of texts, so each can be a named prepared statement: parsed
    // and planned once per connection, then only bound and executed (less work for the server).
    out = { text, name: `zkid_${createHash('sha256').update(text).digest('hex').slice(0, 24)}` };
    numbered.set(sql, out);
  }
  return out;
}

/**
 * A query for `pg`: named (prepared once per connection) when it has parameters. A text without
 * parameters goes through the simple protocol, which is what lets the migrations send several
 * statements at once.
 */
function pgQuery(sql: string, params: readonly SqlValue[]): pg.QueryConfig<SqlValue[]> {
  const { text, name } = pgStatement(sql);
  return params.length > 0 ? { text, name, values: params as SqlValue[] } : { text, values: params as SqlValue[] };
}

/** A 64-bit advisory lock key for a name (signed decimal, as pg_advisory_xact_lock(bigint) wants). */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest().readBigInt64BE(0).toString();
}

function executor(q: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => (await q.query(pgQuery(sql, params))).rows[0] as T | undefined,
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await q.query(pgQuery(sql, params))).rows as T[],
    run: async (sql: string, params: readonly SqlValue[] = []) => (await q.query(pgQuery(sql, params))).rowCount ?? 0,
  };
}

export interface PostgresEngineOptions {
  /** postgres://user:password@host:port/database?... */
  connectionString: string;
  /** a schema of its own (created when missing) instead of the connection's default search path */
  schema?: string;
  /** connections in the pool (default 10) */
  poolSize?: number;
  /** errors of idle connections (the server restarted, say); default: written to stderr */
  onError?: (err: Error) => void;
}

export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresEngine implements SqlEngine {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  /** what the advisory lock keys are scoped to: instances on one database but different schemas do not block each other */
  readonly lockScope: string;
  readonly #pooled: SqlExecutor;
  #closing: Promise<void> | undefined;

  constructor(o: PostgresEngineOptions) {
    if (o.schema !== undefined && !SCHEMA_NAME.test(o.schema)) {
      throw new TypeError(`Parameter 'schema' must be a lower-case SQL identifier, got '${o.schema}'`);
    }
    this.lockScope = o.schema ?? '';
    this.pool = new pg.Pool({
      connectionString: o.connectionString,
      max: o.poolSize ?? 10,
      application_name: 'zkid',
      connectionTimeoutMillis: 10_000,
      // A hung process must not hold a chain lock (or row locks) for ever: its idle transaction ends.
      options: `-c idle_in_transaction_session_timeout=60000${o.schema ? ` -c search_path=${o.schema}` : ''}`,
      // BIGINT (times in ms, serials, audit ids) as numbers: every value the store keeps is below 2^53.
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    const onError = o.onError ?? ((err: Error) => process.stderr.write(`zkid: PostgreSQL connection error: ${err.message}\n`));
    this.pool.on('error', onError);
    this.#pooled = executor(this.pool);
  }

  read<T>(fn: (db: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this.#pooled);
  }

  /** In autocommit: one round trip, where BEGIN, the statement and COMMIT would take three. */
  write(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.#pooled.run(sql, params);
  }

  /**
   * One statement of PostgreSQL's own SQL (arrays and all) in autocommit, named so it is prepared
   * once per connection; run again when the server aborted it as a deadlock or serialisation
   * failure (it changed nothing then).
   */
  async statement<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pool.query<R>({ name, text, values });
      } catch (e) {
        if (retryable(e, attempt)) continue;
        throw e;
      }
    }
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        try {
          const out = await fn(executor(client));
          await client.query('COMMIT');
          return out;
        } catch (e) {
          await client.query('ROLLBACK').catch((err: Error) => {
            broken = err;
          });
          if (retryable(e, attempt)) continue;
          throw e;
        }
      } finally {
        // A connection whose ROLLBACK failed is in an unknown state: drop it rather than reuse it.
        client.release(broken);
      }
    }
  }

  async lock(tx: SqlExecutor, chain: ChainLock): Promise<void> {
    await tx.get('SELECT pg_advisory_xact_lock(CAST(? AS BIGINT)) AS locked', [advisoryKey(`zkid:${chain}:${this.lockScope}`)]);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  close(): Promise<void> {
    this.#closing ??= this.pool.end();
    return this.#closing;
  }
}
