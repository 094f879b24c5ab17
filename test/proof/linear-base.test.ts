/**
 * The prover's linear base (src/prover/groth16-prove.ts, generate-proof.ts): the multi-
 * exponentiations that are linear in the witness start from the sums of a canonical witness of the
 * same credential. The sums must equal the direct ones exactly, proofs made this way must verify,
 * and the base must depend on no request (what an earlier service asked must not change how a
 * later proof is computed, hence how long it takes).
 */
import { readFileSync } from 'node:fs';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_MODULUS } from '../../src/field.ts';
import { forgetProofBase, proofBaseCounts, proofBaseSettled } from '../../src/prover/generate-proof.ts';
import {
  deriveLinearBase,
  groth16Prove,
  type LinearBase,
  linearBase,
  linearSumsForTest,
  type PreparedZkey,
  prepareZkey,
  witnessDifference,
} from '../../src/prover/groth16-prove.ts';
import { buildCircuitInput, type CircuitInput, canonicalCircuitInput, computeWitness } from '../../src/prover/witness.ts';
import type { ProofRequest } from '../../src/request.ts';
import { terminateCurve } from '../../src/verifier/curve.ts';
import { build, credentialFor, HOLDER_SECRET, params, policy, proveVerified, request, SERIAL, tree, wasm } from '../helpers/zkid.ts';

const vk = build.verificationKey;
const t = tree([SERIAL + 3n]);
let z: PreparedZkey;
let reqA: ProofRequest;
let reqB: ProofRequest;
let inputA: CircuitInput;
let inputB: CircuitInput;
let base: LinearBase;

function leValue(b: Uint8Array, i: number): bigint {
  let v = 0n;
  for (let j = i * 32 + 31; j >= i * 32; j--) v = (v << 8n) | BigInt(b[j] as number);
  return v;
}

/** The witness values of a .wtns (section 2). */
function values(wtns: Uint8Array): Uint8Array {
  return wtns.subarray(wtns.byteLength - build.manifest.wires * 32);
}

beforeAll(async () => {
  z = await prepareZkey(new Uint8Array(readFileSync(build.zkey.location)));
  const credential = await credentialFor();
  reqA = await request(policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }], ['nationality']), {
    tree: t,
    serviceId: 'a.example',
  });
  reqB = await request(
    policy([
      { attribute: 'nationality', op: 'IN', value: [156, 344] },
      { attribute: 'region', op: 'BETWEEN', value: [110000, 119999] },
    ]),
    { tree: t, serviceId: 'b.example', today: 20270101 },
  );
  const revocation = t.witness(SERIAL);
  inputA = buildCircuitInput({ credential: credential as never, holderSecret: HOLDER_SECRET, request: reqA, revocation });
  inputB = buildCircuitInput({ credential: credential as never, holderSecret: HOLDER_SECRET, request: reqB, revocation });
  base = await linearBase(z, await computeWitness(wasm, canonicalCircuitInput(inputA, params)));
});
afterAll(() => terminateCurve());

describe('the canonical input', () => {
  it('depends on the credential, secret and revocation path, not on the request', () => {
    // Two requests that differ in service (scope), challenge, day, predicates, set and disclosure.
    expect(inputA.scope).not.toBe(inputB.scope);
    expect(inputA.request).not.toEqual(inputB.request);
    expect(canonicalCircuitInput(inputA, params)).toEqual(canonicalCircuitInput(inputB, params));
    // ...and keeps what the credential decides.
    const c = canonicalCircuitInput(inputA, params);
    expect(c.holderSecret).toBe(inputA.holderSecret);
    expect(c.slots).toEqual(inputA.slots);
    expect(c.revSiblings).toEqual(inputA.revSiblings);
    expect([c.scope, c.challenge]).toEqual(['0', '0']);
  });
});

describe('witnessDifference', () => {
  it('is w - b mod r where they differ and zero elsewhere', async () => {
    const w = values(await computeWitness(wasm, inputB));
    const { delta, changed } = witnessDifference(w, base.witness);
    let differing = 0;
    for (let i = 0; i < build.manifest.wires; i++) {
      const wi = leValue(w, i);
      const bi = leValue(base.witness, i);
      if (wi !== bi) differing++;
      expect((bi + leValue(delta, i)) % FIELD_MODULUS).toBe(wi);
    }
    expect(changed).toBe(differing);
    // The point of the base: most values depend on the credential alone.
    expect(changed).toBeGreaterThan(0);
    expect(changed * 5).toBeLessThan(build.manifest.wires);
  });
});

