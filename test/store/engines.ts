/**
 * The store engines the store tests run against: SQLite (a temporary data directory per store)
 * and PostgreSQL (a uniquely named schema per store in the test database, dropped afterwards).
 *
 * PostgreSQL is found at ZKID_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 * When it cannot be reached: under CI (CI=true) `postgresHarness()` throws, so the suite fails
 * with a clear message instead of skipping; elsewhere the PostgreSQL tests are skipped, with the
 * reason in their name.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';

export const TEST_DATABASE_URL = process.env.ZKID_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** What a test needs to do to a store beyond its interface. */
export interface EngineHarness {
  name: 'sqlite' | 'postgres';
  /** a fresh, empty store */
  open(): Promise<Store>;
  /** another store on the same database as `s` (another instance), or undefined where one process owns it (SQLite) */
  twin(s: Store): Promise<Store | undefined>;
  /** open the same database again after `s` was closed */
  reopen(s: Store): Promise<Store>;
  /** raw SQL on the store's database */
  exec(s: Store, sql: string): Promise<void>;
  rows(s: Store, sql: string): Promise<Record<string, unknown>[]>;
  /** make every INSERT into `table` fail with `message` until the returned function is called */
  fault(s: Store, table: string, message: string): Promise<() => Promise<void>>;
  /** close every store opened and remove what they left */
  cleanup(): Promise<void>;
}

export function sqliteHarness(): EngineHarness {
  const dirs = new Map<Store, string>();
  const open = new Set<Store>();
  const make = (dir: string): SqliteStore => {
    const s = new SqliteStore({ dataDir: dir });
    dirs.set(s, dir);
    open.add(s);
    return s;
  };
  const db = (s: Store) => (s as SqliteStore).database;
  return {
    name: 'sqlite',
    open: async () => make(mkdtempSync(join(tmpdir(), 'zkid-store-'))),
    twin: async () => undefined,
    reopen: async (s) => make(dirs.get(s) as string),
    exec: async (s, sql) => {
      db(s).exec(sql);
    },
    rows: async (s, sql) => db(s).prepare(sql).all() as Record<string, unknown>[],
    fault: async (s, table, message) => {
      db(s).exec(`CREATE TEMP TRIGGER zkid_fault BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, '${message}'); END`);
      return async () => {
        db(s).exec('DROP TRIGGER zkid_fault');
      };
    },
    cleanup: async () => {
      for (const s of open) await s.close();
      open.clear();
      for (const d of new Set(dirs.values())) rmSync(d, { recursive: true, force: true });
      dirs.clear();
    },
  };
}

/** Whether PostgreSQL answers at TEST_DATABASE_URL: undefined, or why not. */
export async function postgresProblem(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    return `PostgreSQL unreachable at ${TEST_DATABASE_URL.replace(/\/\/[^@/]*@/, '//')}: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether the `what` tests can run: undefined when PostgreSQL answers; outside CI, why they skip
 * (also written to stderr).
 * @throws Error under CI=true when PostgreSQL cannot be reached: CI runs them
 */
export async function postgresRequired(what: string): Promise<string | undefined> {
  const problem = await postgresProblem();
  if (!problem) return undefined;
  if (process.env.CI === 'true') {
    throw new Error(`${problem}. CI runs the ${what} tests: .ci/run starts the server; set ZKID_TEST_DATABASE_URL for another one`);
  }
  console.warn(`zkid tests: skipping the ${what} tests (outside CI): ${problem}`);
  return problem;
}

/**
 * The PostgreSQL harness, or the reason it is unavailable (outside CI only).
 * @throws Error under CI=true when PostgreSQL cannot be reached
 */
export async function postgresHarness(): Promise<EngineHarness | { skip: string }> {
  const problem = await postgresRequired('PostgreSQL store');
  if (problem) return { skip: problem };
  await sweepStaleSchemas();
  const schemas = new Map<Store, string>();
  const created = new Set<string>();
  const open = new Set<Store>();
  const make = async (schema: string): Promise<PostgresStore> => {
    created.add(schema);
    const s = await PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema, poolSize: 4 });
    schemas.set(s, schema);
    open.add(s);
    return s;
  };
  const pool = (s: Store) => (s as PostgresStore).pool;
  return {
    name: 'postgres',
    open: () => make(newSchemaName()),
    twin: (s) => make(schemas.get(s) as string),
    reopen: (s) => make(schemas.get(s) as string),
    exec: async (s, sql) => {
      await pool(s).query(sql);
    },
    rows: async (s, sql) => (await pool(s).query(sql)).rows as Record<string, unknown>[],
    fault: async (s, table, message) => {
      await pool(s).query(
        `CREATE OR REPLACE FUNCTION zkid_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${message}'; END $$;
         CREATE TRIGGER zkid_fault BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION zkid_fault();`,
      );
      return async () => {
        await pool(s).query(`DROP TRIGGER zkid_fault ON ${table}`);
      };
    },
    cleanup: async () => {
      for (const s of open) await s.close();
      open.clear();
      await dropSchemas([...created]);
      created.clear();
      schemas.clear();
    },
  };
}

/** A schema name no other run uses: zkid_test_<time>_<pid>_<random>. */
export function newSchemaName(): string {
  return `zkid_test_${Date.now().toString(36)}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Drop test schemas more than 6 hours old: what runs that were killed before their cleanup left. */
async function sweepStaleSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(`SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'zkid\\_test\\_%'`);
    const stale = rows
      .map((r) => r.name)
      .filter((name) => {
        const born = Number.parseInt(name.split('_')[2] ?? '', 36);
        return Number.isFinite(born) && Date.now() - born > 6 * 3600_000;
      });
    for (const n of stale) await client.query(`DROP SCHEMA IF EXISTS ${n} CASCADE`);
  } finally {
    await client.end();
  }
}

export async function dropSchemas(names: string[]): Promise<void> {
  if (names.length === 0) return;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    for (const n of names) await client.query(`DROP SCHEMA IF EXISTS ${n} CASCADE`);
  } finally {
    await client.end();
  }
}
