/**
 * Request body and parameter schemas (zod), checked before any cryptography. Objects are strict
 * (an unknown key is an error), strings and lists are bounded, field elements go through the one
 * parser (src/field.ts: canonical decimal, < r). A failed check becomes a 400 with a stable code:
 * the code of the most basic failure (shape, then signal count, then signal encoding, then proof
 * encoding), and a message naming the path of the offending value.
 *
 * These schemas are also the OpenAPI document's request schemas (routes/table.ts, openapi.ts):
 * a custom check states its JSON Schema with `.meta()`.
 */
import { z } from 'zod';
import { CANONICAL_DECIMAL, parseFieldElement } from '../field.ts';
import { MAX_SERIAL } from '../revocation/common.ts';
import { HttpError, type HttpErrorCode } from './http-error.ts';
import { MAX_TICKET_LENGTH } from './request-ticket.ts';
import { SERIALS_PER_BUCKET } from './revocation-registry.ts';

/** A canonical decimal field element (< r); anything else is reported with `code`. */
function fieldElement(code: HttpErrorCode, what = 'a canonical decimal string below the field modulus r') {
  return z
    .unknown()
    .superRefine((v, ctx) => {
      if (v === undefined) {
        ctx.addIssue({ code: 'custom', message: 'is required' });
        return;
      }
      let ok = typeof v === 'string';
      if (ok) {
        try {
          parseFieldElement('value', v);
        } catch {
          ok = false;
        }
      }
      if (!ok) ctx.addIssue({ code: 'custom', message: `must be ${what}`, params: { zkid: code } });
    })
    .meta(FIELD_ELEMENT_JSON) as z.ZodType<string>;
}

/** The JSON Schema of a field element (the value bound < r is the one thing a pattern cannot say). */
const FIELD_ELEMENT_JSON = {
  type: 'string',
  pattern: CANONICAL_DECIMAL.source,
  maxLength: 78,
  description: 'canonical decimal field element (< r)',
};

/** A field element in a response body (the code matters only when parsing input). */
export const fieldElementString = fieldElement('INVALID_FIELD_ELEMENT');

/** A canonical decimal of at most `digits` digits. */
export function decimalText(digits: number, message = 'must be a canonical decimal integer') {
  return z.string().max(digits, message).regex(CANONICAL_DECIMAL, message);
}

/** A base-field coordinate of a proof point: canonical decimal, at most 78 digits (range checked by the verifier, parseCoordinate). */
const coordinate = decimalText(78, 'must be a canonical decimal string');

const g1 = z.tuple([coordinate, coordinate, coordinate]);
const g2 = z.tuple([z.tuple([coordinate, coordinate]), z.tuple([coordinate, coordinate]), z.tuple([coordinate, coordinate])]);

export const requestIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -');

/** Path parameters of /v1/requests/:id and below. */
export const requestIdParams = z.strictObject({ id: requestIdSchema.meta({ description: 'request id' }) });

/** POST /v1/requests */
export const createRequestBody = z.strictObject({
  policy: z.string().min(1).max(64),
  /** the holder's date, YYYYMMDD; within the configured tolerance of the server's UTC date */
  today: z.union([z.number().int(), z.string().max(10)]).optional(),
  /** where the holder's browser returns with the response code (checked against the relying party) */
  redirectUri: z.string().min(1).max(2048).optional(),
});

/** POST /v1/requests/:id/result */
export const redeemBody = z.strictObject({
  responseCode: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be the response code the holder brought back'),
});

/** POST /v1/requests/:id/presentation: the holder's presentation. */
export function presentationBody(nPublic: number) {
  return z.strictObject({
    /** optional: defaults to the request in the URL (the challenge binds the proof to it either way) */
    requestId: requestIdSchema.optional(),
    /** optional: defaults to the request's circuit */
    circuit: z.string().min(1).max(100).optional(),
    proof: z.strictObject({
      pi_a: g1,
      pi_b: g2,
      pi_c: g1,
      protocol: z.literal('groth16'),
      curve: z.literal('bn128'),
    }),
    publicSignals: z.array(fieldElement('NON_CANONICAL_SIGNAL')).length(nPublic, `must hold exactly ${nPublic} public signals`),
    /** optional: the holder view's ticket, sent back as it came (the service then skips reading the request) */
    ticket: z.string().max(MAX_TICKET_LENGTH).optional(),
  });
}

