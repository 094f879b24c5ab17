/**
 * The committed artifacts are proven, not trusted: the default instance is recompiled from the
 * sources (cached by content hash outside the repo, see scripts/lib/mutants.ts) and its r1cs and
 * wasm must equal the committed files byte for byte; the committed zkey must be made for that
 * r1cs (its header and its A/B coefficient section are recomputed from the r1cs); and the
 * verification key's gamma and delta are compared as G2 points.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceSpec, PUBLIC_INPUTS } from '../../scripts/lib/circuits.ts';
import { buildVariant, type Variant } from '../../scripts/lib/mutants.ts';
import { parseR1cs, type R1cs } from '../../scripts/lib/r1cs.ts';
import { publicSignalNames } from '../../src/circuit/registry.ts';
import { build, params } from '../helpers/zkid.ts';

interface Section {
  at: number;
  size: number;
}
/** Sections of a snarkjs binary file (zkey, r1cs, wtns): magic, version, count, then (type u32, size u64, data). */
function sections(bytes: Uint8Array): Map<number, Section> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<number, Section>();
  let at = 12;
  for (let i = v.getUint32(8, true); i > 0; i--) {
    out.set(v.getUint32(at, true), { at: at + 12, size: Number(v.getBigUint64(at + 4, true)) });
    at += 12 + Number(v.getBigUint64(at + 4, true));
  }
  return out;
}
const le = (b: Uint8Array, at: number, n: number) => {
  let x = 0n;
  for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[at + i] as number);
  return x;
};

let rebuilt: Variant;
let r1cs: R1cs;
let zkey: Uint8Array;
/** snarkjs's bn128 curve (ffjavascript, untyped) */
let curve: Awaited<ReturnType<typeof snarkjs.curves.getCurveFromName>>;

