/**
 * How the prover hands work to snarkjs's worker threads (src/prover/msm.ts, groth16-prove.ts):
 * its multi-exponentiation sends the bases once per thread instead of once per window, and each
 * thread gets only its constraint range's QAP coefficients. Both must give exactly what the
 * straightforward way gives; proofs made with them verify (prove-verify.test.ts, linear-base.test.ts).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coefsByRange, curve, zkeyParts } from '../../src/prover/groth16-prove.ts';
import { multiExpAffine } from '../../src/prover/msm.ts';
import { terminateCurve } from '../../src/verifier/curve.ts';
import { build } from '../helpers/zkid.ts';

let c: any;
beforeAll(async () => {
  c = await curve();
});
afterAll(() => terminateCurve());

/** n affine points in the engine's LEM form: multiples of the generator, every 7th at infinity. */
function points(G: any, n: number, size: number): Uint8Array {
  const out = new Uint8Array(n * size);
  for (let i = 0; i < n; i++) {
    if (i % 7 === 6) continue; // all zeros: the point at infinity
    G.toRprLEM(out, i * size, G.timesScalar(G.g, BigInt(i) * 7919n + 3n));
  }
  return out;
}

/** n little-endian scalars of `width` bytes, below 2^253, with some zeros and ones. */
function scalars(n: number, width = 32): Uint8Array {
  const out = new Uint8Array(n * width);
  globalThis.crypto.getRandomValues(out.subarray(0, Math.min(out.length, 65536)));
  for (let at = 65536; at < out.length; at += 65536) globalThis.crypto.getRandomValues(out.subarray(at, Math.min(out.length, at + 65536)));
  for (let i = 0; i < n; i++) {
    if (width === 32) out[i * width + 31] = (out[i * width + 31] as number) & 0x1f;
    if (i % 11 === 0) out.fill(0, i * width, (i + 1) * width);
    if (i % 13 === 1) {
      out.fill(0, i * width, (i + 1) * width);
      out[i * width] = 1;
    }
  }
  return out;
}

describe('multiExpAffine', () => {
  it.each([
    ['G1', 0],
    ['G1', 1],
    ['G1', 5],
    ['G1', 1000],
    ['G1', 4099],
    ['G2', 1],
    ['G2', 300],
  ] as const)('%s over %i points equals snarkjs own multiExpAffine', async (name, n) => {
    const G = c[name];
    const size = name === 'G1' ? 64 : 128;
    const p = points(G, n, size);
    const s = scalars(n);
    const want = await G.multiExpAffine(p, s);
    const got = await multiExpAffine(G, p, s);
    expect(G.eq(got, want)).toBe(true);
    expect(p.byteLength).toBe(n * size); // not given: the caller's arrays stay as they were
  });

  it('takes 16- and 6-byte scalars (the key-shape check) and equals the sum computed point by point', async () => {
    const n = 40;
    const p = points(c.G1, n, 64);
    for (const bytes of [16, 6]) {
      const s = scalars(n, bytes);
      let want = c.G1.zero;
      for (let i = 0; i < n; i++) {
        let k = 0n;
        for (let j = bytes - 1; j >= 0; j--) k = (k << 8n) | BigInt(s[i * bytes + j] as number);
        want = c.G1.add(want, c.G1.timesScalar(c.G1.fromRprLEM(p, i * 64), k));
      }
      expect(c.G1.eq(await multiExpAffine(c.G1, p, s), want)).toBe(true);
    }
  });

  it('moves the arrays it is given to the threads (they are detached afterwards), with the same result', async () => {
    const p = points(c.G2, 200, 128);
    const s = scalars(200);
    const want = await c.G2.multiExpAffine(p, s);
    const given = [p.slice(), s.slice()] as const;
    const got = await multiExpAffine(c.G2, given[0], given[1], { points: true, scalars: true });
    expect(c.G2.eq(got, want)).toBe(true);
    if (c.tm.concurrency > 1) expect([given[0].byteLength, given[1].byteLength]).toEqual([0, 0]);
  });

  it('refuses points and scalars that do not match', async () => {
    await expect(multiExpAffine(c.G1, new Uint8Array(64 * 3), new Uint8Array(32 * 2 + 1))).rejects.toThrow(/do not match/);
  });
});

describe('coefsByRange', () => {
  const parts = zkeyParts(new Uint8Array(readFileSync(build.zkey.location)));
  const domainSize = 2 ** 14;
  it.each([1, 2, 3, 5])('splits the default key into %i constraint ranges, each with exactly its coefficients in order', (chunks) => {
    const got = coefsByRange(parts.coefs, parts.nCoefs, domainSize, chunks);
    expect(got.reduce((a, p) => a + p.nCoefs, 0)).toBe(parts.nCoefs);
    expect(got.reduce((a, p) => a + p.n, 0)).toBe(domainSize);
    const view = new DataView(parts.coefs.buffer, parts.coefs.byteOffset, parts.coefs.byteLength);
    for (const p of got) {
      const want: number[] = [];
      for (let i = 0; i < parts.nCoefs; i++) {
        const constraint = view.getUint32(i * 44 + 4, true);
        if (constraint >= p.start && constraint < p.start + p.n) want.push(i);
      }
      expect(p.nCoefs).toBe(want.length);
      const expected = new Uint8Array(want.length * 44);
      want.forEach((i, k) => {
        expected.set(parts.coefs.subarray(i * 44, i * 44 + 44), k * 44);
      });
      expect(Buffer.from(p.coefs).equals(Buffer.from(expected))).toBe(true);
    }
  });
});
