/**
 * Row shapes of the store's tables and their mapping to the records of src/store/store.ts, shared
 * by both engines: times are epoch milliseconds, JSON is text, booleans are 0/1. PostgreSQL
 * returns BIGINT columns as numbers too (the engine installs a parser; every value is below
 * 2^53), and `num` accepts a decimal string anyway.
 */
import type { ProofRequest } from '../../request.ts';
import type {
  AuditEntry,
  HolderRecord,
  IssuerKeyRecord,
  RootRecord,
  RootSignature,
  StoredError,
  StoredRequest,
  VerifiedResult,
} from '../store.ts';

/** A numeric column as a number (PostgreSQL may hand BIGINT and COUNT over as strings). */
export function num(v: number | string | bigint): number {
  return typeof v === 'number' ? v : Number(v);
}

export interface RequestRow {
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

export function toStoredRequest(row: RequestRow): StoredRequest {
  const out: StoredRequest = {
    id: row.id,
    policy: row.policy,
    request: JSON.parse(row.request_json) as ProofRequest,
    createdAt: new Date(num(row.created_at)),
    expiresAt: new Date(num(row.expires_at)),
    status: row.status,
  };
  if (row.completed_at !== null) out.completedAt = new Date(num(row.completed_at));
  if (row.result_json !== null) out.result = JSON.parse(row.result_json) as VerifiedResult;
  if (row.last_error_json !== null) out.lastError = JSON.parse(row.last_error_json) as StoredError;
  if (row.rp_id !== null) out.rpId = row.rp_id;
  if (row.redirect_uri !== null) out.redirectUri = row.redirect_uri;
  if (row.response_code_hash !== null) out.responseCodeHash = row.response_code_hash;
  if (row.redeemed_at !== null) out.redeemedAt = new Date(num(row.redeemed_at));
  return out;
}

export interface HolderRow {
  person_key: string;
  holder_commitment: string;
  serial: number;
  attributes_mac: string;
  commitment_since: number;
  updated_at: number;
}

export function toHolder(r: HolderRow): HolderRecord {
  return {
    personKey: r.person_key,
    holderCommitment: r.holder_commitment,
    serial: num(r.serial),
    attributesMac: r.attributes_mac,
    commitmentSince: new Date(num(r.commitment_since)),
    updatedAt: new Date(num(r.updated_at)),
  };
}

export interface IssuerKeyRow {
  id: string;
  public_x: string;
  public_y: string;
  private_key: string;
  created_at: number;
  active: number;
}

export function toIssuerKey(r: IssuerKeyRow): IssuerKeyRecord {
  return {
    id: r.id,
    publicKey: [r.public_x, r.public_y],
    privateKey: r.private_key,
    createdAt: new Date(num(r.created_at)),
    active: num(r.active) === 1,
  };
}

export interface RootRow {
  revision: number;
  root: string;
  published_at: number;
  /** JSON array of RootSignature; null for roots stored unsigned (before schema 3, or by no issuer) */
  signatures_json: string | null;
}

export function toRoot(r: RootRow): RootRecord {
  const out: RootRecord = { revision: num(r.revision), root: r.root, publishedAt: new Date(num(r.published_at)) };
  if (r.signatures_json !== null) out.signatures = JSON.parse(r.signatures_json) as RootSignature[];
  return out;
}

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  details_json: string;
  prev_hash: string;
  hash: string;
}

export function toAuditEntry(r: AuditRow): AuditEntry {
  return {
    id: num(r.id),
    at: new Date(num(r.at)).toISOString(),
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    details: JSON.parse(r.details_json) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
