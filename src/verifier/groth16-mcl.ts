/**
 * Groth16 verification with mcl-wasm (BN254 as "BN_SNARK1", the curve of snarkjs and Ethereum):
 * about four times faster than snarkjs's verifier. The key's fixed parts are prepared once: the
 * Miller loop of e(alpha, beta) and the line coefficients of gamma and delta. One proof costs one
 * multi-scalar multiplication over the public signals, one Miller loop for e(-A, B), a double
 * Miller loop over precomputed lines, and one final exponentiation:
 *     e(-A, B) · e(alpha, beta) · e(vk_x, gamma) · e(C, delta) == 1.
 * Callers check coordinates and signals for canonical form first (see groth16-checks.ts); this
 * module checks curve membership and the order of B.
 */
import * as mcl from 'mcl-wasm';
import type { VerificationKey } from './groth16-checks.ts';

let ready: Promise<void> | undefined;
function init(): Promise<void> {
  // Parse points with a curve check only; the order of B is checked explicitly (isValidOrder),
  // so the two failures can be told apart.
  ready ??= mcl.init(mcl.BN_SNARK1).then(() => mcl.verifyOrderG2(false));
  return ready;
}

interface PreparedKey {
  ic: mcl.G1[];
  alphaBeta: mcl.GT;
  gamma: mcl.PrecomputedG2;
  delta: mcl.PrecomputedG2;
}

const prepared = new WeakMap<object, PreparedKey>();

function g1(p: readonly string[]): mcl.G1 {
  const g = new mcl.G1();
  g.setStr(`1 ${p[0]} ${p[1]}`, 10);
  return g;
}

function g2(p: readonly (readonly string[])[]): mcl.G2 {
  const [x, y] = p as [string[], string[]];
  const g = new mcl.G2();
  g.setStr(`1 ${x[0]} ${x[1]} ${y[0]} ${y[1]}`, 10);
  return g;
}

function prepare(vk: VerificationKey): PreparedKey {
  let k = prepared.get(vk);
  if (!k) {
    k = {
      ic: vk.IC.map((p) => g1(p)),
      alphaBeta: mcl.millerLoop(g1(vk.vk_alpha_1), g2(vk.vk_beta_2)),
      gamma: new mcl.PrecomputedG2(g2(vk.vk_gamma_2)),
      delta: new mcl.PrecomputedG2(g2(vk.vk_delta_2)),
    };
    prepared.set(vk, k);
  }
  return k;
}

/** Initialise the pairing engine and prepare a key ahead of the first verification (service start). */
export async function prepareVerifier(vk: VerificationKey): Promise<void> {
  await init();
  prepare(vk);
}

export interface ProofPoints {
  pi_a: readonly string[];
  pi_b: readonly (readonly string[])[];
  pi_c: readonly string[];
}

/**
 * Verify a Groth16 proof. Returns false for a proof that does not verify and for points that are
 * not on the curve, at infinity, or (B) outside the order-r subgroup.
 * @param publicSignals canonical values below r (checked by the caller)
 */
export async function groth16VerifyMcl(vk: VerificationKey, publicSignals: readonly bigint[], proof: ProofPoints): Promise<boolean> {
  await init();
  const key = prepare(vk);
  if (publicSignals.length !== key.ic.length - 1) return false;
  let A: mcl.G1;
  let B: mcl.G2;
  let C: mcl.G1;
  try {
    A = g1(proof.pi_a);
    B = g2(proof.pi_b);
    C = g1(proof.pi_c);
  } catch {
    return false; // not on the curve
  }
  if (A.isZero() || B.isZero() || C.isZero() || !A.isValid() || !B.isValid() || !C.isValid() || !B.isValidOrder()) return false;
  const scalars = publicSignals.map((s) => {
    const f = new mcl.Fr();
    f.setStr(s.toString(10), 10);
    return f;
  });
  const vkx = scalars.length ? mcl.add(key.ic[0] as mcl.G1, mcl.mulVec(key.ic.slice(1), scalars)) : (key.ic[0] as mcl.G1);
  const ml = mcl.mul(mcl.mul(mcl.millerLoop(mcl.neg(A), B), key.alphaBeta), mcl.precomputedMillerLoop2(vkx, key.gamma, C, key.delta));
  return mcl.finalExp(ml).isOne();
}

/** Is this G2 point (canonical affine coordinates) on the twist and in the order-r subgroup? */
export async function g2InSubgroup(p: readonly (readonly string[])[]): Promise<'ok' | 'off-curve' | 'not-in-subgroup'> {
  await init();
  let B: mcl.G2;
  try {
    B = g2(p);
  } catch {
    return 'off-curve';
  }
  if (B.isZero() || !B.isValid()) return 'off-curve';
  return B.isValidOrder() ? 'ok' : 'not-in-subgroup';
}
