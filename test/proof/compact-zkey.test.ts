/**
 * The holder's compact proving key (circuit.zkc): it decodes to exactly the zkey's bytes, proves
 * like the zkey, is pinned (a tampered copy is refused before anything is parsed), is what the
 * service names in its requests, and still goes through the key's shape check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PINNED_ARTIFACTS } from '../../src/circuit/pinned-artifacts.ts';
import { sha256Hex } from '../../src/prover/artifacts.ts';
import { decodeCompactZkey, encodeCompactZkey, isCompactZkey, type ZkeyParts } from '../../src/prover/compact-zkey.ts';
import { type GenerateProofOptions, generateProof } from '../../src/prover/generate-proof.ts';
import { prepareZkey, zkeyParts } from '../../src/prover/groth16-prove.ts';
import type { ProofRequest } from '../../src/request.ts';
import { terminateCurve } from '../../src/verifier/curve.ts';
import { verifyPresentation } from '../../src/verifier/verify-presentation.ts';
import { artifacts, build, credentialFor, HOLDER_SECRET, policy, request, SERIAL, tree } from '../helpers/zkid.ts';

const zkc = build.manifest.artifacts.zkc;
if (!zkc) throw new Error('the default build has no compact proving key: run npm run pin');
const compactPath = join(build.dir, zkc.file);
const compactBytes = new Uint8Array(readFileSync(compactPath));
const zkeyBytes = new Uint8Array(readFileSync(build.zkey.location));
const compact = { location: compactPath, sha256: zkc.sha256 };
const PARTS = ['header', 'coefs', 'pointsA', 'pointsB1', 'pointsB2', 'pointsC', 'pointsH'] as const;

const t = tree();
let over18: ProofRequest;
beforeAll(async () => {
  over18 = await request(policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }]), { tree: t });
});
afterAll(() => terminateCurve());

async function prove(o: Partial<GenerateProofOptions>) {
  return generateProof({
    credential: await credentialFor(),
    holderSecret: HOLDER_SECRET,
    request: over18,
    revocation: t.witness(SERIAL),
    artifacts: { wasm: artifacts.wasm, zkey: compact },
    ...o,
  });
}

/** Point k of a concatenated LEM affine array. */
const point = (points: Uint8Array, size: number, k: number) => points.subarray(k * size, k * size + size);

