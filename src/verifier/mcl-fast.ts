/**
 * Two pairing-side operations that mcl has but mcl-wasm's wrappers do not offer, run on mcl's own
 * wasm heap (the wrappers copy every value in and out through the stack per call):
 *
 * - `millerLoopVec`: the product of many Miller loops sharing one accumulator, so the Fp12
 *   squaring of each step is paid once for all pairs (mcl's `mclBn_millerLoopVec`): about 30 %
 *   less per pair than separate loops, for the per-proof e(-r_i A_i, B_i) of a batch.
 * - `isInG2Subgroup`: the order-r subgroup test for a point on the G2 twist by the endomorphism
 *   psi (untwist-Frobenius-twist) instead of a multiplication by r. For BN curves whose seed x
 *   satisfies x != 4 (mod 13) and x != 92 (mod 97), which BN254's does, a point Q of the twist is
 *   in G2 exactly when [x+1]Q + psi([x]Q) + psi^2([x]Q) == psi^3([2x]Q) (Dai, Lin, Zhao, Zhou,
 *   "Fast subgroup membership testings for G1, G2 and GT on pairing-friendly curves", ePrint
 *   2022/348; used for BN254 by gnark-crypto and Ethereum's research). One 63-bit multiplication
 *   instead of a 254-bit one. [x]Q is computed by plain double-and-add on mcl's G2 group law, so
 *   the test does not depend on which method mcl's `mul` picks for a scalar (for scalars wider
 *   than a machine word it uses GLV, whose decomposition is only right for points already in G2);
 *   measured, mcl's `mul` by x is no faster.
 *
 * mcl-wasm (BN_SNARK1, mcl's 384-bit build) lays out Fp in 48 bytes (Montgomery form), Fp2 as
 * (a, b) in 96, G1 as Jacobian (x, y, z) in 144, G2 in 288 and GT (Fp12) in 576.
 */
import * as mcl from 'mcl-wasm';
import { BASE_MODULUS as P } from '../field.ts';

/** The raw exports of mcl's wasm module that this file calls (all take heap addresses). */
interface RawMcl {
  _malloc(n: number): number;
  _mclBnFp_neg(y: number, x: number): void;
  _mclBnFp2_mul(z: number, x: number, y: number): void;
  _mclBnG2_dbl(y: number, x: number): void;
  _mclBnG2_add(z: number, x: number, y: number): void;
  _mclBnG2_isEqual(x: number, y: number): number;
  _mclBn_millerLoopVec(f: number, P: number, Q: number, n: number): void;
}

const FP = 48;
const FP2 = 2 * FP;
const G1_BYTES = 3 * FP;
const G2_BYTES = 3 * FP2;
const GT_BYTES = 12 * FP;
/** Pairs per millerLoopVec call (mcl works through 16 at a time itself). */
const VEC = 16;

/** BN254's seed x: p = 36x^4 + 36x^3 + 24x^2 + 6x + 1, r = 36x^4 + 36x^3 + 18x^2 + 6x + 1. */
export const BN254_SEED = 4965661367192848881n;

type Fp2Big = readonly [bigint, bigint];
const fp = (a: bigint) => ((a % P) + P) % P;
const fp2Mul = (x: Fp2Big, y: Fp2Big): Fp2Big => [fp(x[0] * y[0] - x[1] * y[1]), fp(x[0] * y[1] + x[1] * y[0])];
function fp2Pow(x: Fp2Big, e: bigint): Fp2Big {
  let acc: Fp2Big = [1n, 0n];
  let base = x;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) acc = fp2Mul(acc, base);
    base = fp2Mul(base, base);
  }
  return acc;
}

interface Heap {
  raw: RawMcl;
  /** psi's constants: xi^((p-1)/3) and xi^((p-1)/2), xi = 9 + u (the twist's non-residue) */
  eps0: number;
  eps1: number;
  /** four G2 work slots */
  q: number;
  a: number;
  b: number;
  c: number;
  /** millerLoopVec's arguments: VEC G1, VEC G2, one GT */
  vp: number;
  vq: number;
  vf: number;
}

let heap: Heap | undefined;

/** A value's words as mcl-wasm keeps them (its `a_` buffer, the same layout as on the heap). */
function words(v: mcl.Fp2 | mcl.G1 | mcl.G2 | mcl.GT): Uint32Array {
  return (v as unknown as { a_: Uint32Array }).a_;
}

function u32(ptr: number, bytes: number): Uint32Array {
  return new Uint32Array(mcl.getMemory().buffer, ptr, bytes / 4);
}

/**
 * mcl-wasm's current wasm module. Every `mcl.init` call creates a new one (new memory), so what
 * lives on the heap (this file's work area, a key's precomputed lines) belongs to one module.
 */
export function mclModule(): object {
  // mcl-wasm sets `mod` on its CommonJS exports once initialised; an ES namespace of a CommonJS
  // module is a snapshot taken at import time, so read it from the live exports object (default).
  const ns = mcl as unknown as { default?: { mod?: RawMcl }; mod?: RawMcl };
  const raw = ns.default?.mod ?? ns.mod;
  if (!raw?._mclBn_millerLoopVec) throw new Error('mcl-wasm is not initialised (or lacks mclBn_millerLoopVec)');
  return raw;
}

