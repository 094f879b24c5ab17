/**
 * BN254 field helpers: the one parser for the numbers that enter zkid from outside as decimal
 * text: field elements (< r), unsigned integers, and the coordinates of proof and key points
 * (< q). Canonical form: a decimal string with no sign, spaces, leading zeros or hex.
 * Serials are parsed in src/revocation/common.ts, on top of parseFieldElement.
 */
import { ZkidError } from './errors.ts';

/** The BN254 scalar field modulus r (the circuit's field). */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** BN254 base field modulus q: the coordinates of G1 and G2 points are below it. */
export const BASE_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/**
 * The canonical decimal form: no sign, no leading zeros. Exported for schemas that must state it
 * as a pattern (the zod request schemas, and through them the OpenAPI document); code tests
 * values with isCanonicalDecimal.
 */
export const CANONICAL_DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * The one canonical-decimal test: digits only, no sign, no leading zeros, at most `maxDigits`
 * digits (78 holds any 256-bit value). Callers that need a bound on the value check it after.
 */
export function isCanonicalDecimal(value: unknown, maxDigits = 78): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= maxDigits && CANONICAL_DECIMAL.test(value);
}

/** Is `value` a field element in canonical decimal form (< r)? */
export function isCanonicalFieldElement(value: unknown): value is string {
  return isCanonicalDecimal(value) && BigInt(value) < FIELD_MODULUS;
}

/**
 * Parse a field element given as a canonical decimal string, a bigint, or a safe integer.
 * @param field name of the parameter, used in the error
 * @throws ZkidError INVALID_FIELD_ELEMENT for anything else, or for a value >= r
 * @example parseFieldElement('holderSecret', '12345') // 12345n
 */
export function parseFieldElement(field: string, value: unknown): bigint {
  let v: bigint;
  if (typeof value === 'bigint') v = value;
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new ZkidError('INVALID_FIELD_ELEMENT', `${field} must be an integer`, field);
    v = BigInt(value);
  } else if (typeof value === 'string') {
    if (!isCanonicalDecimal(value)) {
      throw new ZkidError('INVALID_FIELD_ELEMENT', `${field} must be a canonical decimal string`, field);
    }
    v = BigInt(value);
  } else {
    throw new ZkidError('INVALID_FIELD_ELEMENT', `${field} must be a decimal string`, field);
  }
  if (v < 0n) throw new ZkidError('INVALID_FIELD_ELEMENT', `${field} must not be negative`, field);
  if (v >= FIELD_MODULUS) throw new ZkidError('INVALID_FIELD_ELEMENT', `${field} must be less than the field modulus`, field);
  return v;
}

/**
 * A coordinate of a BN254 point (proof or verification key) in canonical decimal form, < q.
 * @returns the value, or undefined for anything else (callers report their own error)
 */
export function parseCoordinate(value: unknown): bigint | undefined {
  if (!isCanonicalDecimal(value)) return undefined;
  const x = BigInt(value);
  return x < BASE_MODULUS ? x : undefined;
}

/** Parse a non-negative integer below 2^bits (a field element too, as bits <= 253). */
export function parseUint(field: string, value: unknown, bits: number): bigint {
  const v = parseFieldElement(field, value);
  if (v >= 1n << BigInt(bits)) throw new ZkidError('INVALID_FIELD_ELEMENT', `${field} must be less than 2^${bits}`, field);
  return v;
}

/** Reduce any integer into the field (for hashes of data, never for parsing input). */
export function mod(v: bigint): bigint {
  const m = v % FIELD_MODULUS;
  return m < 0n ? m + FIELD_MODULUS : m;
}

/** Decimal string form used in JSON: proofs, signals, credentials. */
export function toDecimal(v: bigint): string {
  return v.toString(10);
}

/** A uniformly random field element from the platform's CSPRNG (Node 20 and browsers). */
export function randomFieldElement(): bigint {
  // 64 random bytes reduced mod r: statistical distance from uniform < 2^-250.
  const bytes = new Uint8Array(64);
  globalThis.crypto.getRandomValues(bytes);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v % FIELD_MODULUS;
}
