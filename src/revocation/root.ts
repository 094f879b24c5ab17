/**
 * Revocation roots as published: the one record type of the root history (the tree's, the
 * registry's, the store's, the HTTP answers' and the wallet's), the issuer's signature over it,
 * and the recent window of roots a verifier accepts. Browser-safe (the Poseidon wrapper and
 * BigInt, no circomlibjs): the wallet checks signatures with the same code as the verifier that
 * follows a remote registry. The check is circomlib's EdDSAPoseidonVerifier: S < subgroup order,
 * R8 and A on the curve, A not of small order, and S*B8 == R8 + (8*H)*A with
 * H = Poseidon(R8x, R8y, Ax, Ay, M); tests check it against circomlibjs's verifyPoseidon and
 * babyJub. (@zk-kit/eddsa-poseidon 1.1.0 does the same but its ES module does not load under Node:
 * it imports names from CommonJS blakejs; @zk-kit/baby-jubjub would add ~100 kB of input, a Buffer
 * polyfill among it, to the wallet for a few lines of curve arithmetic.)
 *
 * The issuer signs each root it publishes with its EdDSA-Poseidon key (the key that signs its
 * credentials) over a domain-separated message
 *
 *   M = Poseidon(ROOT_SIGNATURE_DOMAIN, root, revision, publishedAt in epoch milliseconds)
 *
 * so a signature binds the root to its revision and its publication time: it cannot be moved to
 * another revision (a rollback dressed as news) or another time (which would stretch the accepted
 * window). Credential signatures sign Poseidon over 9 inputs and start with the schema version; a
 * root message is Poseidon over 4 inputs starting with this tag, so one never verifies as the other.
 * Whoever serves a record (the registry, any mirror, a cache) can withhold newer records but not
 * make one: trust is in the signature, never the transport.
 *
 * @example
 * const record = parseRootRecord(json.rootRecord, 'rootRecord');
 * checkSignedRoot(record, { root: witness.root, issuerPublicKey: credential.issuer.publicKey });
 */
import { ZkidError } from '../errors.ts';
import { FIELD_MODULUS, isCanonicalFieldElement, toDecimal } from '../field.ts';
import { poseidon } from '../poseidon.ts';
import { dataError, expectArray, expectDecimal, expectInteger, expectObject } from './common.ts';

/** The domain tag of root signatures: the ASCII bytes of 'zkid/revocation-root/v1' as one integer (< 2^184). */
export const ROOT_SIGNATURE_DOMAIN = BigInt(`0x${Array.from('zkid/revocation-root/v1', (c) => c.charCodeAt(0).toString(16)).join('')}`);

/** An EdDSA-Poseidon signature of a root record by one issuer key (decimal strings). */
export interface RootSignature {
  /** the issuer's public key [Ax, Ay] */
  publicKey: [string, string];
  R8: [string, string];
  S: string;
}

/** One root of the history: what a tree revision's root was and when it was published. */
export interface RootRecord {
  /** the tree revision this root belongs to (0 = the empty tree) */
  revision: number;
  /** the root, decimal */
  root: string;
  publishedAt: Date;
  /** the issuer's signatures (one per active issuer key); absent or empty: unsigned */
  signatures?: RootSignature[];
}

/** A root record as JSON (GET /v1/registry/roots, buckets, the snapshot). */
export interface RootRecordJson {
  revision: number;
  root: string;
  /** ISO 8601 with milliseconds: exactly the signed time */
  publishedAt: string;
  signatures: RootSignature[];
}

/** At most this many signatures a record may carry (one per active issuer key). */
export const MAX_ROOT_SIGNATURES = 8;

/** The message an issuer signs for a root record. Arguments must already be valid. */
export function rootMessage(r: Pick<RootRecord, 'revision' | 'root' | 'publishedAt'>): bigint {
  return poseidon([ROOT_SIGNATURE_DOMAIN, BigInt(r.root), BigInt(r.revision), BigInt(r.publishedAt.getTime())]);
}

