/**
 * The route table: every operation of the service with its method, path, roles, authentication,
 * summary, request schemas (path, query, body), response schemas and error codes. It is the one
 * source of the OpenAPI document (openapi.ts) and registers the routes it names (`route`), so a
 * path is written once. test/server/openapi.test.ts checks that the app serves exactly the
 * operations the table documents for a configuration, in both directions.
 *
 * Schemas are zod (schemas.ts for requests, response-schemas.ts for answers); a schema that
 * depends on the configuration (the offered policies, the circuit's signal count) is a function of it.
 */
import type { Express, RequestHandler } from 'express';
import type { z } from 'zod';
import { circuitParams, publicSignalNames } from '../../circuit/registry.ts';
import type { ServiceConfig } from '../config.ts';
import type { HttpErrorCode } from '../http-error.ts';
import { rootHistory, rootsQuery } from '../registry-schemas.ts';
import * as res from '../response-schemas.ts';
import {
  artifactParams,
  artifactQuery,
  bucketParams,
  createRequestBody,
  enrolBody,
  issueCredentialBody,
  limitQuery,
  pageQuery,
  presentationBody,
  redeemBody,
  requestIdParams,
  revokeBody,
  serialParams,
} from '../schemas.ts';

type Role = keyof ServiceConfig['roles'];
export type SecurityScheme = 'adminToken' | 'relyingPartyKey' | 'metricsToken';
type PerConfig<T> = T | ((config: ServiceConfig) => T);

/** A schema with its name in the document's components. */
export interface Named {
  name: string;
  schema: PerConfig<z.ZodType>;
}

export interface ResponseSpec {
  description: string;
  /** a JSON body */
  body?: Named;
  /** another content type, with the JSON Schema of its body */
  content?: { type: string; schema: z.ZodType };
  headers?: Record<string, { description: string }>;
}

export interface RouteSpec {
  method: 'get' | 'post' | 'delete';
  /** Express form: /v1/requests/:id */
  path: string;
  tag: 'operations' | 'verifier' | 'holder' | 'issuer' | 'demo' | 'registry';
  /** served when any of these roles is enabled; always when absent */
  roles?: Role[];
  /** served only on demo instances (config.demo) */
  demo?: true;
  auth?: PerConfig<SecurityScheme | undefined>;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: Named;
  /** success and other non-error answers by status; errors come from `errors` */
  responses: Record<number, ResponseSpec>;
  errors: PerConfig<HttpErrorCode[]>;
}

