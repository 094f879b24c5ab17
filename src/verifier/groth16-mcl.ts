/**
 * Groth16 verification with mcl-wasm (BN254 as "BN_SNARK1", the curve of snarkjs and Ethereum):
 * about four times faster than snarkjs's verifier, and batch verification of many proofs with one
 * random linear combination (groth16BatchPairing). The key's fixed parts are prepared once: the
 * Miller loop of e(alpha, beta), the line coefficients of gamma and delta, and (for batches) a
 * table of powers of e(alpha, beta). One proof costs one
 * multi-scalar multiplication over the public signals, one Miller loop for e(-A, B), a double
 * Miller loop over precomputed lines, and one final exponentiation:
 *     e(-A, B) · e(alpha, beta) · e(vk_x, gamma) · e(C, delta) == 1.
 * Callers check coordinates and signals for canonical form first (see groth16-checks.ts); this
 * module checks curve membership and the order of B.
 */
import * as mcl from 'mcl-wasm';
import { FIELD_MODULUS } from '../field.ts';
import type { VerificationKey } from './groth16-checks.ts';
import { isInG2Subgroup, mclModule, millerLoopVec } from './mcl-fast.ts';

let ready: Promise<void> | undefined;
function init(): Promise<void> {
  // Parse points with a curve check only; the order of B is checked explicitly (isInG2Subgroup),
  // so the two failures can be told apart.
  ready ??= mcl.init(mcl.BN_SNARK1).then(() => mcl.verifyOrderG2(false));
  return ready;
}

interface PreparedKey {
  /** the mcl module whose heap holds the precomputed lines (see mclModule) */
  module: object;
  ic: mcl.G1[];
  /** Miller loop of e(alpha, beta), for single verification */
  alphaBeta: mcl.GT;
  /** e(alpha, beta) to the powers j * 64^w (see alphaBetaPowers), for batches; made on first use */
  alphaBetaTable?: mcl.GT[];
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
  const module = mclModule();
  // Prepared again after a new mcl.init elsewhere in the process: the old lines are in the old heap.
  if (!k || k.module !== module) {
    k = {
      module,
      ic: vk.IC.map((p) => g1(p)),
      alphaBeta: mcl.millerLoop(g1(vk.vk_alpha_1), g2(vk.vk_beta_2)),
      gamma: new mcl.PrecomputedG2(g2(vk.vk_gamma_2)),
      delta: new mcl.PrecomputedG2(g2(vk.vk_delta_2)),
    };
    prepared.set(vk, k);
  }
  return k;
}

/**
 * e(alpha, beta)^R for a batch's R = sum r_i, by a fixed-base table: e(alpha, beta) is the same
 * for every batch, so its powers j * 64^w (j < 64, w < 24: 1,536 elements of GT, about 0.9 MB,
 * made once per key in about 20 ms) turn the power into one GT multiplication per 6-bit window
 * of R (R < 2^144 for batches of up to 2^16 proofs: at most 24). That replaces the batch's
 * G1 multiplication R alpha and its Miller loop e(R alpha, beta), about six times the cost
 * (BN254 in mcl-wasm: 1.54 ms against 0.24 on the host of 2026-12-02 16:25 UTC). The result is
 * the same element of GT: finalExp(millerLoop(R alpha, beta)) = e(alpha, beta)^R.
 */
const POW_WINDOW = 6;
const POW_WINDOWS = 24;

function alphaBetaTable(key: PreparedKey): mcl.GT[] {
  if (key.alphaBetaTable) return key.alphaBetaTable;
  const one = new mcl.GT();
  one.setInt(1);
  const table: mcl.GT[] = [];
  let base = mcl.finalExp(key.alphaBeta);
  for (let w = 0; w < POW_WINDOWS; w++) {
    let acc = one;
    table.push(one);
    for (let j = 1; j < 1 << POW_WINDOW; j++) {
      acc = mcl.mul(acc, base);
      table.push(acc);
    }
    base = mcl.mul(acc, base); // base^64
  }
  key.alphaBetaTable = table;
  return table;
}