function setupHeap(): Heap {
  const raw = mclModule() as RawMcl;
  // Set up again when something in this process called mcl.init again (a new module).
  if (heap?.raw === raw) return heap;
  const sizes = [words(new mcl.G1()).length, words(new mcl.G2()).length, words(new mcl.GT()).length, words(new mcl.Fp2()).length];
  if (sizes.join() !== [G1_BYTES / 4, G2_BYTES / 4, GT_BYTES / 4, FP2 / 4].join()) {
    throw new Error(`mcl-wasm's value layout changed (G1, G2, GT, Fp2 words: ${sizes.join(', ')})`);
  }
  const base = raw._malloc(2 * FP2 + 4 * G2_BYTES + VEC * (G1_BYTES + G2_BYTES) + GT_BYTES);
  let at = base;
  const take = (n: number) => {
    const p = at;
    at += n;
    return p;
  };
  const h: Heap = {
    raw,
    eps0: take(FP2),
    eps1: take(FP2),
    q: take(G2_BYTES),
    a: take(G2_BYTES),
    b: take(G2_BYTES),
    c: take(G2_BYTES),
    vp: take(VEC * G1_BYTES),
    vq: take(VEC * G2_BYTES),
    vf: take(GT_BYTES),
  };
  const xi: Fp2Big = [9n, 1n];
  const put = (ptr: number, v: Fp2Big) => {
    const f = new mcl.Fp2();
    const a = new mcl.Fp();
    const b = new mcl.Fp();
    a.setStr(v[0].toString(10), 10);
    b.setStr(v[1].toString(10), 10);
    f.set_a(a);
    f.set_b(b);
    u32(ptr, FP2).set(words(f));
  };
  put(h.eps0, fp2Pow(xi, (P - 1n) / 3n));
  put(h.eps1, fp2Pow(xi, (P - 1n) / 2n));
  heap = h;
  return h;
}

/** psi in place on a Jacobian G2 point: (conj(X) eps0, conj(Y) eps1, conj(Z)). */
function psi(h: Heap, pt: number): void {
  const { raw } = h;
  raw._mclBnFp_neg(pt + FP, pt + FP);
  raw._mclBnFp2_mul(pt, pt, h.eps0);
  raw._mclBnFp_neg(pt + FP2 + FP, pt + FP2 + FP);
  raw._mclBnFp2_mul(pt + FP2, pt + FP2, h.eps1);
  raw._mclBnFp_neg(pt + 2 * FP2 + FP, pt + 2 * FP2 + FP);
}

const SEED_BITS = BN254_SEED.toString(2);

/** dst = [x]src by double-and-add on the group law (no GLV); src and dst apart. */
function mulBySeed(h: Heap, dst: number, src: number): void {
  const bits = SEED_BITS;
  u32(dst, G2_BYTES).set(u32(src, G2_BYTES));
  for (let i = 1; i < bits.length; i++) {
    h.raw._mclBnG2_dbl(dst, dst);
    if (bits[i] === '1') h.raw._mclBnG2_add(dst, dst, src);
  }
}

/**
 * Whether a point already known to be on the twist (mcl's isValid) lies in the order-r subgroup.
 * Equivalent to `Q.isValidOrder()` (tests compare them on subgroup points and on points with a
 * small-order component), at about a third of its cost.
 */
export function isInG2Subgroup(Q: mcl.G2): boolean {
  const h = setupHeap();
  const { raw } = h;
  u32(h.q, G2_BYTES).set(words(Q));
  mulBySeed(h, h.a, h.q); // a = [x]Q
  u32(h.b, G2_BYTES).set(u32(h.a, G2_BYTES));
  psi(h, h.b); // b = psi([x]Q)
  u32(h.c, G2_BYTES).set(u32(h.b, G2_BYTES));
  psi(h, h.c); // c = psi^2([x]Q)
  raw._mclBnG2_add(h.b, h.b, h.c); // b = psi([x]Q) + psi^2([x]Q)
  raw._mclBnG2_add(h.c, h.a, h.q); // c = [x+1]Q
  raw._mclBnG2_add(h.b, h.b, h.c); // left side
  raw._mclBnG2_dbl(h.a, h.a); // a = [2x]Q
  psi(h, h.a);
  psi(h, h.a);
  psi(h, h.a); // right side: psi^3([2x]Q)
  return raw._mclBnG2_isEqual(h.b, h.a) === 1;
}

/** prod_i e_ML(P_i, Q_i): the Miller loops of many pairs with shared squarings (no final exponentiation). */
export function millerLoopVec(Ps: readonly mcl.G1[], Qs: readonly mcl.G2[]): mcl.GT {
  if (Ps.length !== Qs.length) throw new Error('millerLoopVec: as many G1 as G2 points are needed');
  const h = setupHeap();
  let f = new mcl.GT();
  f.setInt(1);
  for (let start = 0; start < Ps.length; start += VEC) {
    const n = Math.min(VEC, Ps.length - start);
    for (let i = 0; i < n; i++) {
      u32(h.vp + i * G1_BYTES, G1_BYTES).set(words(Ps[start + i] as mcl.G1));
      u32(h.vq + i * G2_BYTES, G2_BYTES).set(words(Qs[start + i] as mcl.G2));
    }
    h.raw._mclBn_millerLoopVec(h.vf, h.vp, h.vq, n);
    const part = new mcl.GT();
    words(part).set(u32(h.vf, GT_BYTES));
    f = start === 0 ? part : mcl.mul(f, part);
  }
  return f;
}
