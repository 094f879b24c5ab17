/**
 * Proof requests: what a verifier asks for (policy, fresh challenge, scope, today, the issuer keys
 * and revocation roots it accepts, the circuit) and presentations, the holder's answer.
 */

import { circuitParams, DEFAULT_CIRCUIT } from './circuit/registry.ts';
import { parseDate, todayUtc } from './dates.ts';
import { ZkidError } from './errors.ts';
import { parseFieldElement, randomFieldElement, toDecimal } from './field.ts';
import { type Policy, parsePolicy } from './policy.ts';
import { poseidon } from './poseidon.ts';

export const REQUEST_VERSION = 'zkid/request/v1';

export interface ArtifactRef {
  url: string;
  sha256: string;
}

export interface ProofRequest {
  version: typeof REQUEST_VERSION;
  id: string;
  circuit: string;
  policy: Policy;
  /** the service's identifier; `scope` is derived from it */
  serviceId: string;
  scope: string;
  challenge: string;
  /** YYYYMMDD, the date the proof is made for */
  today: number;
  /** accepted issuer public keys [Ax, Ay] */
  issuers: [string, string][];
  /** accepted revocation roots, newest first */
  roots: string[];
  expiresAt: string;
  artifacts?: { wasm: ArtifactRef; zkey: ArtifactRef; vkey?: ArtifactRef };
}

export interface Groth16Proof {
  pi_a: [string, string, string];
  pi_b: [[string, string], [string, string], [string, string]];
  pi_c: [string, string, string];
  protocol: 'groth16';
  curve: 'bn128';
}

export interface Presentation {
  requestId: string;
  circuit: string;
  proof: Groth16Proof;
  publicSignals: string[];
}

const SERVICE_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * scope = Poseidon(length, chunks...) over the UTF-8 bytes of the service id in 31-byte
 * big-endian chunks (at most 200 bytes: 7 chunks). Synchronous and browser-safe.
 * @throws ZkidError INVALID_ARGUMENT for an empty, too long or non-printable id
 */
export function scopeFromServiceId(serviceId: string): bigint {
  if (typeof serviceId !== 'string' || !SERVICE_ID.test(serviceId)) {
    throw new ZkidError('INVALID_ARGUMENT', 'serviceId must be 1-200 printable ASCII characters without spaces', 'serviceId');
  }
  const bytes = new TextEncoder().encode(serviceId);
  const parts: bigint[] = [BigInt(bytes.length)];
  for (let i = 0; i < bytes.length; i += 31) {
    let v = 0n;
    for (const b of bytes.subarray(i, i + 31)) v = (v << 8n) | BigInt(b);
    parts.push(v);
  }
  return poseidon(parts);
}

function randomId(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export interface CreateRequestOptions {
  policy: Policy;
  serviceId: string;
  issuers: [string, string][];
  roots: string[];
  circuit?: string;
  today?: number;
  ttlSeconds?: number;
  now?: Date;
  artifacts?: ProofRequest['artifacts'];
}

/** Create a request with a fresh random challenge (the verifier must remember it). */
export function createProofRequest(o: CreateRequestOptions): ProofRequest {
  const now = o.now ?? new Date();
  const circuit = o.circuit ?? DEFAULT_CIRCUIT;
  const req: ProofRequest = {
    version: REQUEST_VERSION,
    id: randomId(),
    circuit,
    policy: parsePolicy(o.policy, circuitParams(circuit)),
    serviceId: o.serviceId,
    scope: toDecimal(scopeFromServiceId(o.serviceId)),
    challenge: toDecimal(randomFieldElement()),
    today: o.today ?? todayUtc(now),
    issuers: o.issuers.map(([x, y], i) => [
      toDecimal(parseFieldElement(`issuers[${i}][0]`, x)),
      toDecimal(parseFieldElement(`issuers[${i}][1]`, y)),
    ]),
    roots: o.roots.map((r, i) => toDecimal(parseFieldElement(`roots[${i}]`, r))),
    expiresAt: new Date(now.getTime() + (o.ttlSeconds ?? 300) * 1000).toISOString(),
  };
  if (o.artifacts) req.artifacts = o.artifacts;
  return parseProofRequest(req);
}

function bad(field: string, message: string): never {
  throw new ZkidError('INVALID_REQUEST', `${field}: ${message}`, field);
}

/**
 * Validate a proof request received as JSON (by a holder, or read back by a verifier).
 * @throws ZkidError INVALID_REQUEST (or the code of the nested value) naming the field
 */
export function parseProofRequest(input: unknown): ProofRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) bad('request', 'must be an object');
  const o = input as Record<string, unknown>;
  if (o.version !== REQUEST_VERSION) bad('version', `must be '${REQUEST_VERSION}'`);
  if (typeof o.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(o.id)) bad('id', 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -');
  if (typeof o.circuit !== 'string') bad('circuit', 'must be a circuit instance name');
  const params = circuitParams(o.circuit);
  const policy = parsePolicy(o.policy, params);
  if (typeof o.serviceId !== 'string') bad('serviceId', 'must be a string');
  const scope = scopeFromServiceId(o.serviceId);
  if (parseFieldElement('scope', o.scope) !== scope) bad('scope', 'does not match serviceId');
  const challenge = parseFieldElement('challenge', o.challenge);
  const today = parseDate('today', o.today);
  if (!Array.isArray(o.issuers) || o.issuers.length === 0 || o.issuers.length > 64) bad('issuers', 'must list 1 to 64 issuer keys');
  const issuers = o.issuers.map((k, i): [string, string] => {
    if (!Array.isArray(k) || k.length !== 2) bad(`issuers[${i}]`, 'must be [Ax, Ay]');
    return [toDecimal(parseFieldElement(`issuers[${i}][0]`, k[0])), toDecimal(parseFieldElement(`issuers[${i}][1]`, k[1]))];
  });
  if (!Array.isArray(o.roots) || o.roots.length === 0 || o.roots.length > 256) bad('roots', 'must list 1 to 256 revocation roots');
  const roots = o.roots.map((r, i) => toDecimal(parseFieldElement(`roots[${i}]`, r)));
  if (typeof o.expiresAt !== 'string' || Number.isNaN(Date.parse(o.expiresAt))) bad('expiresAt', 'must be an ISO date-time');
  const req: ProofRequest = {
    version: REQUEST_VERSION,
    id: o.id,
    circuit: o.circuit,
    policy,
    serviceId: o.serviceId,
    scope: toDecimal(scope),
    challenge: toDecimal(challenge),
    today,
    issuers,
    roots,
    expiresAt: new Date(o.expiresAt).toISOString(),
  };
  if (o.artifacts !== undefined) req.artifacts = parseArtifactRefs(o.artifacts);
  return req;
}

function parseArtifactRefs(v: unknown): NonNullable<ProofRequest['artifacts']> {
  if (typeof v !== 'object' || v === null) bad('artifacts', 'must be an object');
  const o = v as Record<string, unknown>;
  const ref = (k: string): ArtifactRef => {
    const r = o[k] as Record<string, unknown> | undefined;
    if (
      typeof r !== 'object' ||
      r === null ||
      typeof r.url !== 'string' ||
      typeof r.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(r.sha256)
    ) {
      bad(`artifacts.${k}`, 'must be { url, sha256 (64 lower-case hex) }');
    }
    return { url: r.url, sha256: r.sha256 };
  };
  const out: NonNullable<ProofRequest['artifacts']> = { wasm: ref('wasm'), zkey: ref('zkey') };
  if (o.vkey !== undefined) out.vkey = ref('vkey');
  return out;
}
