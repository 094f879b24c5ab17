/**
 * The service's persistent state behind one interface: proof requests (single-use challenges,
 * owned by a relying party, with a one-time response code kept as its hash), nullifiers per
 * (scope, policy), issuer keys and secrets, issued serials, the issuer's holder records (one active
 * holder commitment per person, keyed by an HMAC of the ID number), revocation leaves and root
 * history, and the append-only audit log.
 *
 * Every method that changes more than one thing is one atomic operation of the store (a database
 * transaction), so a crash in the middle leaves either all of it or none of it. The methods are
 * asynchronous: one implementation (src/store/sql/) runs on the embedded default, SQLite
 * (src/store/sqlite.ts), and on PostgreSQL for several instances on one database
 * (src/store/postgres.ts); src/store/open.ts picks one by DATABASE_URL.
 *
 * Times are JavaScript Dates; big numbers (roots, nullifiers, bitmaps, keys) are decimal strings.
 */
import type { ProofRequest } from '../request.ts';
import type { RootRecord, RootSignature } from '../revocation/root.ts';

export type { RootRecord, RootSignature };

export type RequestStatus = 'pending' | 'verified' | 'rejected';

/** What a successful verification established (kept as the session's record). */
export interface VerifiedResult {
  pseudonym: string;
  disclosed: Record<string, string | number>;
  policy: string;
  issuer: [string, string];
  root: string;
  verifiedAt: string;
}

export interface StoredError {
  code: string;
  message: string;
  at: string;
}

export interface StoredRequest {
  id: string;
  policy: string;
  /** the relying party that created the request (undefined for rows older than schema 2: nobody's) */
  rpId?: string;
  /** where the holder's browser returns after presenting (with the response code) */
  redirectUri?: string;
  /** sha256 (hex) of the one-time response code issued with the verified result */
  responseCodeHash?: string;
  /** when the relying party redeemed the response code for the result */
  redeemedAt?: Date;
  /** the request exactly as it was issued (the verifier checks against this copy, never the holder's) */
  request: ProofRequest;
  createdAt: Date;
  expiresAt: Date;
  status: RequestStatus;
  completedAt?: Date;
  result?: VerifiedResult;
  /** the last rejection of a presentation for this request (a pending request may be retried) */
  lastError?: StoredError;
}

/** Outcome of {@link Store.completeRequest}. */
export type CompleteOutcome =
  /** the challenge was consumed and the result recorded */
  | 'completed'
  /** no such request */
  | 'not-found'
  /** the challenge had already been consumed (by a concurrent or earlier submission) */
  | 'already-used'
  /** the request expired before it could be consumed */
  | 'expired'
  /** the policy wants one pseudonym per person and this one was already registered: the challenge is consumed, the request rejected */
  | 'nullifier-used';

export interface IssuerKeyRecord {
  /** short identifier: the first 16 hex characters of sha256("Ax:Ay") */
  id: string;
  publicKey: [string, string];
  /** 64 hex characters; never leaves the issuer role */
  privateKey: string;
  createdAt: Date;
  active: boolean;
}

export interface AuditInput {
  at: Date;
  /** who did it: 'admin', 'demo', 'system' */
  actor: string;
  /** e.g. 'credential.issued', 'serial.revoked', 'serial.unrevoked', 'issuer-key.created' */
  action: string;
  subject?: string;
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
  /** hash of the previous entry ('0' * 64 for the first) */
  prevHash: string;
  /** sha256 over prevHash and this entry's fields: the log is a hash chain, so an edit or deletion shows */
  hash: string;
}

/** A change of one revocation leaf, with the root it produces. */
export interface RevocationChange {
  leafIndex: number;
  /** the leaf's new bitmap ('0' removes it) */
  bitmap: string;
  /** the new tree revision; must be the latest stored revision + 1 */
  revision: number;
  root: string;
  at: Date;
  /** the issuer's signatures of the new root record (see src/revocation/root.ts) */
  signatures?: RootSignature[];
  audit: AuditInput;
}

export interface Session {
  requestId: string;
  /** the relying party has redeemed the response code for this result */
  redeemed: boolean;
  policy: string;
  pseudonym: string;
  disclosed: Record<string, string | number>;
  verifiedAt: string;
}

/** Outcome of {@link Store.redeemResult}. */
export type RedeemOutcome =
  | { outcome: 'redeemed'; result: VerifiedResult }
  /** no such request for this relying party */
  | { outcome: 'not-found' }
  /** no response code was issued for the request, or it is not this one */
  | { outcome: 'invalid' }
  /** the response code was already redeemed */
  | { outcome: 'used' };

/** The issuer's record of a person: the one active holder commitment and its credential serial. */
export interface HolderRecord {
  /** HMAC-SHA256(issuer secret, encoded idNumber), hex: not a plain list of ID numbers */
  personKey: string;
  holderCommitment: string;
  /** the serial of the person's active credential */
  serial: number;
  /** HMAC of the attributes last signed (a change of attributes gets a new serial) */
  attributesMac: string;
  /** when this holder commitment was first issued for the person (the re-keying limit counts from here) */
  commitmentSince: Date;
  updatedAt: Date;
}