/** e(alpha, beta)^e for 0 <= e < r (a plain exponentiation when e is wider than the table). */
function alphaBetaPowers(key: PreparedKey, e: bigint): mcl.GT {
  if (e >= 1n << BigInt(POW_WINDOW * POW_WINDOWS)) return mcl.pow(mcl.finalExp(key.alphaBeta), frOf(e));
  const table = alphaBetaTable(key);
  const mask = BigInt((1 << POW_WINDOW) - 1);
  let acc = table[0] as mcl.GT;
  for (let w = 0; e > 0n; w++, e >>= BigInt(POW_WINDOW)) {
    const j = Number(e & mask);
    if (j) acc = mcl.mul(acc, table[(w << POW_WINDOW) + j] as mcl.GT);
  }
  return acc;
}

/** e(alpha, beta)^e of a key, as a batch computes it (0 <= e < r; tests compare it with mcl.pow). */
export async function alphaBetaPower(vk: VerificationKey, e: bigint): Promise<mcl.GT> {
  await init();
  return alphaBetaPowers(prepare(vk), e);
}

/**
 * Initialise the pairing engine and prepare a key ahead of the first verification (service start).
 * @param o.batch also make the table batches use (a verification worker), not only the single path's lines
 */
export async function prepareVerifier(vk: VerificationKey, o: { batch?: boolean } = {}): Promise<void> {
  await init();
  const key = prepare(vk);
  if (o.batch) alphaBetaTable(key);
}

export interface ProofPoints {
  pi_a: readonly string[];
  pi_b: readonly (readonly string[])[];
  pi_c: readonly string[];
}

/** A proof's points parsed into the pairing engine, on their curves and (B) in the subgroup. */
export interface ParsedProof {
  A: mcl.G1;
  B: mcl.G2;
  C: mcl.G1;
}

/**
 * Parse a proof's points (canonical affine coordinates, checked by the caller) and check them
 * once: on the curve, not at infinity, B in the order-r subgroup.
 * @returns the points, or why they are unusable
 */
export async function parseProof(proof: ProofPoints): Promise<ParsedProof | 'off-curve' | 'infinity' | 'not-in-subgroup'> {
  await init();
  let A: mcl.G1;
  let B: mcl.G2;
  let C: mcl.G1;
  try {
    A = g1(proof.pi_a);
    B = g2(proof.pi_b);
    C = g1(proof.pi_c);
  } catch {
    return 'off-curve';
  }
  if (A.isZero() || B.isZero() || C.isZero()) return 'infinity';
  if (!A.isValid() || !B.isValid() || !C.isValid()) return 'off-curve';
  // The twist has a large cofactor: a B outside the order-r subgroup is refused (the endomorphism
  // test of mcl-fast.ts, equivalent to B.isValidOrder() at about a third of its cost).
  if (!isInG2Subgroup(B)) return 'not-in-subgroup';
  return { A, B, C };
}

function frOf(v: bigint): mcl.Fr {
  const f = new mcl.Fr();
  f.setStr(v.toString(10), 10);
  return f;
}

/** vk_x = IC[0] + sum s_j IC[j+1]. */
function publicInputTerm(key: PreparedKey, signals: readonly bigint[]): mcl.G1 {
  return signals.length ? mcl.add(key.ic[0] as mcl.G1, mcl.mulVec(key.ic.slice(1), signals.map(frOf))) : (key.ic[0] as mcl.G1);
}

/**
 * The Groth16 pairing equation for one parsed proof:
 *     e(-A, B) · e(alpha, beta) · e(vk_x, gamma) · e(C, delta) == 1.
 * @param publicSignals canonical values below r (checked by the caller), as many as the key expects
 */
export async function groth16Pairing(vk: VerificationKey, publicSignals: readonly bigint[], p: ParsedProof): Promise<boolean> {
  await init();
  const key = prepare(vk);
  if (publicSignals.length !== key.ic.length - 1) return false;
  const vkx = publicInputTerm(key, publicSignals);
  const ml = mcl.mul(mcl.mul(mcl.millerLoop(mcl.neg(p.A), p.B), key.alphaBeta), mcl.precomputedMillerLoop2(vkx, key.gamma, p.C, key.delta));
  return mcl.finalExp(ml).isOne();
}

