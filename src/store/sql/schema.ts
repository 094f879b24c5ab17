/**
 * The schema of both engines, migration by migration, side by side: the same tables, columns and
 * keys (times as epoch milliseconds in INTEGER / BIGINT, JSON as TEXT, booleans as 0/1), so the
 * shared SQL and row mapping serve both. The index + 1 is the version; both lists have the same
 * length. Never edit a released entry: append one to each list.
 */

export const SQLITE_MIGRATIONS: readonly string[] = [
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
  // 3: the issuer's signatures of each published root (JSON array; NULL: unsigned).
  `
  ALTER TABLE revocation_roots ADD COLUMN signatures_json TEXT;
  `,
];

/** PostgreSQL: serials (< 252 * 2^24) and millisecond times need BIGINT; audit ids are assigned under the chain lock. */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE requests (
    id              TEXT PRIMARY KEY,
    policy          TEXT NOT NULL,
    scope           TEXT NOT NULL,
    request_json    TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'verified', 'rejected')),
    completed_at    BIGINT,
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
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, policy, nullifier)
  );

  CREATE TABLE issuer_keys (
    id          TEXT PRIMARY KEY,
    public_x    TEXT NOT NULL,
    public_y    TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
  );

  CREATE TABLE credentials (
    serial    BIGINT PRIMARY KEY,
    key_id    TEXT NOT NULL,
    issued_at BIGINT NOT NULL
  );

  CREATE TABLE revocation_leaves (
    leaf_index INTEGER PRIMARY KEY,
    bitmap     TEXT NOT NULL
  );

  CREATE TABLE revocation_roots (
    revision     INTEGER PRIMARY KEY,
    root         TEXT NOT NULL,
    published_at BIGINT NOT NULL
  );

  CREATE TABLE audit (
    id           BIGINT PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject      TEXT,
    details_json TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
  );
  CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit log is append-only'; END
  $$;
  CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
  CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
  `,
  `
  ALTER TABLE requests ADD COLUMN rp_id TEXT;
  ALTER TABLE requests ADD COLUMN redirect_uri TEXT;
  ALTER TABLE requests ADD COLUMN response_code_hash TEXT;
  ALTER TABLE requests ADD COLUMN redeemed_at BIGINT;
  CREATE INDEX requests_by_rp ON requests (rp_id, status, completed_at);

  CREATE TABLE issuer_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );

  CREATE TABLE holders (
    person_key        TEXT PRIMARY KEY,
    holder_commitment TEXT NOT NULL,
    serial            BIGINT NOT NULL,
    attributes_mac    TEXT NOT NULL,
    commitment_since  BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
  );
  `,
  `
  ALTER TABLE revocation_roots ADD COLUMN signatures_json TEXT;
  `,
];

if (SQLITE_MIGRATIONS.length !== POSTGRES_MIGRATIONS.length) throw new Error('the SQLite and PostgreSQL migration lists differ in length');

/** The schema version this build writes. */
export const SCHEMA_VERSION = SQLITE_MIGRATIONS.length;

/**
 * Refuse a database written by a newer build (it would be misread).
 * @throws Error naming the database and both versions
 */
export function checkSchemaVersion(current: number, what: string): void {
  if (current > SCHEMA_VERSION) {
    throw new Error(`${what} has schema version ${current}, newer than this build's ${SCHEMA_VERSION}: upgrade zkid`);
  }
}
