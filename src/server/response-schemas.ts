/**
 * Response body schemas (zod) of the service: what the routes answer, for the OpenAPI document
 * (routes/table.ts, openapi.ts) and for tests that parse real answers with them. The service
 * builds its answers from typed objects, not from these schemas; the type checks at the end of
 * this file fail to compile when a schema and the type it describes drift apart.
 */
import { z } from 'zod';
import { SLOT_NAMES } from '../credential/schema.ts';
import type { Predicate } from '../policy.ts';
import { REQUEST_VERSION } from '../request.ts';
import { BUCKET_FORMAT } from '../revocation/bucket.ts';
import { SNAPSHOT_FORMAT } from '../revocation/snapshot.ts';
import type { AuditVerdict } from '../store/audit-verify.ts';
import type { AuditEntry as StoredAuditEntry, Session as StoredSession } from '../store/store.ts';
import type { IssuedCredential as IssuedView, PublicIssuerKey } from './issuer-service.ts';
import { rootRecord } from './registry-schemas.ts';
import type { RevocationOutcome as OutcomeView, ServedBucket } from './revocation-registry.ts';
import { fieldElementString as decimal } from './schemas.ts';
import type { AcceptedView, CreatedRequestView, HolderRequestView, RedeemedView, RequestStatusView } from './verifier-service.ts';

/** An ISO 8601 time in UTC (Date.toISOString). */
const isoTime = z.iso.datetime();
const int = z.number().int();
const pair = z.tuple([decimal, decimal]);
const shape = z.strictObject({ arityBits: int, levels: int });
const disclosed = z.record(z.string(), z.union([z.string(), z.number()])).meta({ description: 'disclosed slots by name' });
const requestState = z.enum(['pending', 'verified', 'rejected', 'expired']);

const slotName = z.enum(SLOT_NAMES);
const predicate = z.union([
  z.strictObject({ attribute: slotName, op: z.enum(['EQ', 'NE', 'LT', 'LTE', 'GT', 'GTE']), value: int }),
  z.strictObject({ attribute: slotName, op: z.literal('BETWEEN'), value: z.tuple([int, int]) }),
  z.strictObject({ attribute: slotName, op: z.enum(['IN', 'NIN']), value: z.array(z.union([int, z.string()])) }),
  z.strictObject({ attribute: z.literal('birthDate'), op: z.literal('AGE_GTE'), value: int }),
]);

export const policy = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  predicates: z.array(predicate),
  disclose: z.array(slotName),
  identifying: z.boolean().optional(),
});

const artifactRef = z.strictObject({ url: z.string(), sha256: z.string() });

export const proofRequest = z.strictObject({
  version: z.literal(REQUEST_VERSION),
  id: z.string(),
  circuit: z.string(),
  policy,
  serviceId: z.string(),
  scope: decimal,
  challenge: decimal,
  today: int.meta({ description: 'YYYYMMDD' }),
  issuers: z.array(pair).meta({ description: 'accepted issuer public keys [Ax, Ay]' }),
  roots: z.array(decimal).meta({ description: 'accepted revocation roots, newest first' }),
  expiresAt: isoTime,
  artifacts: z.strictObject({ wasm: artifactRef, zkey: artifactRef, vkey: artifactRef.optional() }).optional(),
});

export const createdRequest = z.strictObject({
  request: proofRequest,
  requestUri: z.string().meta({ description: 'the holder view: <service>/v1/requests/{id}/holder' }),
  walletUrl: z.string().meta({ description: '<walletBaseUrl>/?request_uri=<requestUri>' }),
});

const storedError = z.strictObject({ code: z.string(), message: z.string() });

export const requestStatus = z.strictObject({
  id: z.string(),
  policy: z.string(),
  status: requestState,
  createdAt: isoTime,
  expiresAt: isoTime,
  request: proofRequest.optional(),
  redirectUri: z.string().optional(),
  redeemed: z.boolean(),
  error: storedError.optional().meta({ description: 'why the request was rejected, or why the last presentation for it was' }),
});

export const holderRequest = z.strictObject({
  status: requestState,
  relyingParty: z.strictObject({ name: z.string() }),
  request: proofRequest.optional().meta({ description: 'while pending' }),
  redirectUri: z.string().optional(),
  gracePeriodSeconds: int,
  ticket: z
    .string()
    .optional()
    .meta({ description: 'while pending: the request sealed by the service; send it back with the presentation, unchanged' }),
});

export const verified = z.strictObject({
  verified: z.literal(true),
  requestId: z.string(),
  policy: z.string(),
  pseudonym: decimal.meta({ description: 'Poseidon(holderSecret, scope): stable at this service, unlinkable across services' }),
  disclosed,
  verifiedAt: isoTime,
  responseCode: z.string().meta({ description: 'one-time code for the relying party (256 bits, base64url)' }),
  redirectTo: z.string().optional().meta({ description: 'redirectUri with response_code added' }),
});

export const result = z.strictObject({
  requestId: z.string(),
  policy: z.string(),
  pseudonym: decimal,
  disclosed,
  issuer: pair,
  root: decimal,
  verifiedAt: isoTime,
});

export const session = z.strictObject({
  requestId: z.string(),
  redeemed: z.boolean(),
  policy: z.string(),
  pseudonym: decimal,
  disclosed,
  verifiedAt: isoTime,
});
export const sessions = z.strictObject({ sessions: z.array(session) });

export const credentialAttributes = z.strictObject({
  idNumber: z.string(),
  birthDate: int.meta({ description: 'YYYYMMDD' }),
  validUntil: int.meta({ description: 'YYYYMMDD' }),
  region: int,
  nationality: int,
  documentType: int,
});