describe('the compact proving key', () => {
  it('is the committed file, pinned in the holder build next to the zkey', async () => {
    expect(await sha256Hex(compactBytes)).toBe(zkc.sha256);
    expect(compactBytes.length).toBe(zkc.bytes);
    expect(PINNED_ARTIFACTS[build.instance]).toEqual({
      wasm: build.manifest.artifacts.wasm.sha256,
      zkey: build.manifest.artifacts.zkey.sha256,
      zkc: zkc.sha256,
    });
    expect(isCompactZkey(compactBytes)).toBe(true);
    expect(isCompactZkey(zkeyBytes)).toBe(false);
    // smaller than the zkey (about 44 %), before any transfer encoding
    expect(compactBytes.length).toBeLessThan(zkeyBytes.length * 0.5);
  });

  it('decodes to exactly the bytes of the zkey sections the prover uses', () => {
    const want = zkeyParts(zkeyBytes);
    const got = decodeCompactZkey(compactBytes);
    expect(got.nCoefs).toBe(want.nCoefs);
    for (const k of PARTS) expect(Buffer.from(got[k]).equals(Buffer.from(want[k])), k).toBe(true);
  });

  it('is what the encoder makes from the committed zkey (deterministic: npm run pin is up to date)', () => {
    expect(Buffer.from(encodeCompactZkey(zkeyParts(zkeyBytes))).equals(Buffer.from(compactBytes))).toBe(true);
  });

  it('prepares to the same in-memory key as the zkey, byte for byte', async () => {
    const [a, b] = await Promise.all([prepareZkey(zkeyBytes), prepareZkey(compactBytes)]);
    for (const k of Object.keys(a) as (keyof typeof a)[]) {
      if (k === 'coefParts') {
        expect(b.coefParts.length).toBe(a.coefParts.length);
        a.coefParts.forEach((pa, i) => {
          const pb = b.coefParts[i];
          expect([pb?.start, pb?.n, pb?.nCoefs], `coefParts[${i}]`).toEqual([pa.start, pa.n, pa.nCoefs]);
          expect(Buffer.from(pb?.coefs ?? []).equals(Buffer.from(pa.coefs)), `coefParts[${i}].coefs`).toBe(true);
        });
      } else if (k === 'nonZero') {
        for (const s of ['A', 'B1', 'B2', 'C'] as const) expect(Array.from(b.nonZero[s]), `nonZero.${s}`).toEqual(Array.from(a.nonZero[s]));
      } else if (a[k] instanceof Uint8Array) {
        expect(Buffer.from(b[k] as Uint8Array).equals(Buffer.from(a[k] as Uint8Array)), k).toBe(true);
      } else {
        expect(b[k], k).toBe(a[k]);
      }
    }
  });

  it('gives a proof that verifies with the pinned verification key', async () => {
    const presentation = await prove({});
    const v = await verifyPresentation(presentation, over18, { verificationKey: build.verificationKey });
    expect(v).toMatchObject({ verified: true });
  }, 120_000);

  it('refuses a tampered compact key, even with its true hash (ARTIFACT_NOT_PINNED)', async () => {
    const evil = compactBytes.slice();
    evil[evil.length - 100] = (evil[evil.length - 100] as number) ^ 1; // one bit of an H point
    const sha256 = await sha256Hex(evil);
    await expect(prove({ artifacts: { wasm: artifacts.wasm, zkey: { location: evil, sha256 } } })).rejects.toMatchObject({
      code: 'ARTIFACT_NOT_PINNED',
      field: 'artifacts.zkey',
      message: expect.stringContaining(zkc.sha256),
    });
  });

  it('goes through the shape check: a pinned compact key with a point off the curve is INSECURE_PROVING_KEY', async () => {
    const parts: ZkeyParts = { ...decodeCompactZkey(compactBytes) };
    parts.pointsH = parts.pointsH.slice();
    const p = point(parts.pointsH, 64, 5);
    p[0] = (p[0] as number) ^ 1; // x changes, y does not: off the curve
    const evil = encodeCompactZkey(parts);
    const sha256 = await sha256Hex(evil);
    await expect(
      prove({
        artifacts: { wasm: artifacts.wasm, zkey: { location: evil, sha256 } },
        // as if the holder's own build had been compromised, to reach the second line of defence
        pinnedArtifacts: { [build.instance]: { wasm: artifacts.wasm.sha256, zkey: build.zkey.sha256, zkc: sha256 } },
      }),
    ).rejects.toMatchObject({ code: 'INSECURE_PROVING_KEY', message: expect.stringContaining('H[5] is not on the curve') });
  }, 120_000);

  it('a malformed compact key (pinned) is INSECURE_PROVING_KEY, not a crash', async () => {
    const evil = compactBytes.slice(0, compactBytes.length - 64); // truncated
    const sha256 = await sha256Hex(evil);
    await expect(
      prove({
        artifacts: { wasm: artifacts.wasm, zkey: { location: evil, sha256 } },
        pinnedArtifacts: { [build.instance]: { wasm: artifacts.wasm.sha256, zkey: build.zkey.sha256, zkc: sha256 } },
      }),
    ).rejects.toMatchObject({ code: 'INSECURE_PROVING_KEY', message: expect.stringContaining('compact zkey') });
    expect(() => decodeCompactZkey(compactBytes.slice(0, 100))).toThrow(RangeError);
    expect(() => decodeCompactZkey(zkeyBytes)).toThrow(/magic/);
  }, 120_000);
});