describe('sums from the base', () => {
  it('equal the direct sums exactly (A, B in G1 and G2, C)', async () => {
    for (const input of [inputA, inputB]) {
      const wtns = await computeWitness(wasm, input);
      const direct = await linearSumsForTest(z, wtns);
      expect(await linearSumsForTest(z, wtns, base)).toEqual(direct);
    }
  });

  it('equal them for the base witness itself, another credential, and a base that differs everywhere', async () => {
    const own = await computeWitness(wasm, canonicalCircuitInput(inputA, params));
    expect(await linearSumsForTest(z, own, base)).toEqual(await linearSumsForTest(z, own));
    const other = buildCircuitInput({
      credential: (await credentialFor({ attributes: { birthDate: 19800101 }, secret: 777n })) as never,
      holderSecret: 777n,
      request: reqA,
      revocation: t.witness(SERIAL),
    });
    const wtns = await computeWitness(wasm, other);
    expect(witnessDifference(values(wtns), base.witness).changed).toBeGreaterThan(1000);
    expect(await linearSumsForTest(z, wtns, base)).toEqual(await linearSumsForTest(z, wtns));
    // A base need not be a valid witness: every value + 1 (the prover then computes in full).
    const shifted = own.slice();
    const v = values(shifted);
    for (let i = 0; i < build.manifest.wires; i++) {
      const x = (leValue(v, i) + 1n) % FIELD_MODULUS;
      for (let j = 0; j < 32; j++) v[i * 32 + j] = Number((x >> BigInt(8 * j)) & 0xffn);
    }
    const far = await linearBase(z, shifted);
    expect(witnessDifference(values(wtns), far.witness).changed * 2).toBeGreaterThan(build.manifest.wires);
    expect(await linearSumsForTest(z, wtns, far)).toEqual(await linearSumsForTest(z, wtns));
  });

  it('derived from a proof (what a first proof leaves behind) equal the base computed directly', async () => {
    const proved = await groth16Prove(z, await computeWitness(wasm, inputB));
    const canonicalWtns = await computeWitness(wasm, canonicalCircuitInput(inputA, params));
    const derived = await deriveLinearBase(z, canonicalWtns, proved.linear);
    // The derived base's sums (its own witness: no difference) against the direct sums of that witness.
    expect(await linearSumsForTest(z, canonicalWtns, derived)).toEqual(await linearSumsForTest(z, canonicalWtns));
    expect(derived.witness).toEqual(base.witness);
  });

  it('give proofs that snarkjs verifies, and refuse a base made for another key', async () => {
    const wtns = await computeWitness(wasm, inputB);
    const { proof, publicSignals } = await groth16Prove(z, wtns, undefined, base);
    expect(await snarkjs.groth16.verify(vk, publicSignals, proof)).toBe(true);
    const other = await prepareZkey(new Uint8Array(readFileSync(build.zkey.location)));
    await expect(groth16Prove(other, wtns, undefined, base)).rejects.toThrow('the linear base was computed for another proving key');
  });
});

describe('generateProof keeps one base per credential', () => {
  it('computes it on the first proof and reuses it for another service, both accepted', async () => {
    const before = proofBaseCounts();
    expect([await proveVerified(reqA, t), await proveVerified(reqB, t)]).toEqual([true, true]);
    const after = proofBaseCounts();
    // Another file may have left a base for this credential: then both proofs reuse it.
    expect(after.computed - before.computed + after.reused - before.reused).toBe(2);
    expect(after.reused - before.reused).toBeGreaterThanOrEqual(1);
  });

  it('neither computes nor uses one with keepLinearBase: false (the CLI proves once per process)', async () => {
    forgetProofBase();
    const before = proofBaseCounts();
    expect(await proveVerified(reqA, t, { keepLinearBase: false })).toBe(true);
    expect(proofBaseCounts()).toEqual(before);
  });

  it('keeps it in a base store between processes: restored, not recomputed; a corrupt copy is ignored', async () => {
    const saved = new Map<string, Uint8Array>();
    const store = {
      get: async (d: string) => saved.get(d),
      put: async (d: string, b: Uint8Array) => {
        saved.set(d, b);
      },
    };
    const prove = (req: ProofRequest) => proveVerified(req, t, { linearBaseStore: store });
    forgetProofBase(); // as in a new worker
    let before = proofBaseCounts();
    expect(await prove(reqA)).toBe(true);
    expect(proofBaseCounts().computed - before.computed).toBe(1);
    await proofBaseSettled();
    expect(saved.size).toBe(1);

    forgetProofBase();
    before = proofBaseCounts();
    expect(await prove(reqB)).toBe(true);
    expect(proofBaseCounts().restored - before.restored).toBe(1);
    expect(proofBaseCounts().computed - before.computed).toBe(0);

    // A stored copy that is not four curve points is not used: computed again, and the proof verifies.
    const [digest, bytes] = [...saved][0] as [string, Uint8Array];
    const bad = bytes.slice();
    bad[10] = (bad[10] as number) ^ 1;
    saved.set(digest, bad);
    forgetProofBase();
    before = proofBaseCounts();
    expect(await prove(reqA)).toBe(true);
    expect(proofBaseCounts().computed - before.computed).toBe(1);
    await proofBaseSettled();
    expect(saved.get(digest)).toEqual(bytes);
  });
});
