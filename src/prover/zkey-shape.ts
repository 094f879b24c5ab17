/**
 * The proving key's shape, checked by the holder before its first proof with that key.
 *
 * A proving key chosen by someone else is an attack on the holder: with delta at infinity, or
 * points whose discrete logarithms the key's author knows, the proof's A and C lose their
 * blinding and low-entropy attributes can be recovered by search. Pinning the key's sha256 in the
 * holder's build (src/circuit/pinned-artifacts.ts) is the defence; this check is the second line,
 * against a pinned key that is itself malformed:
 *  - alpha1, beta1, beta2, gamma2, delta1, delta2 are not the identity, and gamma2 != delta2;
 *  - every point is on its curve (G1: y^2 = x^3 + 3; G2: the twist). BN254's G1 has cofactor 1,
 *    so on the curve means in the group;
 *  - the fixed G2 points are in the order-r subgroup ([r]P = O);
 *  - the G2 query points (B2) are in the subgroup by a batch test: Q = sum c_i B2_i with random
 *    c_i from the CSPRNG, [r]Q = O, in two rounds with fresh scalars. Write each point as S_i +
 *    T_i, S_i in the subgroup and T_i in the cofactor's torsion: [r]Q = O exactly when
 *    sum c_i T_i = O, and for each prime l of the cofactor with some T_i's l-part non-zero a
 *    round with k-bit scalars misses it with probability at most max(1/l, 2^-k) (plus l / 2^k of
 *    bias when l < 2^k). The twist's cofactor is 10069 * 5864401 * (a number with no prime factor
 *    below 10^7). Round one takes 128-bit scalars; round two 48-bit ones, which is enough for the
 *    two small primes: together they miss a small-order component with probability about 1e-8
 *    and any other at most about 1e-14, as two 128-bit rounds would, the second round at 3/8 of
 *    the work.
 * Points at infinity are allowed in the A, B1, B2 and C queries (wires a matrix never uses).
 *
 * The batch rounds are most of the check's cost (in a browser's cold first proof they compete with
 * the proof for snarkjs's two threads).
 */
import { ZkidError } from '../errors.ts';
import { FIELD_MODULUS as R } from '../field.ts';
import { curve, type PreparedZkey } from './groth16-prove.ts';
import { multiExpAffine } from './msm.ts';

/** Scalar bytes of each batch round (see above): 128 bits, then 48. */
const ROUND_SCALAR_BYTES = [16, 6] as const;

function insecure(message: string): never {
  throw new ZkidError('INSECURE_PROVING_KEY', `the proving key is malformed: ${message}`, 'zkey');
}

/** n random scalars of `bytes` bytes each (the multi-exponentiation walks only those bits). */
function randomScalars(n: number, bytes: number): Uint8Array {
  const out = new Uint8Array(n * bytes);
  // getRandomValues fills 64 KiB at most per call.
  for (let i = 0; i < out.length; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

/** Points of a concatenated LEM affine array, skipping the point at infinity (all zeros). */
function checkOnCurve(G: any, points: Uint8Array, size: number, name: string, allowInfinity: boolean): void {
  for (let i = 0, k = 0; i < points.length; i += size, k++) {
    const p = points.subarray(i, i + size);
    if (p.every((b) => b === 0)) {
      if (allowInfinity) continue;
      insecure(`${name}[${k}] is the point at infinity`);
    }
    if (!G.isValid(p)) insecure(`${name}[${k}] is not on the curve`);
  }
}

/**
 * @throws ZkidError INSECURE_PROVING_KEY naming the first bad point
 */
export async function checkProvingKeyShape(z: PreparedZkey): Promise<void> {
  const c = await curve();
  const { G1, G2 } = c;
  const fixed1: [string, Uint8Array][] = [
    ['alpha1', z.alpha1],
    ['beta1', z.beta1],
    ['delta1', z.delta1],
  ];
  const fixed2: [string, Uint8Array][] = [
    ['beta2', z.beta2],
    ['gamma2', z.gamma2],
    ['delta2', z.delta2],
  ];
  for (const [name, p] of fixed1) {
    if (G1.isZero(p)) insecure(`${name} is the point at infinity`);
    if (!G1.isValid(p)) insecure(`${name} is not on the curve`);
  }
  for (const [name, p] of fixed2) {
    if (G2.isZero(p)) insecure(`${name} is the point at infinity`);
    if (!G2.isValid(p)) insecure(`${name} is not on the twist`);
    if (!G2.isZero(G2.timesScalar(p, R))) insecure(`${name} is not in the G2 subgroup`);
  }
  if (G2.eq(z.gamma2, z.delta2)) insecure('gamma2 equals delta2 (nobody contributed to phase 2)');

  checkOnCurve(G1, z.pointsA, 64, 'A', true);
  checkOnCurve(G1, z.pointsB1, 64, 'B1', true);
  checkOnCurve(G1, z.pointsC, 64, 'C', true);
  checkOnCurve(G1, z.pointsH, 64, 'H', false);
  checkOnCurve(G2, z.pointsB2, 128, 'B2', true);

  const idx = z.nonZero.B2;
  if (idx.length === 0) return;
  const pts = new Uint8Array(idx.length * 128);
  idx.forEach((i, k) => {
    pts.set(z.pointsB2.subarray(i * 128, i * 128 + 128), k * 128);
  });
  for (const bytes of ROUND_SCALAR_BYTES) {
    const q = await multiExpAffine(G2, pts, randomScalars(idx.length, bytes));
    if (!G2.isZero(G2.timesScalar(q, R))) insecure('a B2 point is not in the G2 subgroup');
  }
}
