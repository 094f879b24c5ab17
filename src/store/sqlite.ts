/**
 * The embedded default store: SQLite through better-sqlite3 (major 12; 13 needs Node 22).
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
 * an exclusive lock held while the store is open; several instances behind a load balancer need
 * a networked store (PostgreSQL).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ProofRequest } from '../request.ts';
import {
  AUDIT_GENESIS,
  type AuditEntry,
  type AuditInput,
  type CompleteOutcome,
  type HolderIssuance,
  type HolderRecord,
  type IssuerKeyRecord,
  type RedeemOutcome,
  type RevocationChange,
  type RootRecord,
  type Session,
  type Store,
  type StoredError,
  type StoredRequest,
  type VerifiedResult,
} from './store.ts';

/** Ordered schema migrations; the index + 1 is the version. Never edit a released entry: append. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE requests (
    id              TEXT PRIMARY KEY,
    policy          TEXT NOT NULL,
    scope           TEXT NOT NULL,
    request_json    TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'verified', 'rejected')),
    completed_at    INTEGER,
    result_json     TEXT,
    last_error_json TEXT
  );
  CREATE INDEX requests_by_expiry ON requests (status, expires_at);
  CREATE INDEX requests_by_completion ON requests (status, completed_at);

  CREATE TABLE nullifiers (
    scope      TEXT NOT NULL,
    policy     TEXT NOT NULL,
    nullifier  TEXT NOT NULL,
    request_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, policy, nullifier)
  ) WITHOUT ROWID;

  CREATE TABLE issuer_keys (
    id          TEXT PRIMARY KEY,
    public_x    TEXT NOT NULL,
    public_y    TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1
  );

  CREATE TABLE credentials (
    serial    INTEGER PRIMARY KEY,
    key_id    TEXT NOT NULL,
    issued_at INTEGER NOT NULL
  );

  CREATE TABLE revocation_leaves (
    leaf_index INTEGER PRIMARY KEY,
    bitmap     TEXT NOT NULL
  );

  CREATE TABLE revocation_roots (
    revision     INTEGER PRIMARY KEY,
    root         TEXT NOT NULL,
    published_at INTEGER NOT NULL
  );

  CREATE TABLE audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject      TEXT,
    details_json TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
  );
  CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  // 2: requests belong to a relying party and carry a one-time response code; the issuer keeps
  // one active holder commitment per person (keyed by an HMAC of the ID number, never the number).
  `
  ALTER TABLE requests ADD COLUMN rp_id TEXT;
  ALTER TABLE requests ADD COLUMN redirect_uri TEXT;
  ALTER TABLE requests ADD COLUMN response_code_hash TEXT;
  ALTER TABLE requests ADD COLUMN redeemed_at INTEGER;
  CREATE INDEX requests_by_rp ON requests (rp_id, status, completed_at);

  CREATE TABLE issuer_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE holders (
    person_key        TEXT PRIMARY KEY,
    holder_commitment TEXT NOT NULL,
    serial            INTEGER NOT NULL,
    attributes_mac    TEXT NOT NULL,
    commitment_since  INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
export const DATABASE_FILE = 'zkid.sqlite';

interface RequestRow {
  id: string;
  policy: string;
  request_json: string;
  created_at: number;
  expires_at: number;
  status: StoredRequest['status'];
  completed_at: number | null;
  result_json: string | null;
  last_error_json: string | null;
  rp_id: string | null;
  redirect_uri: string | null;
  response_code_hash: string | null;
  redeemed_at: number | null;
}

interface HolderRow {
  person_key: string;
  holder_commitment: string;
  serial: number;
  attributes_mac: string;
  commitment_since: number;
  updated_at: number;
}

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  details_json: string;
  prev_hash: string;
  hash: string;
}

/** sha256 over the previous hash and the entry's fields: the audit chain link. */
export function auditHash(
  prevHash: string,
  e: { id: number; at: string; actor: string; action: string; subject: string | null; details: unknown },
): string {
  return createHash('sha256')
    .update(`${prevHash}\n${JSON.stringify([e.id, e.at, e.actor, e.action, e.subject, e.details])}`)
    .digest('hex');
}

