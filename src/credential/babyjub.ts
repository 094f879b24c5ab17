/**
 * BabyJubJub in BigInt, and EdDSA-Poseidon verification: the one copy of the curve that the
 * signer (eddsa.ts, Node) and every verifier (root.ts, shared with the browser wallet; issuer.ts)
 * use. Browser-safe: the Poseidon wrapper and BigInt, no circomlibjs, no Node modules.
 *
 * The curve is circomlib's babyjub.js (EIP-2494): a*x^2 + y^2 = 1 + d*x^2*y^2 over the BN254
 * scalar field r, with Base8 generating the subgroup of prime order SUBGROUP_ORDER (the curve's
 * order is 8 times it). Tests check the constants and scalar multiplication against circomlibjs's
 * babyJub (test/revocation/root.test.ts) and signing/verification against its eddsa
 * (test/credential/eddsa.test.ts).
 *
 * The verification is circomlib's EdDSAPoseidonVerifier: S < subgroup order, R8 and A on the
 * curve, and S*B8 == R8 + (8*H)*A with H = Poseidon(R8x, R8y, Ax, Ay, M); whether A is usable
 * (not of small order, {@link isUsablePublicKey}) is the caller's check, as in circomlib.
 */
import { FIELD_MODULUS } from '../field.ts';
import { poseidon } from '../poseidon.ts';

/** An affine point [x, y], coordinates in [0, r). */
export type Point = [bigint, bigint];

/** The curve's coefficients a and d. */
const A_COEF = 168700n;
const D_COEF = 168696n;

/** Base8: the generator of the prime-order subgroup that keys and signatures use. */
export const BASE8: Point = [
  5299619240641551281634865583518297030282874472190772894086521144482721001553n,
  16950150798460657717958625567821834550301663161624707787222815936182638968203n,
];

/** The order of that subgroup (the curve's order is 8 times it). */
export const SUBGROUP_ORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041n;

function m(v: bigint): bigint {
  const x = v % FIELD_MODULUS;
  return x < 0n ? x + FIELD_MODULUS : x;
}

/** Is (x, y) on the curve? Coordinates must be in [0, r) (callers parse canonical field elements). */
export function onCurve([x, y]: readonly [bigint, bigint]): boolean {
  const x2 = m(x * x);
  const y2 = m(y * y);
  return m(A_COEF * x2 + y2) === m(1n + m(D_COEF * m(x2 * y2)));
}

/** A point in extended twisted Edwards coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, T = XY/Z. */
type Extended = [bigint, bigint, bigint, bigint];

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

/** k * P (k >= 0) by double-and-add, without a field inversion per step (about 80 times faster than affine here). */
function multiply(p: readonly [bigint, bigint], k: bigint): Extended {
  let acc: Extended = [0n, 1n, 1n, 0n];
  let base: Extended = [p[0], p[1], 1n, m(p[0] * p[1])];
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) acc = add(acc, base);
    base = add(base, base);
  }
  return acc;
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

/** k * P in affine coordinates (k >= 0), as circomlibjs's babyJub.mulPointEscalar. */
export function mulPoint(p: readonly [bigint, bigint], k: bigint): Point {
  const [x, y, z] = multiply(p, k);
  const inv = modInverse(z);
  return [m(x * inv), m(y * inv)];
}

/**
 * Can signatures be checked against this public key: on the curve, and not of small order?
 * With a small-order key (8*A the identity) S*B8 == R8 + 8*H*A holds for any message once
 * R8 = S*B8: circomlib's verifier rejects such keys (circomlibjs's verifyPoseidon does not).
 */
export function isUsablePublicKey(a: readonly [bigint, bigint]): boolean {
  // 8*A has x = 0 exactly when A lies in the small subgroup (order dividing 8); Z is never 0 on this complete curve.
  return onCurve(a) && multiply(a, 8n)[0] !== 0n;
}

/**
 * EdDSA-Poseidon verification as circomlib's EdDSAPoseidonVerifier; the key's usability
 * ({@link isUsablePublicKey}) is the caller's check. The message, coordinates and S must be in
 * [0, r) (callers parse canonical field elements).
 */
export function verifyEddsaPoseidon(
  message: bigint,
  sig: { R8: readonly [bigint, bigint]; S: bigint },
  publicKey: readonly [bigint, bigint],
): boolean {
  if (sig.S >= SUBGROUP_ORDER) return false;
  if (!onCurve(sig.R8) || !onCurve(publicKey)) return false;
  const h = poseidon([sig.R8[0], sig.R8[1], publicKey[0], publicKey[1], message]);
  const left = multiply(BASE8, sig.S);
  const right = add(multiply(sig.R8, 1n), multiply(publicKey, 8n * h));
  // Projective equality: X1/Z1 == X2/Z2 and Y1/Z1 == Y2/Z2.
  return m(left[0] * right[2]) === m(right[0] * left[2]) && m(left[1] * right[2]) === m(right[1] * left[2]);
}
