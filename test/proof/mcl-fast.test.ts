/**
 * The verifier's own pairing-side operations on mcl's heap (src/verifier/mcl-fast.ts): the G2
 * subgroup test by the endomorphism psi must say exactly what a multiplication by r says, also for
 * points built to fool weaker tests (a subgroup point plus a small-order point of the twist), and
 * the multi-pair Miller loop must equal the product of single ones.
 */
import * as mcl from 'mcl-wasm';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_MODULUS as P, FIELD_MODULUS as R } from '../../src/field.ts';
import { BN254_SEED, isInG2Subgroup, millerLoopVec } from '../../src/verifier/mcl-fast.ts';

/** The twist's cofactor: #E'(Fp2) = h r. */
const H = 2n * P - R;

let curve: any;

/** A random point of the whole twist (order h r with overwhelming probability), in mcl. */
function twistPoint(seed: bigint): { mcl: mcl.G2; ff: Uint8Array } {
  const F2 = curve.G2.F;
  for (let k = seed; ; k++) {
    const x = F2.fromObject([k, 7n]);
    const rhs = F2.add(F2.mul(F2.square(x), x), curve.G2.b);
    if (!F2.isSquare(rhs)) continue;
    const ff = new Uint8Array(curve.G2.F.n8 * 3);
    ff.set(x, 0);
    ff.set(F2.sqrt(rhs), F2.n8);
    ff.set(F2.one, 2 * F2.n8);
    return { mcl: toMcl(ff), ff };
  }
}

/** An ffjavascript G2 point (Jacobian, Montgomery) as an mcl G2. */
function toMcl(ff: Uint8Array): mcl.G2 {
  const F2 = curve.G2.F;
  const aff = curve.G2.toAffine(ff);
  const [x0, x1] = F2.toObject(aff.slice(0, F2.n8)) as bigint[];
  const [y0, y1] = F2.toObject(aff.slice(F2.n8, 2 * F2.n8)) as bigint[];
  const g = new mcl.G2();
  g.setStr(`1 ${x0} ${x1} ${y0} ${y1}`, 10);
  return g;
}

function subgroupPoint(i: number): mcl.G2 {
  const k = new mcl.Fr();
  k.setByCSPRNG();
  return mcl.mul(mcl.hashAndMapToG2(`zkid mcl-fast ${i}`), k);
}

beforeAll(async () => {
  await mcl.init(mcl.BN_SNARK1);
  mcl.verifyOrderG2(false);
  curve = await snarkjs.curves.getCurveFromName('bn128', { singleThread: true });
});
afterAll(() => curve?.terminate());

describe('isInG2Subgroup', () => {
  it("relies on BN254's seed meeting the test's conditions (x != 4 mod 13, x != 92 mod 97) and defining p and r", () => {
    const x = BN254_SEED;
    expect(x % 13n).not.toBe(4n);
    expect(x % 97n).not.toBe(92n);
    expect(36n * x ** 4n + 36n * x ** 3n + 24n * x ** 2n + 6n * x + 1n).toBe(P);
    expect(36n * x ** 4n + 36n * x ** 3n + 18n * x ** 2n + 6n * x + 1n).toBe(R);
  });

  it('accepts points of the order-r subgroup, as isValidOrder does', () => {
    for (let i = 0; i < 24; i++) {
      const q = subgroupPoint(i);
      expect(q.isValidOrder()).toBe(true);
      expect(isInG2Subgroup(q)).toBe(true);
    }
    // the generator's negation and a Jacobian point with z != 1
    const g = subgroupPoint(99);
    expect(isInG2Subgroup(mcl.neg(g))).toBe(true);
    expect(isInG2Subgroup(mcl.add(g, mcl.dbl(g)))).toBe(true);
  });

  it('refuses points of the twist outside the subgroup, as isValidOrder does', () => {
    for (let i = 0; i < 24; i++) {
      const { mcl: q } = twistPoint(BigInt(1 + i * 1000));
      expect(q.isValid()).toBe(true);
      expect(q.isValidOrder()).toBe(false);
      expect(isInG2Subgroup(q)).toBe(false);
    }
  });

  it('refuses a subgroup point plus a point of small order (10069, 5864401: factors of the cofactor)', () => {
    for (const l of [10069n, 5864401n]) {
      expect(H % l).toBe(0n);
      for (let i = 0; i < 3; i++) {
        const { ff } = twistPoint(BigInt(50_000 + i * 777) + l);
        // T = [h r / l] R has order l (or is zero; not for these seeds)
        const T = curve.G2.timesScalar(ff, (H / l) * R);
        expect(curve.G2.isZero(T)).toBe(false);
        expect(curve.G2.isZero(curve.G2.timesScalar(T, l))).toBe(true);
        const t = toMcl(T);
        const q = mcl.add(subgroupPoint(i), t);
        expect([t.isValidOrder(), isInG2Subgroup(t)]).toEqual([false, false]);
        expect([q.isValidOrder(), isInG2Subgroup(q)]).toEqual([false, false]);
      }
    }
  });
});

describe('millerLoopVec', () => {
  it('equals the product of single Miller loops for 0, 1, 16, 17 and 40 pairs', () => {
    const Ps: mcl.G1[] = [];
    const Qs: mcl.G2[] = [];
    for (let i = 0; i < 40; i++) {
      const k = new mcl.Fr();
      k.setByCSPRNG();
      Ps.push(mcl.mul(mcl.hashAndMapToG1(`zkid mcl-fast P ${i}`), k));
      Qs.push(subgroupPoint(i));
    }
    for (const n of [0, 1, 16, 17, 40]) {
      const one = new mcl.GT();
      one.setInt(1);
      const expected = Ps.slice(0, n).reduce((f, p, i) => mcl.mul(f, mcl.millerLoop(p, Qs[i] as mcl.G2)), one);
      expect(millerLoopVec(Ps.slice(0, n), Qs.slice(0, n)).isEqual(expected)).toBe(true);
    }
    expect(() => millerLoopVec(Ps.slice(0, 2), Qs.slice(0, 1))).toThrow(/as many G1 as G2/);
  });
});