beforeAll(async () => {
  const spec = instanceSpec(build.instance);
  rebuilt = await buildVariant({
    main: {
      file: spec.file.replace(/^lib\//, ''),
      template: spec.template,
      params: Object.values(spec.params),
      public: spec.public ?? PUBLIC_INPUTS,
    },
    edits: [],
    optimization: 'O2',
    outputs: ['r1cs', 'wasm'],
  });
  r1cs = parseR1cs(new Uint8Array(await readFile(join(build.dir, 'circuit.r1cs'))));
  zkey = new Uint8Array(await readFile(join(build.dir, 'circuit.zkey')));
  curve = await snarkjs.curves.getCurveFromName('bn128');
}, 600_000);

afterAll(async () => {
  await curve?.terminate();
});

describe('committed artifacts, proven', () => {
  it('r1cs and wasm equal a fresh compilation of the sources, byte for byte', async () => {
    for (const [committed, fresh] of [
      ['circuit.r1cs', rebuilt.r1cs],
      ['circuit.wasm', rebuilt.wasm],
    ] as const) {
      const a = await readFile(join(build.dir, committed));
      const b = await readFile(fresh);
      expect(a.equals(b), `committed ${committed} differs from a fresh compilation (${fresh}): rebuild it with npm run ceremony`).toBe(
        true,
      );
    }
  });

  it("the zkey's header matches the r1cs (curve order, wires, public signals, domain)", () => {
    const s = sections(zkey);
    const v = new DataView(zkey.buffer, zkey.byteOffset, zkey.byteLength);
    expect(v.getUint32((s.get(1) as Section).at, true), 'zkey protocol (1 = Groth16)').toBe(1);
    const h = (s.get(2) as Section).at;
    const n8q = v.getUint32(h, true);
    const n8r = v.getUint32(h + 4 + n8q, true);
    expect(le(zkey, h + 8 + n8q, n8r), 'scalar field').toBe(r1cs.prime);
    const at = h + 8 + n8q + n8r;
    const nPublic = r1cs.nPubOut + r1cs.nPubIn;
    expect(v.getUint32(at, true), 'nVars').toBe(r1cs.nWires);
    expect(v.getUint32(at + 4, true), 'nPublic').toBe(nPublic);
    const domain = v.getUint32(at + 8, true);
    expect(domain, 'domain size').toBe(2 ** Math.ceil(Math.log2(r1cs.constraints.length + nPublic + 1)));
  });

  it("the zkey's A/B coefficient section is exactly the r1cs's A and B matrices (plus the public-input rows)", () => {
    const s = sections(zkey);
    const sec = s.get(4) as Section;
    const v = new DataView(zkey.buffer, zkey.byteOffset, zkey.byteLength);
    const n8r = 32;
    const p = r1cs.prime;
    // snarkjs (zkey_new.js) writes Fr.mul(coef, R2) of the r1cs bytes taken as Montgomery form:
    // the stored integer is coef * R^2 mod r, with R = 2^256 mod r.
    const R = (((1n << 256n) % p) * ((1n << 256n) % p)) % p;
    const expected: string[] = [];
    r1cs.constraints.forEach(([a, b], c) => {
      a.wires.forEach((w, i) => {
        expected.push(`0,${c},${w},${((a.coeffs[i] as bigint) * R) % p}`);
      });
      b.wires.forEach((w, i) => {
        expected.push(`1,${c},${w},${((b.coeffs[i] as bigint) * R) % p}`);
      });
    });
    for (let w = 0; w <= r1cs.nPubOut + r1cs.nPubIn; w++) expected.push(`0,${r1cs.constraints.length + w},${w},${R}`);
    const n = v.getUint32(sec.at, true);
    expect(n, 'number of coefficients').toBe(expected.length);
    let at = sec.at + 4;
    for (let i = 0; i < n; i++) {
      const got = `${v.getUint32(at, true)},${v.getUint32(at + 4, true)},${v.getUint32(at + 8, true)},${le(zkey, at + 12, n8r)}`;
      if (got !== expected[i]) expect(got, `zkey coefficient #${i} (matrix, constraint, wire, coefficient)`).toBe(expected[i]);
      at += 12 + n8r;
    }
  });

  it("the verification key is the zkey's, with gamma != delta compared as G2 points", () => {
    const vk = build.verificationKey as unknown as Record<string, string[][] | string[]>;
    const G2 = curve.G2;
    const point = (o: string[][]) => G2.fromObject(o.map((c) => c.map((x) => BigInt(x))));
    const gamma = point(vk.vk_gamma_2 as string[][]);
    const delta = point(vk.vk_delta_2 as string[][]);
    expect(G2.isValid(gamma) && G2.isValid(delta), 'gamma and delta are points of G2').toBe(true);
    expect(G2.eq(gamma, delta), 'gamma == delta: nobody contributed to phase 2, proofs can be forged').toBe(false);
    // The same points in the zkey's Groth16 header (after alpha1, beta1, beta2: gamma2, delta1, delta2).
    const s = sections(zkey);
    const h = (s.get(2) as Section).at + 4 + 32 + 4 + 32 + 12;
    const zGamma = G2.fromRprLEM(zkey, h + 64 + 64 + 128);
    const zDelta = G2.fromRprLEM(zkey, h + 64 + 64 + 128 + 128 + 64);
    expect(G2.eq(zGamma, gamma), "the vkey's gamma is the zkey's").toBe(true);
    expect(G2.eq(zDelta, delta), "the vkey's delta is the zkey's").toBe(true);
  });

  it("the challenge's verifying-key term is not the point at infinity (the challenge is bound)", () => {
    const vk = build.verificationKey as unknown as { IC: string[][] };
    const i = publicSignalNames(params).indexOf('challenge');
    expect(i).toBeGreaterThanOrEqual(0);
    const ic = curve.G1.fromObject((vk.IC[i + 1] as string[]).map((x) => BigInt(x)));
    expect(curve.G1.isZero(ic), 'IC[challenge] is zero: any challenge would verify').toBe(false);
  });
});