/** One issuance for a person: see {@link Store.recordHolderIssuance}. */
export interface HolderIssuance {
  /** the new holder record */
  holder: HolderRecord;
  /** the record this one replaces, exactly as read (undefined: the person is new); checked in the transaction */
  previous: HolderRecord | undefined;
  /** a newly allocated serial (absent when the current serial is signed again) */
  newSerial?: { serial: number; keyId: string };
  /** revocation changes that go with it (the previous serial, on a re-keying) */
  revocations: RevocationChange[];
  /** further audit entries (the revocation changes carry their own) */
  audit: AuditInput[];
  at: Date;
}

export interface Store {
  /** Create the request row of a freshly issued proof request (status pending), owned by a relying party. */
  insertRequest(r: { request: ProofRequest; createdAt: Date; rpId?: string; redirectUri?: string }): Promise<void>;
  getRequest(id: string): Promise<StoredRequest | undefined>;
  /**
   * Atomically consume a pending, unexpired request's challenge and record the result; where
   * `nullifier` is given, also register it for (scope, policy), and when it is already registered
   * consume the challenge but reject the request ('nullifier-used'). One transaction.
   */
  completeRequest(o: {
    id: string;
    now: Date;
    result: VerifiedResult;
    nullifier?: { scope: string; policy: string; value: string };
    /** sha256 (hex) of the one-time response code handed to the holder */
    responseCodeHash?: string;
  }): Promise<CompleteOutcome>;
  /**
   * Redeem a verified request's one-time response code (given as its sha256, hex) for the
   * result, exactly once: a conditional UPDATE marks it redeemed, so of concurrent redemptions
   * exactly one succeeds.
   */
  redeemResult(o: { id: string; rpId: string; codeHash: string; now: Date }): Promise<RedeemOutcome>;
  /** Remember why the last presentation for a pending request was rejected (the request stays usable). */
  recordRejection(id: string, error: StoredError): Promise<void>;
  /** A relying party's verified requests, newest first. */
  listSessions(o: { rpId: string; limit: number }): Promise<Session[]>;
  /** Delete pending requests that expired before `before` (consumed ones are kept). @returns how many */
  purgeExpiredRequests(before: Date): Promise<number>;

  /** Add an issuer key and its audit entry in one transaction. */
  addIssuerKey(key: IssuerKeyRecord, audit: AuditInput): Promise<void>;
  /**
   * Add `key` (and its audit entry) only when the store holds no active issuer key, in one
   * transaction serialised with every other such call, so instances starting together on an
   * empty database agree on one first key.
   * @returns the newest active key: the one stored before, or `key`
   */
  addFirstIssuerKey?(key: IssuerKeyRecord, audit: AuditInput): Promise<IssuerKeyRecord>;
  listIssuerKeys(): Promise<IssuerKeyRecord[]>;

  /** Whether a serial has been allocated to a credential. */
  isSerialIssued(serial: number): Promise<boolean>;
  /**
   * Record an issued credential's serial and its audit entry in one transaction.
   * @returns false (and records nothing) when the serial was already allocated
   */
  recordIssuance(o: { serial: number; keyId: string; at: Date; audit: AuditInput }): Promise<boolean>;

  /** Issued serials per range of `size` serials: [floor(serial / size), count], by range. */
  countIssuedByRange(size: number): Promise<[number, number][]>;
  /** A named secret of this deployment (the issuer's person key, the verifier's request-ticket key), created with `create()` (and kept) when absent; every instance of one database reads the same. */
  issuerSecret(name: string, create: () => string): Promise<string>;
  getHolder(personKey: string): Promise<HolderRecord | undefined>;
  /**
   * One issuance for a person, all or nothing: the holder record (only if it is still exactly
   * `previous`), the new serial, the revocation changes (leaves, roots), the audit entries.
   * @returns 'conflict' (and writes nothing) when the holder record changed meanwhile or the
   *   new serial was already allocated
   */
  recordHolderIssuance(o: HolderIssuance): Promise<'recorded' | 'conflict'>;

  /** All non-empty revocation leaves [leafIndex, bitmap]. */
  loadRevocationLeaves(): Promise<[number, string][]>;
  /** Apply one leaf change: the leaf, the new root in the history and the audit entry, in one transaction. */
  applyRevocationChange(change: RevocationChange): Promise<void>;
  /** Record the first root (revision 0) when the history is empty; otherwise does nothing. */
  initRootHistory(root: RootRecord): Promise<void>;
  /** Root history, newest first. */
  listRoots(o: { limit: number }): Promise<RootRecord[]>;
  /**
   * Set the signatures of a stored root record (an issuer signing roots stored before it signed
   * them), only where the stored root is `root`.
   * @returns whether a record was changed
   */
  setRootSignatures(o: { revision: number; root: string; signatures: RootSignature[] }): Promise<boolean>;

  appendAudit(entry: AuditInput): Promise<AuditEntry>;
  /** Audit entries with id > after, oldest first. */
  listAudit(o: { after?: number; limit: number }): Promise<AuditEntry[]>;

  /** A cheap liveness query (for /healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The first audit entry's prevHash. */
export const AUDIT_GENESIS = '0'.repeat(64);