export function rootRecordToJson(r: RootRecord): RootRecordJson {
  return { revision: r.revision, root: r.root, publishedAt: r.publishedAt.toISOString(), signatures: r.signatures ?? [] };
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function expectPair(value: unknown, field: string): [string, string] {
  const pair = expectArray(value, field, 2);
  if (pair.length !== 2) throw dataError(field, `${field} must be a pair of decimal strings`);
  return [toDecimal(expectDecimal(pair[0], `${field}[0]`)), toDecimal(expectDecimal(pair[1], `${field}[1]`))];
}

/**
 * Validate a root record that arrived as JSON (signatures are checked by {@link verifyRootSignature}).
 * @param field the name used in error messages, e.g. 'rootRecord' or 'roots[3]'
 * @throws ZkidError INVALID_REVOCATION_DATA naming the part ('rootRecord.publishedAt', 'roots[3].signatures[0].S', ...)
 */
export function parseRootRecord(value: unknown, field = 'rootRecord'): RootRecord {
  const o = expectObject(value, field);
  const revision = expectInteger(o.revision, `${field}.revision`, 0, Number.MAX_SAFE_INTEGER);
  const root = toDecimal(expectDecimal(o.root, `${field}.root`));
  const at = o.publishedAt;
  const publishedAt = typeof at === 'string' && ISO_MS.test(at) ? new Date(at) : undefined;
  if (!publishedAt || Number.isNaN(publishedAt.getTime()) || publishedAt.toISOString() !== at || publishedAt.getTime() < 0) {
    throw dataError(
      `${field}.publishedAt`,
      `${field}.publishedAt must be an ISO 8601 UTC time with milliseconds (as the registry serves it)`,
    );
  }
  const signatures = (o.signatures === undefined ? [] : expectArray(o.signatures, `${field}.signatures`, MAX_ROOT_SIGNATURES)).map(
    (s, i): RootSignature => {
      const f = `${field}.signatures[${i}]`;
      const so = expectObject(s, f);
      return {
        publicKey: expectPair(so.publicKey, `${f}.publicKey`),
        R8: expectPair(so.R8, `${f}.R8`),
        S: toDecimal(expectDecimal(so.S, `${f}.S`)),
      };
    },
  );
  return { revision, root, publishedAt, signatures };
}

/**
 * Is this a public key a signature can be checked against: on the curve, and not of small order?
 * With a small-order key (8*A the identity) S*B8 == R8 + 8*H*A holds for any message once
 * R8 = S*B8: circomlib's verifier rejects such keys, and so does this one.
 */
export function isUsableIssuerKey(publicKey: readonly [string, string]): boolean {
  if (!isCanonicalFieldElement(publicKey[0]) || !isCanonicalFieldElement(publicKey[1])) return false;
  const a: Point = [BigInt(publicKey[0]), BigInt(publicKey[1])];
  if (!onCurve(a)) return false;
  // 8*A has x = 0 exactly when A lies in the small subgroup (order dividing 8); Z is never 0 on this complete curve.
  return multiply(a, 8n)[0] !== 0n;
}

/** BabyJubJub: a*x^2 + y^2 = 1 + d*x^2*y^2 over the BN254 scalar field (circomlib's babyjub.js, EIP-2494). */
const A_COEF = 168700n;
const D_COEF = 168696n;
/** Base8: the generator of the prime-order subgroup that signatures use. */
export const BASE8: Point = [
  5299619240641551281634865583518297030282874472190772894086521144482721001553n,
  16950150798460657717958625567821834550301663161624707787222815936182638968203n,
];
/** The order of that subgroup (the curve's order is 8 times it). */
export const SUBGROUP_ORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041n;

/** An affine point [x, y]. */
export type Point = [bigint, bigint];

/** Is (x, y) on the curve? Coordinates must be < r. */
export function onCurve([x, y]: Point): boolean {
  const x2 = m(x * x);
  const y2 = m(y * y);
  return m(A_COEF * x2 + y2) === m(1n + m(D_COEF * m(x2 * y2)));
}

/** A point in extended twisted Edwards coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, T = XY/Z. */
type Extended = [bigint, bigint, bigint, bigint];

function m(v: bigint): bigint {
  const x = v % FIELD_MODULUS;
  return x < 0n ? x + FIELD_MODULUS : x;
}

/** Unified addition (Hisil-Wong-Carter-Dawson 2008, "add-2008-hwcd"): complete on this curve (d is not a square), so it doubles too. */
function add(p: Extended, q: Extended): Extended {
  const a = m(p[0] * q[0]);
  const b = m(p[1] * q[1]);
  const c = m(D_COEF * m(p[3] * q[3]));
  const d = m(p[2] * q[2]);
  const e = m((p[0] + p[1]) * (q[0] + q[1]) - a - b);
  const f = d - c;
  const g = d + c;
  const h = b - A_COEF * a;
  return [m(e * f), m(g * h), m(f * g), m(e * h)];
}

/** k * P by double-and-add, without a field inversion per step (about 80 times faster than affine here). */
function multiply(p: Point, k: bigint): Extended {
  let acc: Extended = [0n, 1n, 1n, 0n];
  let base: Extended = [p[0], p[1], 1n, m(p[0] * p[1])];
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) acc = add(acc, base);
    base = add(base, base);
  }
  return acc;
}

/**
 * EdDSA-Poseidon verification, as circomlib's EdDSAPoseidonVerifier (the key's usability is checked by the caller).
 * Coordinates and S must be canonical decimals below r; anything else fails.
 */