const COMMON: HttpErrorCode[] = ['RATE_LIMITED', 'INTERNAL_ERROR', 'STORE_UNAVAILABLE'];
const JSON_BODY: HttpErrorCode[] = ['MALFORMED_JSON', 'INVALID_BODY', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

const json = (name: string, schema: PerConfig<z.ZodType>, description: string): ResponseSpec => ({
  description,
  body: { name, schema },
});

/** The operations, by operationId. */
export const ROUTES = {
  health: {
    method: 'get',
    path: '/healthz',
    tag: 'operations',
    summary: 'Readiness: 200 once the store is open and the verifier is warm; 503 while shutting down',
    responses: { 200: json('Health', res.health, 'ready') },
    errors: ['SHUTTING_DOWN', 'NOT_READY'],
  },
  metrics: {
    method: 'get',
    path: '/metrics',
    tag: 'operations',
    auth: (c) => (c.metricsToken ? 'metricsToken' : undefined),
    summary: 'Prometheus metrics (text exposition format 0.0.4)',
    responses: { 200: { description: 'metrics', content: { type: 'text/plain', schema: res.metricsText } } },
    errors: (c) => (c.metricsToken ? ['UNAUTHORIZED'] : []),
  },
  openapi: {
    method: 'get',
    path: '/openapi.json',
    tag: 'operations',
    summary: 'This document',
    responses: { 200: json('OpenApiDocument', res.openApiDocument, 'OpenAPI 3.1 document') },
    errors: [],
  },
  info: {
    method: 'get',
    path: '/v1/info',
    tag: 'operations',
    summary: 'Service identity, roles, circuit, offered policies and trusted issuer keys',
    responses: { 200: json('Info', res.info, 'service information') },
    errors: COMMON,
  },

  createRequest: {
    method: 'post',
    path: '/v1/requests',
    tag: 'verifier',
    roles: ['verifier'],
    auth: 'relyingPartyKey',
    summary: "Create a proof request for a configured policy (the relying party's API key)",
    description:
      "The request carries the relying party's own serviceId (its scope), a fresh single-use challenge, today (UTC, or the given date within the tolerance), the accepted issuer keys and revocation roots, the circuit and its artifact URLs with sha256, and expiresAt. Send the holder to walletUrl; after a successful presentation the holder's browser returns to redirectUri with response_code, which the relying party redeems at /v1/requests/{id}/result.",
    body: {
      name: 'CreateRequest',
      // The offered policies are the configuration's: anything else is UNKNOWN_POLICY.
      schema: (c) => {
        const names = Object.keys(c.policies);
        return names.length === 0
          ? createRequestBody
          : createRequestBody.extend({ policy: createRequestBody.shape.policy.meta({ enum: names }) });
      },
    },
    responses: {
      201: {
        ...json('CreatedRequest', res.createdRequest, 'the proof request'),
        headers: { Location: { description: '/v1/requests/{id}' } },
      },
    },
    errors: ['UNAUTHORIZED', ...JSON_BODY, 'UNKNOWN_POLICY', 'INVALID_REDIRECT_URI', 'INVALID_DATE', 'TODAY_OUT_OF_RANGE', ...COMMON],
  },
  requestStatus: {
    method: 'get',
    path: '/v1/requests/:id',
    tag: 'verifier',
    roles: ['verifier'],
    auth: 'relyingPartyKey',
    summary: "A proof request's status (pending, verified, rejected, expired), never its result (the relying party's API key)",
    description: "Another relying party's request is answered 404, like a missing one.",
    params: requestIdParams,
    responses: { 200: json('RequestStatus', res.requestStatus, 'status') },
    errors: ['UNAUTHORIZED', 'REQUEST_NOT_FOUND', ...COMMON],
  },
  redeemResult: {
    method: 'post',
    path: '/v1/requests/:id/result',
    tag: 'verifier',
    roles: ['verifier'],
    auth: 'relyingPartyKey',
    summary: "Redeem the one-time response code for the verified result (the relying party's API key), exactly once",
    params: requestIdParams,
    body: { name: 'Redeem', schema: redeemBody },
    responses: { 200: json('Result', res.result, 'the result') },
    errors: ['UNAUTHORIZED', ...JSON_BODY, 'REQUEST_NOT_FOUND', 'INVALID_RESPONSE_CODE', 'RESPONSE_CODE_USED', ...COMMON],
  },
  holderView: {
    method: 'get',
    path: '/v1/requests/:id/holder',
    tag: 'holder',
    roles: ['verifier'],
    summary: "The holder's view of a request: status, the relying party's name, the request and its ticket while pending, the redirect URI",
    description:
      'Public, any origin (Access-Control-Allow-Origin: *). Never shows the result. The ticket is the request (and redirect URI) sealed by the service with a key its instances share: sent back with the presentation, it spares the service a read of the request; it carries nothing the view does not show.',
    params: requestIdParams,
    responses: { 200: json('HolderRequest', res.holderRequest, 'the holder view') },
    errors: ['REQUEST_NOT_FOUND', ...COMMON],
  },
  submitPresentation: {
    method: 'post',
    path: '/v1/requests/:id/presentation',
    tag: 'holder',
    roles: ['verifier'],
    summary: 'Submit a presentation for a request',
    description:
      "Checked cheapest first: body schema (exactly nPublic canonical signals), request exists, unused and unexpired (with the holder view's ticket: the ticket is this service's for this request, the request unexpired and not answered on this instance; the store is read only if the proof is then rejected, so the answer is the one a presentation without a ticket gets), today within tolerance, then the proof against the stored request, the revocation root still in the accepted window; then the challenge is consumed atomically (exactly one of concurrent submissions succeeds) and, for unique policies, the pseudonym is registered. Answers a one-time responseCode and redirectTo (the request redirectUri with response_code added): the holder browser carries the code back to the relying party. Public, any origin.",
    params: requestIdParams,
    body: { name: 'Presentation', schema: (c) => presentationBody(publicSignalNames(circuitParams(c.circuit)).length) },
    responses: { 200: json('Verified', res.verified, 'verified') },
    errors: [
      ...JSON_BODY,
      'MALFORMED_PRESENTATION',
      'INVALID_TICKET',
      'WRONG_SIGNAL_COUNT',
      'NON_CANONICAL_SIGNAL',
      'MALFORMED_PROOF',
      'REQUEST_NOT_FOUND',
      'REQUEST_ALREADY_USED',
      'PSEUDONYM_ALREADY_USED',
      'REQUEST_EXPIRED',
      'REQUEST_MISMATCH',
      'ISSUER_NOT_TRUSTED',
      'ROOT_NOT_ACCEPTED',
      'SCOPE_MISMATCH',
      'CHALLENGE_MISMATCH',
      'STATEMENT_MISMATCH',
      'POLICY_NOT_ALLOWED',
      'PROOF_INVALID',
      'TODAY_OUT_OF_RANGE',
      'VERIFICATION_ERROR',
      'SERVER_BUSY',
      ...COMMON,
    ],
  },
  listSessions: {
    method: 'get',
    path: '/v1/sessions',
    tag: 'verifier',
    roles: ['verifier'],
    auth: 'relyingPartyKey',
    summary: "The relying party's verified sessions, newest first (its API key)",
    query: limitQuery,
    responses: { 200: json('Sessions', res.sessions, 'sessions') },
    errors: ['UNAUTHORIZED', 'INVALID_PARAMETER', ...COMMON],
  },

  issueCredential: {
    method: 'post',
    path: '/v1/issuer/credentials',
    tag: 'issuer',
    roles: ['issuer'],
    auth: 'adminToken',
    summary: 'Issue a credential for attributes and a holder commitment',
    description:
      'The holder secret never leaves the holder: the issuer signs Poseidon(holderSecret). One active holder commitment per person (ID number): the same commitment gets the same serial signed again (holder: same); a new one is a re-keying (holder: rekeyed) that revokes the old serial, is audited, and is refused with REKEY_TOO_SOON within rekeyMinIntervalDays of the last. New serials are random within the least-filled of a few active buckets, never reused.',
    body: { name: 'IssueCredential', schema: issueCredentialBody },
    responses: { 201: json('IssuedCredential', res.issuedCredential, 'the signed credential') },
    errors: [
      'UNAUTHORIZED',
      ...JSON_BODY,
      'INVALID_FIELD_ELEMENT',
      'INVALID_ATTRIBUTE',
      'INVALID_DATE',
      'INVALID_ID_NUMBER',
      'UNKNOWN_KEY',
      'REKEY_TOO_SOON',
      ...COMMON,
    ],
  },
  revokeSerial: {
    method: 'post',
    path: '/v1/issuer/revocations',
    tag: 'issuer',
    roles: ['issuer'],
    auth: 'adminToken',
    summary: 'Revoke a serial (publishes a new root)',
    body: { name: 'Revoke', schema: revokeBody },
    responses: { 200: json('RevocationOutcome', res.revocationOutcome, 'the serial is revoked') },
    errors: ['UNAUTHORIZED', ...JSON_BODY, 'INVALID_FIELD_ELEMENT', 'SERIAL_OUT_OF_RANGE', ...COMMON],
  },
  unrevokeSerial: {
    method: 'delete',
    path: '/v1/issuer/revocations/:serial',
    tag: 'issuer',
    roles: ['issuer'],
    auth: 'adminToken',
    summary: 'Lift a revocation (publishes a new root)',
    params: serialParams,
    responses: { 200: json('RevocationOutcome', res.revocationOutcome, 'the serial is not revoked') },
    errors: ['UNAUTHORIZED', 'INVALID_PARAMETER', 'INVALID_FIELD_ELEMENT', 'SERIAL_OUT_OF_RANGE', ...COMMON],
  },
  issuerKeys: {
    method: 'get',
    path: '/v1/issuer/keys',
    tag: 'issuer',
    roles: ['issuer'],
    auth: 'adminToken',
    summary: "The issuer's public keys",
    responses: { 200: json('IssuerKeys', res.issuerKeys, 'keys') },
    errors: ['UNAUTHORIZED', ...COMMON],
  },
  auditLog: {
    method: 'get',
    path: '/v1/issuer/audit',
    tag: 'issuer',
    roles: ['issuer'],
    auth: 'adminToken',
    summary: 'The append-only, hash-chained audit log, oldest first',
    query: pageQuery,
    responses: { 200: json('AuditPage', res.auditPage, 'entries; pass next as after for the next page') },
    errors: ['UNAUTHORIZED', 'INVALID_PARAMETER', ...COMMON],
  },
  verifyAudit: {
    method: 'get',
    path: '/v1/issuer/audit/verify',
    tag: 'issuer',
    roles: ['issuer'],
    auth: 'adminToken',
    summary: "Verify the audit log's hash chain end to end",
    description:
      'Recomputes every entry hash and checks that each entry points to the previous one with no gap. Answers valid with the head hash (publish it to pin the log), or where the chain breaks and why.',
    responses: { 200: json('AuditVerdict', res.auditVerdict, 'the verdict') },
    errors: ['UNAUTHORIZED', ...COMMON],
  },
  demoEnrol: {
    method: 'post',
    path: '/v1/demo/enrol',
    tag: 'demo',
    roles: ['issuer'],
    demo: true,
    summary: 'DEMO ONLY: issue a demo credential to anyone',
    description:
      'Only on instances with config.demo = true (never in production): issues a credential for the demo person derived from the holder commitment (an adult born 1960-2000, a Beijing district, a CN resident ID with a valid check character): the same commitment is always the same person and keeps its serial and pseudonyms. Public, any origin, strictly rate-limited.',
    body: { name: 'Enrol', schema: enrolBody },
    responses: { 201: json('IssuedCredential', res.issuedCredential, 'the demo credential') },
    errors: [...JSON_BODY, 'INVALID_FIELD_ELEMENT', ...COMMON],
  },

  registryRoot: {
    method: 'get',
    path: '/v1/registry/root',
    tag: 'registry',
    roles: ['registry'],
    summary: 'The current revocation root and the roots verifiers accept now',
    responses: { 200: json('RootInfo', res.rootInfo, 'current root') },
    errors: COMMON,
  },
  registryRoots: {
    method: 'get',
    path: '/v1/registry/roots',
    tag: 'registry',
    roles: ['registry'],
    summary: "Root history with the issuer's signatures, newest first (?since= for a following verifier)",
    query: rootsQuery,
    responses: { 200: json('RootHistory', rootHistory, 'history') },
    errors: ['INVALID_PARAMETER', ...COMMON],
  },
  registryBucket: {
    method: 'get',
    path: '/v1/registry/buckets/:index',
    tag: 'registry',
    roles: ['registry'],
    summary: 'A revocation bucket (2^10 leaves) for private witness refresh, with issuedCount (its live credentials: the anonymity set)',
    params: bucketParams,
    responses: { 200: json('Bucket', res.bucket, 'bucket') },
    errors: ['INVALID_PARAMETER', ...COMMON],
  },
  registrySnapshot: {
    method: 'get',
    path: '/v1/registry/snapshot',
    tag: 'registry',
    roles: ['registry'],
    summary: 'The whole revocation tree (non-empty leaves only) with issuedCount; gzip or br by Accept-Encoding',
    responses: { 200: json('Snapshot', res.snapshot, 'snapshot'), 304: { description: 'not modified (If-None-Match)' } },
    errors: COMMON,
  },
  artifact: {
    method: 'get',
    path: '/v1/artifacts/:circuit/:file',
    tag: 'registry',
    roles: ['registry', 'verifier'],
    summary: 'Circuit artifacts (wasm, zkey, verification key), immutable',
    description:
      'Strong ETag "<sha256>", Cache-Control: public, max-age=31536000, immutable. With ?sha256= the artifact must have that hash.',
    params: artifactParams,
    query: artifactQuery,
    responses: {
      200: { description: 'the file', content: { type: 'application/octet-stream', schema: res.binary } },
      304: { description: 'not modified' },
    },
    errors: ['ARTIFACT_NOT_FOUND', ...COMMON],
  },
} satisfies Record<string, RouteSpec>;

export type RouteId = keyof typeof ROUTES;

/** A per-configuration value of the table, for a configuration. */
export function forConfig<T>(value: PerConfig<T>, config: ServiceConfig): T {
  return typeof value === 'function' ? (value as (c: ServiceConfig) => T)(config) : value;
}

/** Does this configuration serve the route? */
export function isServed(spec: RouteSpec, config: ServiceConfig): boolean {
  if (spec.demo && !config.demo) return false;
  return !spec.roles || spec.roles.some((r) => config.roles[r]);
}

/**
 * Register a route of the table on the app with its handlers (middleware first).
 * @throws Error when the table says this configuration does not serve it (the table and the
 *   route modules disagree)
 */
export function route(app: Express, config: ServiceConfig, id: RouteId, ...handlers: RequestHandler[]): void {
  const spec: RouteSpec = ROUTES[id];
  if (!isServed(spec, config))
    throw new Error(`route ${id} (${spec.method.toUpperCase()} ${spec.path}) is not served in this configuration`);
  app[spec.method](spec.path, ...handlers);
}
