/**
 * The OpenAPI 3.1 document of the service, built for the enabled roles (a disabled role's routes
 * are neither served nor documented). test/server/openapi.test.ts checks it against the routes
 * the app really registers, in both directions.
 */
import type { ServiceConfig } from './config.ts';
import { ERROR_STATUS, type HttpErrorCode } from './http-error.ts';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const decimal = { type: 'string', pattern: '^(0|[1-9][0-9]*)$', description: 'canonical decimal field element (< r)' };
const isoTime = { type: 'string', format: 'date-time' };

function json(schema: Json, description: string): Json {
  return { description, content: { 'application/json': { schema } } };
}

/** Error responses for the given codes, grouped by status. */
function errors(...codes: HttpErrorCode[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  const byStatus = new Map<number, HttpErrorCode[]>();
  for (const c of codes) byStatus.set(ERROR_STATUS[c], [...(byStatus.get(ERROR_STATUS[c]) ?? []), c]);
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = json(ref('Error'), `error codes: ${list.join(', ')}`);
  }
  return out;
}

function body(schema: Json): Json {
  return { required: true, content: { 'application/json': { schema } } };
}

const pathParam = (name: string, description: string, schema: Json = { type: 'string' }): Json => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});
const limitParam: Json = { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } };

const COMMON: HttpErrorCode[] = ['RATE_LIMITED', 'INTERNAL_ERROR'];
const JSON_BODY: HttpErrorCode[] = ['MALFORMED_JSON', 'INVALID_BODY', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

/** Build the document for a configuration. */
export function buildOpenApi(config: ServiceConfig): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const add = (path: string, method: string, op: Json) => {
    paths[path] ??= {};
    (paths[path] as Record<string, Json>)[method] = op;
  };
  const admin = [{ adminToken: [] }];
  const rp = [{ relyingPartyKey: [] }];

  add('/healthz', 'get', {
    tags: ['operations'],
    summary: 'Readiness: 200 once the store is open and the verifier is warm; 503 while shutting down',
    responses: {
      '200': json({ type: 'object', properties: { status: { const: 'ok' } } }, 'ready'),
      ...errors('SHUTTING_DOWN', 'NOT_READY'),
    },
  });
  add('/metrics', 'get', {
    tags: ['operations'],
    summary: 'Prometheus metrics (text exposition format 0.0.4)',
    ...(config.metricsToken ? { security: [{ metricsToken: [] }] } : {}),
    responses: {
      '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
      ...(config.metricsToken ? errors('UNAUTHORIZED') : {}),
    },
  });
  add('/openapi.json', 'get', {
    tags: ['operations'],
    summary: 'This document',
    responses: { '200': json({ type: 'object' }, 'OpenAPI 3.1 document') },
  });
  add('/v1/info', 'get', {
    tags: ['operations'],
    summary: 'Service identity, roles, circuit, offered policies and trusted issuer keys',
    responses: { '200': json(ref('Info'), 'service information'), ...errors(...COMMON) },
  });

  if (config.roles.verifier) {
    add('/v1/requests', 'post', {
      tags: ['verifier'],
      summary: "Create a proof request for a configured policy (the relying party's API key)",
      description:
        "The request carries the relying party's own serviceId (its scope), a fresh single-use challenge, today (UTC, or the given date within the tolerance), the accepted issuer keys and revocation roots, the circuit and its artifact URLs with sha256, and expiresAt. Send the holder to walletUrl; after a successful presentation the holder's browser returns to redirectUri with response_code, which the relying party redeems at /v1/requests/{id}/result.",
      security: rp,
      requestBody: body({
        type: 'object',
        additionalProperties: false,
        required: ['policy'],
        properties: {
          policy: { type: 'string', enum: Object.keys(config.policies) },
          today: { description: 'YYYYMMDD (number or string) or YYYY-MM-DD', oneOf: [{ type: 'integer' }, { type: 'string' }] },
          redirectUri: {
            type: 'string',
            format: 'uri',
            description:
              "absolute http(s) URL: one of the relying party's redirectUris, or when it has none, on its serviceId or a subdomain",
          },
        },
      }),
      responses: {
        '201': { ...json(ref('CreatedRequest'), 'the proof request'), headers: { Location: { schema: { type: 'string' } } } },
        ...errors('UNAUTHORIZED', ...JSON_BODY, 'UNKNOWN_POLICY', 'INVALID_REDIRECT_URI', 'INVALID_DATE', 'TODAY_OUT_OF_RANGE', ...COMMON),
      },
    });
    add('/v1/requests/{id}', 'get', {
      tags: ['verifier'],
      summary: "A proof request's status (pending, verified, rejected, expired), never its result (the relying party's API key)",
      description: "Another relying party's request is answered 404, like a missing one.",
      security: rp,
      parameters: [pathParam('id', 'request id')],
      responses: { '200': json(ref('RequestStatus'), 'status'), ...errors('UNAUTHORIZED', 'REQUEST_NOT_FOUND', ...COMMON) },
    });
    add('/v1/requests/{id}/result', 'post', {
      tags: ['verifier'],
      summary: "Redeem the one-time response code for the verified result (the relying party's API key), exactly once",
      security: rp,
      parameters: [pathParam('id', 'request id')],
      requestBody: body({
        type: 'object',
        additionalProperties: false,
        required: ['responseCode'],
        properties: { responseCode: { type: 'string', description: 'the response_code the holder brought back' } },
      }),
      responses: {
        '200': json(ref('Result'), 'the result'),
        ...errors('UNAUTHORIZED', ...JSON_BODY, 'REQUEST_NOT_FOUND', 'INVALID_RESPONSE_CODE', 'RESPONSE_CODE_USED', ...COMMON),
      },
    });
    add('/v1/requests/{id}/holder', 'get', {
      tags: ['holder'],
      summary: "The holder's view of a request: status, the relying party's name, the request while pending, the redirect URI",
      description: 'Public, any origin (Access-Control-Allow-Origin: *). Never shows the result.',
      parameters: [pathParam('id', 'request id')],
      responses: { '200': json(ref('HolderRequest'), 'the holder view'), ...errors('REQUEST_NOT_FOUND', ...COMMON) },
    });
    add('/v1/requests/{id}/presentation', 'post', {
      tags: ['holder'],
      summary: 'Submit a presentation for a request',
      description:
        'Checked cheapest first: body schema (exactly nPublic canonical signals), request exists, unused and unexpired, today within tolerance, then the proof against the stored request, the revocation root still in the accepted window; then the challenge is consumed atomically (exactly one of concurrent submissions succeeds) and, for unique policies, the pseudonym is registered. Answers a one-time responseCode and redirectTo (the request redirectUri with response_code added): the holder browser carries the code back to the relying party. Public, any origin.',
      parameters: [pathParam('id', 'request id')],
      requestBody: body(ref('Presentation')),
      responses: {
        '200': json(ref('Verified'), 'verified'),
        ...errors(
          ...JSON_BODY,
          'MALFORMED_PRESENTATION',
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
        ),
      },
    });
    add('/v1/sessions', 'get', {
      tags: ['verifier'],
      summary: "The relying party's verified sessions, newest first (its API key)",
      security: rp,
      parameters: [limitParam],
      responses: {
        '200': json({ type: 'object', properties: { sessions: { type: 'array', items: ref('Session') } } }, 'sessions'),
        ...errors('UNAUTHORIZED', 'INVALID_PARAMETER', ...COMMON),
      },
    });
  }

  if (config.roles.issuer) {
    add('/v1/issuer/credentials', 'post', {
      tags: ['issuer'],
      summary: 'Issue a credential for attributes and a holder commitment',
      description:
        'The holder secret never leaves the holder: the issuer signs Poseidon(holderSecret). One active holder commitment per person (ID number): the same commitment gets the same serial signed again (holder: same); a new one is a re-keying (holder: rekeyed) that revokes the old serial, is audited, and is refused with REKEY_TOO_SOON within rekeyMinIntervalDays of the last. New serials are random within the least-filled of a few active buckets, never reused.',
      security: admin,
      requestBody: body({
        type: 'object',
        additionalProperties: false,
        required: ['attributes', 'holderCommitment'],
        properties: { attributes: ref('Attributes'), holderCommitment: decimal, keyId: { type: 'string', pattern: '^[0-9a-f]{16}$' } },
      }),
      responses: {
        '201': json(ref('IssuedCredential'), 'the signed credential'),
        ...errors(
          'UNAUTHORIZED',
          ...JSON_BODY,
          'INVALID_FIELD_ELEMENT',
          'INVALID_ATTRIBUTE',
          'INVALID_DATE',
          'INVALID_ID_NUMBER',
          'UNKNOWN_KEY',
          'REKEY_TOO_SOON',
          ...COMMON,
        ),
      },
    });
    add('/v1/issuer/revocations', 'post', {
      tags: ['issuer'],
      summary: 'Revoke a serial (publishes a new root)',
      security: admin,
      requestBody: body({
        type: 'object',
        additionalProperties: false,
        required: ['serial'],
        properties: { serial: { oneOf: [{ type: 'string' }, { type: 'integer' }] }, reason: { type: 'string', maxLength: 200 } },
      }),
      responses: {
        '200': json(ref('RevocationOutcome'), 'the serial is revoked'),
        ...errors('UNAUTHORIZED', ...JSON_BODY, 'INVALID_FIELD_ELEMENT', 'SERIAL_OUT_OF_RANGE', ...COMMON),
      },
    });
    add('/v1/issuer/revocations/{serial}', 'delete', {
      tags: ['issuer'],
      summary: 'Lift a revocation (publishes a new root)',
      security: admin,
      parameters: [pathParam('serial', 'the serial', { type: 'string', pattern: '^(0|[1-9][0-9]*)$' })],
      responses: {
        '200': json(ref('RevocationOutcome'), 'the serial is not revoked'),
        ...errors('UNAUTHORIZED', 'INVALID_PARAMETER', 'INVALID_FIELD_ELEMENT', 'SERIAL_OUT_OF_RANGE', ...COMMON),
      },
    });
    add('/v1/issuer/keys', 'get', {
      tags: ['issuer'],
      summary: "The issuer's public keys",
      security: admin,
      responses: {
        '200': json({ type: 'object', properties: { keys: { type: 'array', items: ref('IssuerKey') } } }, 'keys'),
        ...errors('UNAUTHORIZED', ...COMMON),
      },
    });
    add('/v1/issuer/audit', 'get', {
      tags: ['issuer'],
      summary: 'The append-only, hash-chained audit log, oldest first',
      security: admin,
      parameters: [
        limitParam,
        { name: 'after', in: 'query', required: false, description: 'entries with id > after', schema: { type: 'integer', minimum: 0 } },
      ],
      responses: {
        '200': json(
          { type: 'object', properties: { entries: { type: 'array', items: ref('AuditEntry') }, next: { type: ['integer', 'null'] } } },
          'entries; pass next as after for the next page',
        ),
        ...errors('UNAUTHORIZED', 'INVALID_PARAMETER', ...COMMON),
      },
    });
    add('/v1/issuer/audit/verify', 'get', {
      tags: ['issuer'],
      summary: "Verify the audit log's hash chain end to end",
      description:
        'Recomputes every entry hash and checks that each entry points to the previous one with no gap. Answers valid with the head hash (publish it to pin the log), or where the chain breaks and why.',
      security: admin,
      responses: {
        '200': json(
          {
            type: 'object',
            required: ['valid', 'entries'],
            properties: {
              valid: { type: 'boolean' },
              entries: { type: 'integer' },
              headId: { type: 'integer' },
              headHash: { type: 'string' },
              brokenAt: { type: 'integer' },
              reason: { type: 'string' },
            },
          },
          'the verdict',
        ),
        ...errors('UNAUTHORIZED', ...COMMON),
      },
    });
    if (config.demo) {
      add('/v1/demo/enrol', 'post', {
        tags: ['demo'],
        summary: 'DEMO ONLY: issue a demo credential to anyone',
        description:
          'Only on instances with config.demo = true (never in production): issues a credential for the demo person derived from the holder commitment (an adult born 1960-2000, a Beijing district, a CN resident ID with a valid check character): the same commitment is always the same person and keeps its serial and pseudonyms. Public, any origin, strictly rate-limited.',
        requestBody: body({
          type: 'object',
          additionalProperties: false,
          required: ['holderCommitment'],
          properties: { holderCommitment: decimal },
        }),
        responses: {
          '201': json(ref('IssuedCredential'), 'the demo credential'),
          ...errors(...JSON_BODY, 'INVALID_FIELD_ELEMENT', ...COMMON),
        },
      });
    }
  }

  if (config.roles.registry) {
    add('/v1/registry/root', 'get', {
      tags: ['registry'],
      summary: 'The current revocation root and the roots verifiers accept now',
      responses: { '200': json(ref('RootInfo'), 'current root'), ...errors(...COMMON) },
    });
    add('/v1/registry/roots', 'get', {
      tags: ['registry'],
      summary: 'Root history, newest first',
      parameters: [limitParam],
      responses: {
        '200': json(
          {
            type: 'object',
            properties: { roots: { type: 'array', items: ref('RootRecord') }, accepted: { type: 'array', items: decimal } },
          },
          'history',
        ),
        ...errors('INVALID_PARAMETER', ...COMMON),
      },
    });
    add('/v1/registry/buckets/{index}', 'get', {
      tags: ['registry'],
      summary: 'A revocation bucket (2^10 leaves) for private witness refresh, with issuedCount (its live credentials: the anonymity set)',
      parameters: [pathParam('index', 'bucket index: floor(serial / 252 / 1024)', { type: 'integer', minimum: 0 })],
      responses: {
        '200': json({ type: 'object', description: 'zkid/revocation-bucket/v1' }, 'bucket'),
        ...errors('INVALID_PARAMETER', ...COMMON),
      },
    });
    add('/v1/registry/snapshot', 'get', {
      tags: ['registry'],
      summary: 'The whole revocation tree (non-empty leaves only) with issuedCount; gzip or br by Accept-Encoding',
      responses: {
        '200': json({ type: 'object', description: 'zkid/revocation-snapshot/v1 plus issuedCount' }, 'snapshot'),
        '304': { description: 'not modified (If-None-Match)' },
        ...errors(...COMMON),
      },
    });
  }

  if (config.roles.registry || config.roles.verifier) {
    add('/v1/artifacts/{circuit}/{file}', 'get', {
      tags: ['registry'],
      summary: 'Circuit artifacts (wasm, zkey, verification key), immutable',
      description:
        'Strong ETag "<sha256>", Cache-Control: public, max-age=31536000, immutable. With ?sha256= the artifact must have that hash.',
      parameters: [
        pathParam('circuit', 'circuit instance'),
        pathParam('file', 'file name from the manifest (circuit.wasm, circuit.zkey, verification_key.json)'),
        { name: 'sha256', in: 'query', required: false, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
      ],
      responses: {
        '200': { description: 'the file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        '304': { description: 'not modified' },
        ...errors('ARTIFACT_NOT_FOUND', ...COMMON),
      },
    });
  }

  const errorCodes = Object.keys(ERROR_STATUS);
  return {
    openapi: '3.1.0',
    info: {
      title: 'zkid service',
      version: '0.1.0',
      description:
        'Verifier, issuer and registry of zkid, a zero-knowledge attribute prover for national IDs. Every error is `{ "error": { "code", "message" } }` with a stable code.',
    },
    servers: [{ url: config.publicBaseUrl ?? '/' }],
    paths,
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'the admin token of the issuer API' },
        relyingPartyKey: { type: 'http', scheme: 'bearer', description: "a relying party's API key (config relyingParties)" },
        ...(config.metricsToken ? { metricsToken: { type: 'http', scheme: 'bearer' } } : {}),
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string', enum: errorCodes }, message: { type: 'string' } },
            },
          },
        },
        Attributes: {
          type: 'object',
          additionalProperties: false,
          required: ['idNumber', 'birthDate', 'validUntil', 'region', 'nationality', 'documentType'],
          properties: {
            idNumber: { type: 'string', maxLength: 30 },
            birthDate: { description: 'YYYYMMDD', oneOf: [{ type: 'integer' }, { type: 'string' }] },
            validUntil: { description: 'YYYYMMDD', oneOf: [{ type: 'integer' }, { type: 'string' }] },
            region: { type: 'integer' },
            nationality: { type: 'integer' },
            documentType: { type: 'integer' },
          },
        },
        Credential: {
          type: 'object',
          properties: {
            schema: { const: 'zkid/credential/v1' },
            attributes: ref('Attributes'),
            serial: decimal,
            holderCommitment: decimal,
            issuer: { type: 'object', properties: { publicKey: { type: 'array', items: decimal } } },
            signature: { type: 'object', properties: { R8: { type: 'array', items: decimal }, S: decimal } },
          },
        },
        IssuedCredential: {
          type: 'object',
          properties: {
            credential: ref('Credential'),
            serial: decimal,
            keyId: { type: 'string' },
            bucket: { type: 'integer' },
            holder: { enum: ['new', 'same', 'updated', 'rekeyed'] },
            revokedSerial: decimal,
          },
        },
        IssuerKey: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            publicKey: { type: 'array', items: decimal },
            createdAt: isoTime,
            active: { type: 'boolean' },
          },
        },
        RevocationOutcome: {
          type: 'object',
          properties: {
            serial: decimal,
            revoked: { type: 'boolean' },
            changed: { type: 'boolean' },
            root: decimal,
            revision: { type: 'integer' },
          },
        },
        AuditEntry: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            at: isoTime,
            actor: { type: 'string' },
            action: { type: 'string' },
            subject: { type: ['string', 'null'] },
            details: { type: 'object' },
            prevHash: { type: 'string' },
            hash: { type: 'string', description: 'sha256(prevHash + "\\n" + JSON([id, at, actor, action, subject, details]))' },
          },
        },
        RootRecord: { type: 'object', properties: { revision: { type: 'integer' }, root: decimal, publishedAt: isoTime } },
        RootInfo: {
          type: 'object',
          properties: {
            root: decimal,
            revision: { type: 'integer' },
            publishedAt: isoTime,
            shape: { type: 'object' },
            bucketBits: { type: 'integer' },
            accepted: { type: 'array', items: decimal },
            window: { type: 'object', properties: { count: { type: 'integer' }, maxAgeSeconds: { type: 'integer' } } },
            issued: { type: 'integer', description: 'credentials issued and not revoked' },
            snapshotBytes: { type: 'integer', description: 'size of the gzip-compressed snapshot' },
          },
        },
        ProofRequest: {
          type: 'object',
          properties: {
            version: { const: 'zkid/request/v1' },
            id: { type: 'string' },
            circuit: { type: 'string' },
            policy: { type: 'object' },
            serviceId: { type: 'string' },
            scope: decimal,
            challenge: decimal,
            today: { type: 'integer', description: 'YYYYMMDD' },
            issuers: { type: 'array', items: { type: 'array', items: decimal } },
            roots: { type: 'array', items: decimal },
            expiresAt: isoTime,
            artifacts: { type: 'object' },
          },
        },
        Presentation: {
          type: 'object',
          additionalProperties: false,
          required: ['proof', 'publicSignals'],
          properties: {
            requestId: { type: 'string', description: 'defaults to the request in the URL; when given it must match' },
            circuit: { type: 'string', description: "defaults to the request's circuit; when given it must match" },
            proof: {
              type: 'object',
              additionalProperties: false,
              required: ['pi_a', 'pi_b', 'pi_c', 'protocol', 'curve'],
              properties: {
                pi_a: { type: 'array', items: { type: 'string' }, minItems: 3, maxItems: 3 },
                pi_b: { type: 'array', items: { type: 'array', items: { type: 'string' } }, minItems: 3, maxItems: 3 },
                pi_c: { type: 'array', items: { type: 'string' }, minItems: 3, maxItems: 3 },
                protocol: { const: 'groth16' },
                curve: { const: 'bn128' },
              },
            },
            publicSignals: { type: 'array', items: decimal, description: 'exactly nPublic canonical decimals < r' },
          },
        },
        Verified: {
          type: 'object',
          properties: {
            verified: { const: true },
            requestId: { type: 'string' },
            policy: { type: 'string' },
            pseudonym: { ...decimal, description: 'Poseidon(holderSecret, scope): stable at this service, unlinkable across services' },
            disclosed: { type: 'object' },
            verifiedAt: isoTime,
            responseCode: { type: 'string', description: 'one-time code for the relying party (256 bits, base64url)' },
            redirectTo: { type: 'string', description: 'redirectUri with response_code added' },
          },
        },
        CreatedRequest: {
          type: 'object',
          properties: {
            request: ref('ProofRequest'),
            requestUri: { type: 'string', description: 'the holder view: <service>/v1/requests/{id}/holder' },
            walletUrl: { type: 'string', description: '<walletBaseUrl>/?request_uri=<requestUri>' },
          },
        },
        HolderRequest: {
          type: 'object',
          properties: {
            status: { enum: ['pending', 'verified', 'rejected', 'expired'] },
            relyingParty: { type: 'object', properties: { name: { type: 'string' } } },
            request: ref('ProofRequest'),
            redirectUri: { type: 'string' },
            gracePeriodSeconds: { type: 'integer' },
          },
        },
        Result: {
          type: 'object',
          properties: {
            requestId: { type: 'string' },
            policy: { type: 'string' },
            pseudonym: decimal,
            disclosed: { type: 'object' },
            issuer: { type: 'array', items: decimal },
            root: decimal,
            verifiedAt: isoTime,
          },
        },
        RequestStatus: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            policy: { type: 'string' },
            status: { enum: ['pending', 'verified', 'rejected', 'expired'] },
            createdAt: isoTime,
            expiresAt: isoTime,
            request: ref('ProofRequest'),
            redirectUri: { type: 'string' },
            redeemed: { type: 'boolean' },
            error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
          },
        },
        Session: {
          type: 'object',
          properties: {
            requestId: { type: 'string' },
            redeemed: { type: 'boolean' },
            policy: { type: 'string' },
            pseudonym: decimal,
            disclosed: { type: 'object' },
            verifiedAt: isoTime,
          },
        },
        Info: {
          type: 'object',
          properties: {
            serviceId: { type: 'string' },
            scope: decimal,
            roles: { type: 'object' },
            circuit: { type: 'string' },
            demo: { type: 'boolean' },
            policies: { type: 'array', items: { type: 'object' } },
            trustedIssuers: { type: 'array', items: { type: 'array', items: decimal } },
            walletBaseUrl: { type: 'string' },
            gracePeriodSeconds: { type: 'integer', description: 'roots.maxAgeSeconds' },
            rootCount: { type: 'integer', description: 'roots.count' },
          },
        },
      },
    },
  };
}