function verifyEddsaPoseidon(message: bigint, sig: RootSignature, publicKey: readonly [string, string]): boolean {
  if (![...sig.R8, sig.S].every(isCanonicalFieldElement)) return false;
  const s = BigInt(sig.S);
  if (s >= SUBGROUP_ORDER) return false;
  const r8: Point = [BigInt(sig.R8[0]), BigInt(sig.R8[1])];
  const a: Point = [BigInt(publicKey[0]), BigInt(publicKey[1])];
  if (!onCurve(r8) || !onCurve(a)) return false;
  const h = poseidon([r8[0], r8[1], a[0], a[1], message]);
  const left = multiply(BASE8, s);
  const right = add([r8[0], r8[1], 1n, m(r8[0] * r8[1])], multiply(a, 8n * h));
  // Projective equality: X1/Z1 == X2/Z2 and Y1/Z1 == Y2/Z2.
  return m(left[0] * right[2]) === m(right[0] * left[2]) && m(left[1] * right[2]) === m(right[1] * left[2]);
}

/** k * P in affine coordinates (exported for the test against circomlibjs's babyJub.mulPointEscalar). */
export function mulPoint(p: Point, k: bigint): Point {
  const [x, y, z] = multiply(p, k);
  const inv = modInverse(z);
  return [m(x * inv), m(y * inv)];
}

function modInverse(v: bigint): bigint {
  // Fermat: v^(r-2) mod r (r is prime; v != 0 for points of this complete curve)
  let result = 1n;
  let b = m(v);
  for (let e = FIELD_MODULUS - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % FIELD_MODULUS;
    b = (b * b) % FIELD_MODULUS;
  }
  return result;
}

/**
 * Does `record` carry a valid signature by `publicKey` over its root, revision and time? Never throws.
 * @param publicKey the issuer key expected (the credential's issuer, or the one a verifier is configured with)
 */
export function verifyRootSignature(record: RootRecord, publicKey: readonly [string, string]): boolean {
  try {
    if (!isUsableIssuerKey(publicKey)) return false;
    const sig = record.signatures?.find((s) => s.publicKey[0] === publicKey[0] && s.publicKey[1] === publicKey[1]);
    if (!sig) return false;
    return verifyEddsaPoseidon(rootMessage(record), sig, publicKey);
  } catch {
    return false;
  }
}

/**
 * Holder side: the root that fetched revocation data yields must be one the credential's issuer
 * signed. Call it after witnessFromBucket / witnessFromSnapshot with the record served beside the
 * data (`rootRecord`), before keeping the data.
 * @param record untrusted JSON (or a parsed record)
 * @param o the root the data yields and the issuer key to trust (the credential's)
 * @returns the parsed record
 * @throws ZkidError ROOT_NOT_SIGNED when the record is missing, is for another root, or carries no
 *   valid signature by that key; INVALID_REVOCATION_DATA for a malformed record
 */
export function checkSignedRoot(record: unknown, o: { root: bigint | string; issuerPublicKey: readonly [string, string] }): RootRecord {
  if (record === undefined || record === null) {
    throw new ZkidError('ROOT_NOT_SIGNED', 'the registry sent no signed root record with the revocation data', 'rootRecord');
  }
  const parsed = parseRootRecord(record, 'rootRecord');
  const root = typeof o.root === 'bigint' ? toDecimal(o.root) : o.root;
  if (parsed.root !== root) {
    throw new ZkidError('ROOT_NOT_SIGNED', 'the signed root record is for another root than the revocation data yields', 'rootRecord.root');
  }
  if (!parsed.signatures || parsed.signatures.length === 0) {
    throw new ZkidError(
      'ROOT_NOT_SIGNED',
      `revocation root (revision ${parsed.revision}) is not signed by any issuer`,
      'rootRecord.signatures',
    );
  }
  if (!verifyRootSignature(parsed, o.issuerPublicKey)) {
    throw new ZkidError(
      'ROOT_NOT_SIGNED',
      `revocation root (revision ${parsed.revision}) carries no valid signature by the credential's issuer key`,
      'rootRecord.signatures',
    );
  }
  return parsed;
}

/**
 * The roots a verifier accepts at `now`, newest first: the current root, plus earlier roots that
 * were still current less than `maxAgeSeconds` ago, at most `count` distinct roots. Root i stopped
 * being current when root i-1 was published.
 * @param history newest first
 */
export function acceptedRootsOf(history: readonly RootRecord[], now: Date, window: { count: number; maxAgeSeconds: number }): string[] {
  const out: string[] = [];
  for (let i = 0; i < history.length && out.length < window.count; i++) {
    const entry = history[i] as RootRecord;
    if (i > 0) {
      const supersededAt = (history[i - 1] as RootRecord).publishedAt.getTime();
      if (now.getTime() - supersededAt > window.maxAgeSeconds * 1000) break;
    }
    if (!out.includes(entry.root)) out.push(entry.root);
  }
  return out;
}
