/**
 * Choose the store engine: PostgreSQL when a `postgres://` (or `postgresql://`) URL is given
 * (DATABASE_URL), for several instances on one database; otherwise the embedded SQLite store in
 * the data directory.
 *
 * @example
 * const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir: './data' });
 */
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions {
  /** postgres://... selects PostgreSQL; undefined or '' selects SQLite */
  databaseUrl?: string | undefined;
  /** SQLite's data directory (created when missing) */
  dataDir: string;
  /** PostgreSQL: connections in the pool (default 10) */
  poolSize?: number;
}

/**
 * Open the configured store (migrated, ready).
 * @throws TypeError for a database URL of another kind; Error when the database cannot be opened
 */
export async function openStore(o: OpenStoreOptions): Promise<Store> {
  const url = o.databaseUrl?.trim();
  if (!url) return openSqliteStore(o.dataDir);
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new TypeError("Parameter 'databaseUrl' must be a postgres:// or postgresql:// URL (DATABASE_URL)");
  }
  return openPostgresStore({ connectionString: url, ...(o.poolSize ? { poolSize: o.poolSize } : {}) });
}

/** The engine a database URL selects (for logs): 'postgres' or 'sqlite'. */
export function storeKind(databaseUrl: string | undefined): 'postgres' | 'sqlite' {
  return databaseUrl?.trim() ? 'postgres' : 'sqlite';
}