/**
 * Batch verification: one random linear combination of the proofs' pairing equations. With
 * independent random 128-bit r_i from the CSPRNG:
 *     prod_i e(-r_i A_i, B_i) · e(R alpha, beta) · e(sum_i r_i vk_x_i, gamma) · e(sum_i r_i C_i, delta) == 1,
 * R = sum_i r_i, where sum_i r_i vk_x_i = R IC[0] + sum_j (sum_i r_i s_ij) IC[j+1]: the public-input
 * terms are folded into one multi-scalar multiplication per batch. N + 2 Miller loops (the N
 * per-proof ones in one multi-pair loop, sharing its squarings; gamma's and delta's over their
 * precomputed lines), one final exponentiation, and e(R alpha, beta) taken after it as
 * e(alpha, beta)^R from a fixed-base table (alphaBetaPowers: 24 multiplications in GT at most).
 * If any proof is invalid the combination fails except with probability about 2^-128, since the
 * r_i are unknown to whoever made the proofs.
 * @returns true when every proof verifies (false: at least one does not; bisect to find which)
 */
export async function groth16BatchPairing(
  vk: VerificationKey,
  items: readonly { publicSignals: readonly bigint[]; proof: ParsedProof }[],
): Promise<boolean> {
  await init();
  const key = prepare(vk);
  if (items.length === 0) return true;
  const n = key.ic.length - 1;
  if (items.some((it) => it.publicSignals.length !== n)) return false;
  // Public-input scalars are folded in BigInt arithmetic (reduced once at the end); each proof
  // costs one scalar conversion, one 128-bit G1 multiplication (-r_i A_i), a share of one
  // multi-scalar multiplication (sum r_i C_i) and its pair in one multi-pair Miller loop (about
  // 0.7 ms here; plus B's subgroup check, 0.24 ms, in the precheck: the floor of a batch's cost).
  const folded = new Array<bigint>(n).fill(0n);
  let R = 0n;
  const Cs: mcl.G1[] = [];
  const rs: mcl.Fr[] = [];
  const negRA: mcl.G1[] = [];
  const Bs: mcl.G2[] = [];
  const bytes = new Uint8Array(16);
  for (const it of items) {
    globalThis.crypto.getRandomValues(bytes);
    let rb = 0n;
    for (const b of bytes) rb = (rb << 8n) | BigInt(b);
    rb |= 1n; // never zero
    R += rb;
    for (let j = 0; j < n; j++) folded[j] = (folded[j] as bigint) + rb * (it.publicSignals[j] as bigint);
    const r = frOf(rb);
    Cs.push(it.proof.C);
    rs.push(r);
    negRA.push(mcl.neg(mcl.mul(it.proof.A, r)));
    Bs.push(it.proof.B);
  }
  const ml = millerLoopVec(negRA, Bs);
  const sumC = mcl.mulVec(Cs, rs);
  const foldedFr = folded.map((v) => frOf(v % FIELD_MODULUS));
  // R IC[0] in the same multi-scalar multiplication as the folded signals (it shares their doublings)
  const vkx = mcl.mulVec(key.ic, [frOf(R % FIELD_MODULUS), ...foldedFr]);
  // e(R alpha, beta) after the final exponentiation, from the table: e(alpha, beta)^R
  const rest = mcl.finalExp(mcl.mul(ml, mcl.precomputedMillerLoop2(vkx, key.gamma, sumC, key.delta)));
  return mcl.mul(rest, alphaBetaPowers(key, R % FIELD_MODULUS)).isOne();
}

/**
 * Verify a Groth16 proof. Returns false for a proof that does not verify and for points that are
 * not on the curve, at infinity, or (B) outside the order-r subgroup.
 * @param publicSignals canonical values below r (checked by the caller)
 */
export async function groth16VerifyMcl(vk: VerificationKey, publicSignals: readonly bigint[], proof: ProofPoints): Promise<boolean> {
  const p = await parseProof(proof);
  if (typeof p === 'string') return false;
  return groth16Pairing(vk, publicSignals, p);
}
