/**
 * The embedded default store: SQLite through better-sqlite3 (major 12; 13 needs Node 22), over
 * the shared store code (src/store/sql/: requests, issuer, revocation, audit).
 *
 * - One file, `<dataDir>/zkid.sqlite`, in WAL mode with `synchronous = FULL`: a committed
 *   transaction survives a process crash and a power loss.
 * - Every multi-row change runs in one IMMEDIATE transaction (the write lock is taken at BEGIN,
 *   so two writers never deadlock on a lock upgrade): a crash leaves all of it or none of it.
 * - Challenges are consumed with `UPDATE ... WHERE status = 'pending' AND expires_at > now` and a
 *   check that exactly one row changed, so of two concurrent submissions exactly one wins.
 * - The audit table is append-only (triggers abort UPDATE and DELETE) and hash-chained.
 * - Schema migrations are numbered; `schema_migrations` records the applied ones, and a database
 *   written by a newer version is refused rather than misread.
 *
 * One process owns the file (the revocation tree lives in that process's memory), enforced with
 * an exclusive lock held while the store is open; several instances behind a load balancer use
 * PostgreSQL (src/store/postgres.ts).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { checkSchemaVersion, SCHEMA_VERSION, SQLITE_MIGRATIONS } from './sql/schema.ts';
import { SqlStore } from './sql/sql-store.ts';
import { SqliteEngine } from './sqlite/engine.ts';

export { auditHash } from './sql/audit.ts';
export { SCHEMA_VERSION } from './sql/schema.ts';

export const DATABASE_FILE = 'zkid.sqlite';

export interface SqliteStoreOptions {
  /** directory for the database file; created (mode 0700) when missing */
  dataDir: string;
}

/** Open, lock and migrate the database file. */
function openDatabase(o: SqliteStoreOptions): Database.Database {
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const file = join(o.dataDir, DATABASE_FILE);
  const db = new Database(file, { timeout: 0 });
  try {
    // One process owns the directory (its revocation tree lives in memory): hold an exclusive
    // lock for the connection's lifetime. The OS drops it when the process dies, even on SIGKILL.
    db.pragma('locking_mode = EXCLUSIVE');
    try {
      db.exec('BEGIN EXCLUSIVE; COMMIT');
    } catch (e) {
      if ((e as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
        throw new Error(`${file} is in use by another zkid process: a data directory belongs to one service process`, { cause: e });
      }
      throw e;
    }
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before it is acknowledged (nullifiers and consumed challenges must survive power loss).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, file);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

function migrate(db: Database.Database, file: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const current = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  checkSchemaVersion(current, file);
  const apply = db.transaction((version: number, sql: string) => {
    db.exec(sql);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
  });
  for (let v = current + 1; v <= SCHEMA_VERSION; v++) apply.immediate(v, SQLITE_MIGRATIONS[v - 1] as string);
}

export class SqliteStore extends SqlStore {
  readonly file: string;

  /**
   * Open (creating when needed) `<dataDir>/zkid.sqlite` and apply pending migrations.
   * @throws Error when the database was written by a newer schema version, is in use by another process, or cannot be opened
   */
  constructor(o: SqliteStoreOptions) {
    super(new SqliteEngine(openDatabase(o)));
    this.file = join(o.dataDir, DATABASE_FILE);
  }

  /** The applied schema version. */
  get schemaVersion(): number {
    return (this.database.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v;
  }

  /** The underlying connection, for tests and maintenance tools only. */
  get database(): Database.Database {
    return (this.engine as SqliteEngine).db;
  }
}

/** Open the SQLite store in a data directory (created when missing). */
export function openSqliteStore(dataDir: string): SqliteStore {
  return new SqliteStore({ dataDir });
}
