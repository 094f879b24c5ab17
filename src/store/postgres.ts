/**
 * The networked store: PostgreSQL through `pg`, over the shared store code (src/store/sql/), for
 * any number of service instances on one database (chosen by DATABASE_URL; see src/store/open.ts).
 *
 * - Migrations run at open, all pending ones in one transaction under an advisory lock, so two
 *   instances starting together migrate once; a database written by a newer schema is refused.
 * - The two statements every presentation makes, the request's lookup and (without a nullifier)
 *   the consumption of its challenge, are coalesced: those of one turn of the event loop go to the
 *   server as one statement each (src/store/postgres/requests.ts).
 * - Every multi-row change is one transaction. A challenge is consumed by one conditional UPDATE
 *   (exactly one of any number of concurrent submissions, on any instance, changes the row);
 *   nullifiers, serials and root revisions are unique keys; a response code is redeemed by a
 *   conditional UPDATE; the audit chain and the revision history are appended under
 *   transaction-scoped advisory locks, so every instance extends one chain.
 * - What is not shared is each instance's in-memory revocation tree: the registry follows the
 *   stored revision (src/server/revocation-registry.ts) and retries a change that lost a race.
 */

import { advisoryKey, PostgresEngine, type PostgresEngineOptions } from './postgres/engine.ts';
import { CoalescedRequests } from './postgres/requests.ts';
import { checkSchemaVersion, POSTGRES_MIGRATIONS, SCHEMA_VERSION } from './sql/schema.ts';
import { SqlStore } from './sql/sql-store.ts';
import type { CompleteOutcome, Store, StoredRequest } from './store.ts';

export type PostgresStoreOptions = PostgresEngineOptions;

/**
 * PostgreSQL's text cannot hold NUL, so no stored id has one; sent in a coalesced statement, such
 * an id (from a URL's %00) would fail the whole statement, every other caller's too.
 */
const unstorable = (id: string): boolean => id.includes('\u0000');

export class PostgresStore extends SqlStore {
  /** the lookups and consumptions of one turn of the event loop, each kind in one statement */
  readonly coalesced: CoalescedRequests;

  private constructor(engine: PostgresEngine) {
    super(engine);
    this.coalesced = new CoalescedRequests(engine);
  }

  override getRequest(id: string): Promise<StoredRequest | undefined> {
    if (unstorable(id)) return Promise.resolve(undefined);
    return this.coalesced.lookups.call(id);
  }

  override completeRequest(o: Parameters<Store['completeRequest']>[0]): Promise<CompleteOutcome> {
    if (unstorable(o.id)) return Promise.resolve('not-found');
    // With a nullifier it is a transaction of several statements: the shared code, one at a time.
    if (o.nullifier) return super.completeRequest(o);
    return this.coalesced.consumptions.call(o);
  }

  /**
   * Connect, migrate and return the store.
   * @throws Error when the server is unreachable, or the database was written by a newer schema version
   */
  static async open(o: PostgresStoreOptions): Promise<PostgresStore> {
    const engine = new PostgresEngine(o);
    try {
      await migrate(engine, o.schema);
    } catch (e) {
      await engine.close();
      throw e;
    }
    return new PostgresStore(engine);
  }

  /** The pool, for tests and maintenance tools only. */
  get pool(): PostgresEngine['pool'] {
    return (this.engine as PostgresEngine).pool;
  }

  /** The applied schema version. */
  async schemaVersion(): Promise<number> {
    const row = await this.pool.query<{ v: number }>('SELECT MAX(version) AS v FROM schema_migrations');
    return Number(row.rows[0]?.v ?? 0);
  }
}

async function migrate(engine: PostgresEngine, schema: string | undefined): Promise<void> {
  await engine.transaction(async (tx) => {
    // One migrator at a time per schema; the others wait here and then find nothing to do.
    await tx.get('SELECT pg_advisory_xact_lock(CAST(? AS BIGINT)) AS locked', [advisoryKey(`zkid:migrate:${engine.lockScope}`)]);
    if (schema) await tx.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const row = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const current = row?.v ?? 0;
    const where = await tx.get<{ db: string; s: string }>('SELECT current_database() AS db, current_schema() AS s');
    checkSchemaVersion(current, `PostgreSQL database ${where?.db} (schema ${where?.s})`);
    for (let v = current + 1; v <= SCHEMA_VERSION; v++) {
      await tx.run(POSTGRES_MIGRATIONS[v - 1] as string);
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [v, Date.now()]);
    }
  });
}

/** Connect to PostgreSQL and migrate (see {@link PostgresStore.open}). */
export function openPostgresStore(o: PostgresStoreOptions): Promise<PostgresStore> {
  return PostgresStore.open(o);
}