function toHolder(r: HolderRow): HolderRecord {
  return {
    personKey: r.person_key,
    holderCommitment: r.holder_commitment,
    serial: r.serial,
    attributesMac: r.attributes_mac,
    commitmentSince: new Date(r.commitment_since),
    updatedAt: new Date(r.updated_at),
  };
}

function toAuditEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    details: JSON.parse(r.details_json) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface SqliteStoreOptions {
  /** directory for the database file; created (mode 0700) when missing */
  dataDir: string;
}

export class SqliteStore implements Store {
  readonly file: string;
  readonly #db: Database.Database;
  #closed = false;

  /**
   * Open (creating when needed) `<dataDir>/zkid.sqlite` and apply pending migrations.
   * @throws Error when the database was written by a newer schema version, or cannot be opened
   */
  constructor(o: SqliteStoreOptions) {
    mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
    this.file = join(o.dataDir, DATABASE_FILE);
    this.#db = new Database(this.file, { timeout: 0 });
    try {
      // One process owns the directory (its revocation tree lives in memory): hold an exclusive
      // lock for the connection's lifetime. The OS drops it when the process dies, even on SIGKILL.
      this.#db.pragma('locking_mode = EXCLUSIVE');
      try {
        this.#db.exec('BEGIN EXCLUSIVE; COMMIT');
      } catch (e) {
        if ((e as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
          throw new Error(`${this.file} is in use by another zkid process: a data directory belongs to one service process`, { cause: e });
        }
        throw e;
      }
      this.#db.pragma('journal_mode = WAL');
      // FULL: a commit is on disk before it is acknowledged (nullifiers and consumed challenges must survive power loss).
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('foreign_keys = ON');
      this.#db.pragma('busy_timeout = 5000');
      this.#migrate();
    } catch (e) {
      this.#db.close();
      throw e;
    }
  }

  #migrate(): void {
    const db = this.#db;
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    const current = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(`${this.file} has schema version ${current}, newer than this build's ${MIGRATIONS.length}: upgrade zkid`);
    }
    const apply = db.transaction((version: number, sql: string) => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    });
    for (let v = current + 1; v <= MIGRATIONS.length; v++) apply.immediate(v, MIGRATIONS[v - 1] as string);
  }

  /** The applied schema version. */
  get schemaVersion(): number {
    return (this.#db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v;
  }

  /** The underlying connection, for tests and maintenance tools only. */
  get database(): Database.Database {
    return this.#db;
  }

  async insertRequest(r: { request: ProofRequest; createdAt: Date; rpId?: string; redirectUri?: string }): Promise<void> {
    const q = r.request;
    this.#db
      .prepare(
        'INSERT INTO requests (id, policy, scope, request_json, created_at, expires_at, rp_id, redirect_uri) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        q.id,
        q.policy.name,
        q.scope,
        JSON.stringify(q),
        r.createdAt.getTime(),
        Date.parse(q.expiresAt),
        r.rpId ?? null,
        r.redirectUri ?? null,
      );
  }

  async getRequest(id: string): Promise<StoredRequest | undefined> {
    const row = this.#db.prepare('SELECT * FROM requests WHERE id = ?').get(id) as RequestRow | undefined;
    if (!row) return undefined;
    const out: StoredRequest = {
      id: row.id,
      policy: row.policy,
      request: JSON.parse(row.request_json) as ProofRequest,
      createdAt: new Date(row.created_at),
      expiresAt: new Date(row.expires_at),
      status: row.status,
    };
    if (row.completed_at !== null) out.completedAt = new Date(row.completed_at);
    if (row.result_json !== null) out.result = JSON.parse(row.result_json) as VerifiedResult;
    if (row.last_error_json !== null) out.lastError = JSON.parse(row.last_error_json) as StoredError;
    if (row.rp_id !== null) out.rpId = row.rp_id;
    if (row.redirect_uri !== null) out.redirectUri = row.redirect_uri;
    if (row.response_code_hash !== null) out.responseCodeHash = row.response_code_hash;
    if (row.redeemed_at !== null) out.redeemedAt = new Date(row.redeemed_at);
    return out;
  }

  async completeRequest(o: {
    id: string;
    now: Date;
    result: VerifiedResult;
    nullifier?: { scope: string; policy: string; value: string };
    responseCodeHash?: string;
  }): Promise<CompleteOutcome> {
    const db = this.#db;
    const now = o.now.getTime();
    const tx = db.transaction((): CompleteOutcome => {
      const consumed = db
        .prepare(
          `UPDATE requests SET status = 'verified', completed_at = ?, result_json = ?, response_code_hash = ?
           WHERE id = ? AND status = 'pending' AND expires_at > ?`,
        )
        .run(now, JSON.stringify(o.result), o.responseCodeHash ?? null, o.id, now);
      if (consumed.changes !== 1) {
        const row = db.prepare('SELECT status FROM requests WHERE id = ?').get(o.id) as { status: string } | undefined;
        if (!row) return 'not-found';
        return row.status === 'pending' ? 'expired' : 'already-used';
      }
      if (o.nullifier) {
        const n = o.nullifier;
        const inserted = db
          .prepare('INSERT OR IGNORE INTO nullifiers (scope, policy, nullifier, request_id, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(n.scope, n.policy, n.value, o.id, now);
        if (inserted.changes !== 1) {
          // A valid proof, but this person is already registered: the challenge is spent either way.
          const error: StoredError = {
            code: 'PSEUDONYM_ALREADY_USED',
            message: 'this person has already registered with this service under this policy',
            at: o.now.toISOString(),
          };
          db.prepare(
            `UPDATE requests SET status = 'rejected', result_json = NULL, response_code_hash = NULL, last_error_json = ? WHERE id = ?`,
          ).run(JSON.stringify(error), o.id);
          return 'nullifier-used';
        }
      }
      return 'completed';
    });
    return tx.immediate();
  }

  async recordRejection(id: string, error: StoredError): Promise<void> {
    this.#db.prepare(`UPDATE requests SET last_error_json = ? WHERE id = ? AND status = 'pending'`).run(JSON.stringify(error), id);
  }

  async redeemResult(o: { id: string; rpId: string; codeHash: string; now: Date }): Promise<RedeemOutcome> {
    const db = this.#db;
    return db
      .transaction((): RedeemOutcome => {
        const row = db
          .prepare(`SELECT status, result_json, response_code_hash, redeemed_at FROM requests WHERE id = ? AND rp_id = ?`)
          .get(o.id, o.rpId) as Pick<RequestRow, 'status' | 'result_json' | 'response_code_hash' | 'redeemed_at'> | undefined;
        if (!row) return { outcome: 'not-found' };
        const stored = row.response_code_hash;
        // Constant-time comparison of the digests: nothing about the stored hash leaks through timing.
        const matches =
          row.status === 'verified' &&
          stored !== null &&
          /^[0-9a-f]{64}$/.test(o.codeHash) &&
          timingSafeEqual(Buffer.from(stored, 'hex'), Buffer.from(o.codeHash, 'hex'));
        if (!matches || row.result_json === null) return { outcome: 'invalid' };
        // Exactly once: only the UPDATE that finds it unredeemed wins.
        const won = db.prepare('UPDATE requests SET redeemed_at = ? WHERE id = ? AND redeemed_at IS NULL').run(o.now.getTime(), o.id);
        if (won.changes !== 1) return { outcome: 'used' };
        return { outcome: 'redeemed', result: JSON.parse(row.result_json) as VerifiedResult };
      })
      .immediate();
  }

  async listSessions(o: { rpId: string; limit: number }): Promise<Session[]> {
    const rows = this.#db
      .prepare(
        `SELECT id, result_json, redeemed_at FROM requests WHERE rp_id = ? AND status = 'verified' ORDER BY completed_at DESC, id LIMIT ?`,
      )
      .all(o.rpId, o.limit) as { id: string; result_json: string; redeemed_at: number | null }[];
    return rows.map((r) => {
      const res = JSON.parse(r.result_json) as VerifiedResult;
      return {
        requestId: r.id,
        redeemed: r.redeemed_at !== null,
        policy: res.policy,
        pseudonym: res.pseudonym,
        disclosed: res.disclosed,
        verifiedAt: res.verifiedAt,
      };
    });
  }

  async purgeExpiredRequests(before: Date): Promise<number> {
    return this.#db.prepare(`DELETE FROM requests WHERE status = 'pending' AND expires_at < ?`).run(before.getTime()).changes;
  }

  async addIssuerKey(key: IssuerKeyRecord, audit: AuditInput): Promise<void> {
    const db = this.#db;
    db.transaction(() => {
      db.prepare('INSERT INTO issuer_keys (id, public_x, public_y, private_key, created_at, active) VALUES (?, ?, ?, ?, ?, ?)').run(
        key.id,
        key.publicKey[0],
        key.publicKey[1],
        key.privateKey,
        key.createdAt.getTime(),
        key.active ? 1 : 0,
      );
      this.#appendAudit(audit);
    }).immediate();
  }

  async listIssuerKeys(): Promise<IssuerKeyRecord[]> {
    const rows = this.#db.prepare('SELECT * FROM issuer_keys ORDER BY created_at, id').all() as {
      id: string;
      public_x: string;
      public_y: string;
      private_key: string;
      created_at: number;
      active: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      publicKey: [r.public_x, r.public_y],
      privateKey: r.private_key,
      createdAt: new Date(r.created_at),
      active: r.active === 1,
    }));
  }

  async isSerialIssued(serial: number): Promise<boolean> {
    return this.#db.prepare('SELECT 1 FROM credentials WHERE serial = ?').get(serial) !== undefined;
  }

  async recordIssuance(o: { serial: number; keyId: string; at: Date; audit: AuditInput }): Promise<boolean> {
    const db = this.#db;
    return db
      .transaction((): boolean => {
        const r = db
          .prepare('INSERT OR IGNORE INTO credentials (serial, key_id, issued_at) VALUES (?, ?, ?)')
          .run(o.serial, o.keyId, o.at.getTime());
        if (r.changes !== 1) return false;
        this.#appendAudit(o.audit);
        return true;
      })
      .immediate();
  }

  async countIssuedByRange(size: number): Promise<[number, number][]> {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('size must be a positive integer');
    const rows = this.#db
      .prepare('SELECT serial / CAST(? AS INTEGER) AS r, COUNT(*) AS n FROM credentials GROUP BY r ORDER BY r')
      .all(size) as {
      r: number;
      n: number;
    }[];
    return rows.map((x) => [x.r, x.n]);
  }

  async issuerSecret(name: string, create: () => string): Promise<string> {
    const db = this.#db;
    return db
      .transaction((): string => {
        const row = db.prepare('SELECT value FROM issuer_secrets WHERE name = ?').get(name) as { value: string } | undefined;
        if (row) return row.value;
        const value = create();
        db.prepare('INSERT INTO issuer_secrets (name, value, created_at) VALUES (?, ?, ?)').run(name, value, Date.now());
        return value;
      })
      .immediate();
  }

  async getHolder(personKey: string): Promise<HolderRecord | undefined> {
    const row = this.#db.prepare('SELECT * FROM holders WHERE person_key = ?').get(personKey) as HolderRow | undefined;
    return row ? toHolder(row) : undefined;
  }

  async recordHolderIssuance(o: HolderIssuance): Promise<'recorded' | 'conflict'> {
    const db = this.#db;
    const h = o.holder;
    class Conflict extends Error {}
    const tx = db.transaction((): void => {
      const current = db.prepare('SELECT * FROM holders WHERE person_key = ?').get(h.personKey) as HolderRow | undefined;
      const same =
        current === undefined
          ? o.previous === undefined
          : o.previous !== undefined && JSON.stringify(toHolder(current)) === JSON.stringify(o.previous);
      if (!same) throw new Conflict();
      if (o.newSerial) {
        const r = db
          .prepare('INSERT OR IGNORE INTO credentials (serial, key_id, issued_at) VALUES (?, ?, ?)')
          .run(o.newSerial.serial, o.newSerial.keyId, o.at.getTime());
        if (r.changes !== 1) throw new Conflict();
      }
      db.prepare(
        `INSERT INTO holders (person_key, holder_commitment, serial, attributes_mac, commitment_since, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (person_key) DO UPDATE SET holder_commitment = excluded.holder_commitment, serial = excluded.serial,
           attributes_mac = excluded.attributes_mac, commitment_since = excluded.commitment_since, updated_at = excluded.updated_at`,
      ).run(h.personKey, h.holderCommitment, h.serial, h.attributesMac, h.commitmentSince.getTime(), h.updatedAt.getTime());
      for (const c of o.revocations) this.#applyRevocation(c);
      for (const a of o.audit) this.#appendAudit(a);
    });
    try {
      tx.immediate();
      return 'recorded';
    } catch (e) {
      if (e instanceof Conflict) return 'conflict';
      throw e;
    }
  }

  async loadRevocationLeaves(): Promise<[number, string][]> {
    const rows = this.#db.prepare('SELECT leaf_index, bitmap FROM revocation_leaves ORDER BY leaf_index').all() as {
      leaf_index: number;
      bitmap: string;
    }[];
    return rows.map((r) => [r.leaf_index, r.bitmap]);
  }

  async applyRevocationChange(c: RevocationChange): Promise<void> {
    this.#db.transaction(() => this.#applyRevocation(c)).immediate();
  }

  /** One revocation change inside the caller's transaction. */
  #applyRevocation(c: RevocationChange): void {
    const db = this.#db;
    {
      const latest = (db.prepare('SELECT MAX(revision) AS r FROM revocation_roots').get() as { r: number | null }).r;
      if (latest !== null && c.revision !== latest + 1) {
        throw new Error(`revision ${c.revision} does not follow the stored revision ${latest}`);
      }
      if (c.bitmap === '0') db.prepare('DELETE FROM revocation_leaves WHERE leaf_index = ?').run(c.leafIndex);
      else {
        db.prepare(
          'INSERT INTO revocation_leaves (leaf_index, bitmap) VALUES (?, ?) ON CONFLICT (leaf_index) DO UPDATE SET bitmap = excluded.bitmap',
        ).run(c.leafIndex, c.bitmap);
      }
      db.prepare('INSERT INTO revocation_roots (revision, root, published_at) VALUES (?, ?, ?)').run(c.revision, c.root, c.at.getTime());
      this.#appendAudit(c.audit);
    }
  }

  async initRootHistory(root: RootRecord): Promise<void> {
    this.#db
      .prepare(
        'INSERT INTO revocation_roots (revision, root, published_at) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM revocation_roots)',
      )
      .run(root.revision, root.root, root.publishedAt.getTime());
  }

  async listRoots(o: { limit: number }): Promise<RootRecord[]> {
    const rows = this.#db
      .prepare('SELECT revision, root, published_at FROM revocation_roots ORDER BY revision DESC LIMIT ?')
      .all(o.limit) as {
      revision: number;
      root: string;
      published_at: number;
    }[];
    return rows.map((r) => ({ revision: r.revision, root: r.root, publishedAt: new Date(r.published_at) }));
  }

  async appendAudit(entry: AuditInput): Promise<AuditEntry> {
    return this.#db.transaction(() => this.#appendAudit(entry)).immediate();
  }

  /** Append inside the caller's transaction: the chain link needs the previous hash. */
  #appendAudit(e: AuditInput): AuditEntry {
    const db = this.#db;
    const prev = db.prepare('SELECT hash FROM audit ORDER BY id DESC LIMIT 1').get() as { hash: string } | undefined;
    const prevHash = prev?.hash ?? AUDIT_GENESIS;
    const next = ((db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'audit'`).get() as { seq: number } | undefined)?.seq ?? 0) + 1;
    const fields = {
      id: next,
      at: e.at.toISOString(),
      actor: e.actor,
      action: e.action,
      subject: e.subject ?? null,
      details: e.details ?? {},
    };
    const hash = auditHash(prevHash, fields);
    db.prepare('INSERT INTO audit (id, at, actor, action, subject, details_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      next,
      e.at.getTime(),
      fields.actor,
      fields.action,
      fields.subject,
      JSON.stringify(fields.details),
      prevHash,
      hash,
    );
    return { ...fields, prevHash, hash };
  }

  async listAudit(o: { after?: number; limit: number }): Promise<AuditEntry[]> {
    const rows = this.#db.prepare('SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?').all(o.after ?? 0, o.limit) as AuditRow[];
    return rows.map(toAuditEntry);
  }

  async ping(): Promise<void> {
    this.#db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Fold the WAL back into the main file so the directory holds one self-contained database.
    try {
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.#db.close();
    }
  }
}

/** Open the SQLite store in a data directory (created when missing). */
export function openSqliteStore(dataDir: string): SqliteStore {
  return new SqliteStore({ dataDir });
}