export const attributesSchema = z.strictObject({
  idNumber: z.string().min(1).max(30),
  birthDate: z.union([z.number().int(), z.string().max(10)]),
  validUntil: z.union([z.number().int(), z.string().max(10)]),
  region: z.number().int(),
  nationality: z.number().int(),
  documentType: z.number().int(),
});

/** POST /v1/issuer/credentials */
export const issueCredentialBody = z.strictObject({
  attributes: attributesSchema,
  holderCommitment: fieldElement('INVALID_FIELD_ELEMENT'),
  keyId: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
});

/** A serial: a decimal string or a safe integer (range checked by parseSerial: < MAX_SERIAL). */
const serialSchema = z.union([z.string().max(20), z.number().int()]).meta({ description: `a serial, < ${MAX_SERIAL}` });

/** POST /v1/issuer/revocations */
export const revokeBody = z.strictObject({
  serial: serialSchema,
  reason: z.string().max(200).optional(),
});

/** DELETE /v1/issuer/revocations/:serial (range checked by parseSerial) */
export const serialParams = z.strictObject({ serial: decimalText(20).meta({ description: `the serial, < ${MAX_SERIAL}` }) });

/** POST /v1/demo/enrol */
export const enrolBody = z.strictObject({
  holderCommitment: fieldElement('INVALID_FIELD_ELEMENT'),
});

/** ?limit= and ?after= */
export const pageQuery = z.strictObject({
  limit: decimalText(4, 'must be an integer from 1 to 1000')
    .meta({ description: 'an integer from 1 to 1000' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1000, 'must be an integer from 1 to 1000')
    .optional(),
  after: decimalText(16, 'must be a non-negative integer').meta({ description: 'entries with id > after' }).transform(Number).optional(),
});

/** ?limit= alone */
export const limitQuery = pageQuery.pick({ limit: true });

/** GET /v1/registry/buckets/:index (checked against the bucket count by the route) */
export const bucketParams = z.strictObject({
  index: decimalText(10).meta({ description: `bucket index: floor(serial / ${SERIALS_PER_BUCKET})` }),
});

/** GET /v1/artifacts/:circuit/:file?sha256= */
export const artifactParams = z.strictObject({
  circuit: z.string().meta({ description: 'circuit instance' }),
  file: z.string().meta({ description: 'file name from the manifest (circuit.wasm, circuit.zkey, circuit.zkc, verification_key.json)' }),
});
export const artifactQuery = z.strictObject({
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

/** Failure codes from most to least basic: the reported code is the first that occurs. */
const PRIORITY: HttpErrorCode[] = ['WRONG_SIGNAL_COUNT', 'NON_CANONICAL_SIGNAL', 'MALFORMED_PROOF', 'INVALID_FIELD_ELEMENT'];

function codeOf(issue: z.core.$ZodIssue, fallback: HttpErrorCode): HttpErrorCode {
  const custom = (issue as { params?: { zkid?: HttpErrorCode } }).params?.zkid;
  if (custom) return custom;
  const [head] = issue.path;
  if (head === 'publicSignals' && issue.path.length === 1 && (issue.code === 'too_small' || issue.code === 'too_big'))
    return 'WRONG_SIGNAL_COUNT';
  if (head === 'proof') return 'MALFORMED_PROOF';
  return fallback;
}

function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || 'body';
}

/**
 * Parse a value with a schema or throw a 400 HttpError.
 * @param fallback the code for shape errors (INVALID_BODY, MALFORMED_PRESENTATION, INVALID_PARAMETER)
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, fallback: HttpErrorCode = 'INVALID_BODY'): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((issue) => ({ issue, code: codeOf(issue, fallback) }));
  // Shape errors (the fallback code) come first: they are the most basic.
  const rank = (c: HttpErrorCode) => (c === fallback ? -1 : PRIORITY.indexOf(c));
  issues.sort((a, b) => rank(a.code) - rank(b.code));
  const first = issues[0] as { issue: z.core.$ZodIssue; code: HttpErrorCode };
  const message = value === undefined ? 'a JSON body is required' : `${pathText(first.issue.path)}: ${first.issue.message}`;
  throw new HttpError(first.code, message);
}