export const credential = z.strictObject({
  schema: z.literal('zkid/credential/v1'),
  attributes: credentialAttributes,
  serial: decimal,
  holderCommitment: decimal,
  issuer: z.strictObject({ publicKey: pair }),
  signature: z.strictObject({ R8: pair, S: decimal }),
});

export const issuedCredential = z.strictObject({
  credential,
  serial: decimal,
  keyId: z.string(),
  bucket: int.meta({ description: 'the revocation bucket holding the serial (GET /v1/registry/buckets/{bucket})' }),
  holder: z.enum(['new', 'same', 'updated', 'rekeyed']),
  revokedSerial: decimal.optional().meta({ description: 'the serial this issuance revoked (updated, rekeyed)' }),
});

export const revocationOutcome = z.strictObject({
  serial: decimal,
  revoked: z.boolean(),
  changed: z.boolean().meta({ description: 'false when the serial already had that state (nothing was written)' }),
  root: decimal,
  revision: int,
});

export const issuerKey = z.strictObject({ id: z.string(), publicKey: pair, createdAt: isoTime, active: z.boolean() });
export const issuerKeys = z.strictObject({ keys: z.array(issuerKey) });

export const auditEntry = z.strictObject({
  id: int,
  at: isoTime,
  actor: z.string(),
  action: z.string(),
  subject: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string().meta({ description: 'sha256(prevHash + "\\n" + JSON([id, at, actor, action, subject, details]))' }),
});
export const auditPage = z.strictObject({
  entries: z.array(auditEntry),
  next: int.nullable().meta({ description: 'pass as after for the next page; null at the end' }),
});
export const auditVerdict = z.union([
  z.strictObject({ valid: z.literal(true), entries: int, headHash: z.string(), headId: int }),
  z.strictObject({ valid: z.literal(false), entries: int, brokenAt: int, reason: z.string() }),
]);

export const rootInfo = z.strictObject({
  root: decimal,
  revision: int,
  publishedAt: isoTime,
  shape,
  bucketBits: int,
  accepted: z.array(decimal).meta({ description: 'the roots verifiers accept now' }),
  window: z.strictObject({ count: int, maxAgeSeconds: int }),
  issued: int.meta({ description: 'credentials issued and not revoked' }),
  snapshotBytes: int.meta({ description: 'size of the gzip-compressed snapshot' }),
  rootRecord,
});

const leaves = z.array(z.tuple([int, decimal])).meta({ description: 'non-empty leaves [leafIndex, bitmap], by increasing index' });
const issuedCount = int.meta({ description: 'live credentials covered: the anonymity set of a holder who fetched this' });
export const bucket = z.strictObject({
  format: z.literal(BUCKET_FORMAT),
  shape,
  bucketBits: int,
  bucketIndex: int,
  root: decimal,
  revision: int,
  leaves,
  nodes: z.array(z.tuple([int, int, decimal])).meta({ description: '[level, index, hash] of every boundary node' }),
  issuedCount,
  rootRecord,
});
export const snapshot = z.strictObject({
  format: z.literal(SNAPSHOT_FORMAT),
  shape,
  root: decimal,
  revision: int,
  leaves,
  issuedCount,
  rootRecord,
});

export const info = z.strictObject({
  serviceId: z.string(),
  scope: decimal,
  roles: z.strictObject({ verifier: z.boolean(), issuer: z.boolean(), registry: z.boolean() }),
  circuit: z.string(),
  demo: z.boolean(),
  policies: z.array(policy.extend({ unique: z.boolean() })),
  trustedIssuers: z.array(pair),
  walletBaseUrl: z.string(),
  gracePeriodSeconds: int.meta({ description: 'roots.maxAgeSeconds' }),
  rootCount: int.meta({ description: 'roots.count' }),
});

export const health = z.strictObject({ status: z.literal('ok') });
export const openApiDocument = z.looseObject({ openapi: z.literal('3.1.0') });
export const metricsText = z.string();
export const binary = z.string().meta({ format: 'binary' });

// ---- compile-time: each schema describes exactly the type its route answers with ----

/** Both ways assignable: the schema neither misses a field of the type nor adds one of its own. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
/** JSON serialisation of a stored type: Dates become ISO strings. */
type Json<T> = T extends Date ? string : T extends object ? { [K in keyof T]: Json<T[K]> } : T;

export type SchemasMatchTypes = [
  Holds<Same<z.output<typeof predicate>, Predicate>>,
  Holds<Same<z.output<typeof createdRequest>, CreatedRequestView>>,
  Holds<Same<z.output<typeof requestStatus>, RequestStatusView>>,
  Holds<Same<z.output<typeof holderRequest>, HolderRequestView>>,
  Holds<Same<z.output<typeof verified>, AcceptedView>>,
  Holds<Same<z.output<typeof result>, RedeemedView>>,
  Holds<Same<z.output<typeof session>, StoredSession>>,
  Holds<Same<z.output<typeof issuedCredential>, IssuedView>>,
  Holds<Same<z.output<typeof revocationOutcome>, OutcomeView>>,
  Holds<Same<z.output<typeof issuerKey>, PublicIssuerKey>>,
  Holds<Same<z.output<typeof auditEntry>, Json<StoredAuditEntry>>>,
  Holds<Same<z.output<typeof auditVerdict>, AuditVerdict>>,
  Holds<Same<z.output<typeof bucket>, ServedBucket>>,
];
