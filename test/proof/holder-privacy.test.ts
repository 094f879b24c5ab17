/**
 * The holder's prover refuses what a hostile verifier chooses: another service's scope, a policy
 * that links or silently identifies, and any proving key the holder's build has not pinned (a
 * crafted key strips the proof's blinding). Each refusal comes before any proof exists.
 * (3 proofs: the crafted keys go to the shape check directly, and one of them, the remembered-check
 * test's two attempts, through generateProof.)
 */
import { readFileSync } from 'node:fs';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedArtifactsSource } from '../../scripts/lib/pins.ts';
import { PINNED_ARTIFACTS } from '../../src/circuit/pinned-artifacts.ts';
import { setArtifactStore, sha256Hex } from '../../src/prover/artifacts.ts';
import { type GenerateProofOptions, generateProof, type ProofProgress } from '../../src/prover/generate-proof.ts';
import { prepareZkey } from '../../src/prover/groth16-prove.ts';
import { checkProvingKeyShape } from '../../src/prover/zkey-shape.ts';
import type { ProofRequest } from '../../src/request.ts';
import { terminateCurve } from '../../src/verifier/curve.ts';
import { artifacts, build, credentialFor, HOLDER_SECRET, policy, request, SERIAL, tree } from '../helpers/zkid.ts';

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const t = tree();
const zkeyBytes = new Uint8Array(readFileSync(build.zkey.location));
let over18: ProofRequest;

beforeAll(async () => {
  over18 = await request(policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }]), { tree: t });
});
afterAll(() => terminateCurve());

/** A proving attempt that records its progress stages; `o` changes one thing of a valid call. */
async function attempt(o: Partial<GenerateProofOptions>): Promise<{ error: unknown; stages: string[] }> {
  const stages: string[] = [];
  try {
    await generateProof({
      credential: await credentialFor(),
      holderSecret: HOLDER_SECRET,
      request: over18,
      revocation: t.witness(SERIAL),
      artifacts,
      onProgress: (p: ProofProgress) => stages.push(p.stage),
      ...o,
    });
    return { error: undefined, stages };
  } catch (error) {
    return { error, stages };
  }
}

// ---- crafted proving keys --------------------------------------------------------------------

/** Byte offsets of the zkey's sections. */
function sectionStart(bytes: Uint8Array, type: number): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  for (let i = 0; i < v.getUint32(8, true); i++) {
    const size = Number(v.getBigUint64(at + 4, true));
    if (v.getUint32(at, true) === type) return at + 12;
    at += 12 + size;
  }
  throw new Error(`no section ${type}`);
}
// Groth16 header (section 2): n8q, q, n8r, r, nVars, nPublic, domainSize, then the points.
const HEADER_POINTS = sectionStart(zkeyBytes, 2) + 4 + 32 + 4 + 32 + 12;
const OFFSET = { alpha1: 0, beta1: 64, beta2: 128, gamma2: 256, delta1: 384, delta2: 448 };

function craft(edit: (z: Uint8Array) => void): Uint8Array {
  const z = zkeyBytes.slice();
  edit(z);
  return z;
}

/** Pin a crafted key as if the holder's own build had been compromised, to reach the shape check. */
async function withPinned(zkey: Uint8Array) {
  const sha256 = await sha256Hex(zkey);
  return {
    artifacts: { wasm: artifacts.wasm, zkey: { location: zkey, sha256 } },
    pinnedArtifacts: { [build.instance]: { wasm: artifacts.wasm.sha256, zkey: sha256 } },
  };
}

/** A point on the G2 twist outside the order-r subgroup, in the zkey's (LEM) encoding. */
async function pointOutsideG2Subgroup(): Promise<Uint8Array> {
  const c: any = await snarkjs.curves.getCurveFromName('bn128');
  const F2 = c.G2.F;
  for (;;) {
    const x = F2.random();
    const rhs = F2.add(F2.mul(F2.square(x), x), c.G2.b);
    if (!F2.isSquare(rhs)) continue;
    const p = new Uint8Array(128);
    p.set(x, 0);
    p.set(F2.sqrt(rhs), 64);
    if (c.G2.isValid(p) && !c.G2.isZero(c.G2.timesScalar(p, R))) return p;
  }
}

describe('the holder refuses before proving', () => {
  it("a request for another service's scope (SERVICE_MISMATCH), before loading anything", async () => {
    const bank = await request(policy([]), { tree: t, serviceId: 'bank.example' });
    const { error, stages } = await attempt({ request: bank, expectedServiceId: 'shop.example' });
    expect(error).toMatchObject({ code: 'SERVICE_MISMATCH', field: 'request.serviceId' });
    expect(stages).toEqual(['checking']);
  });

  it("an identifying policy without the holder's consent (IDENTIFYING_NOT_ALLOWED)", async () => {
    const who = await request(policy([], ['idNumber'], { identifying: true }), { tree: t });
    const { error, stages } = await attempt({ request: who });
    expect(error).toMatchObject({ code: 'IDENTIFYING_NOT_ALLOWED', message: expect.stringContaining('learn who you are') });
    expect(stages).toEqual(['checking']);
  });

  it('a hand-made request whose policy constrains the serial (INVALID_POLICY), whatever made it', async () => {
    const linking = { ...over18, policy: { ...over18.policy, predicates: [{ attribute: 'serial', op: 'EQ', value: Number(SERIAL) }] } };
    const { error } = await attempt({ request: linking });
    expect(error).toMatchObject({ code: 'INVALID_POLICY', message: expect.stringContaining('predicates on serial are not allowed') });
    const linking2 = { ...over18, policy: { ...over18.policy, predicates: [{ attribute: 'holderCommitment', op: 'IN', value: ['1'] }] } };
    expect((await attempt({ request: linking2 })).error).toMatchObject({ code: 'INVALID_POLICY' });
  });

  it('a zkey with delta at infinity named by the request, with its true hash (ARTIFACT_NOT_PINNED)', async () => {
    const evil = craft((z) => {
      z.fill(0, HEADER_POINTS + OFFSET.delta1, HEADER_POINTS + OFFSET.delta1 + 64);
      z.fill(0, HEADER_POINTS + OFFSET.delta2, HEADER_POINTS + OFFSET.delta2 + 128);
    });
    const sha256 = await sha256Hex(evil);
    // The verifier's request names the crafted key and its (correct) hash; the holder's pins win.
    const { error, stages } = await attempt({ artifacts: { wasm: artifacts.wasm, zkey: { location: evil, sha256 } } });
    expect(error).toMatchObject({
      code: 'ARTIFACT_NOT_PINNED',
      field: 'artifacts.zkey',
      message: expect.stringContaining(`this build trusts only ${PINNED_ARTIFACTS[build.instance]?.zkey}`),
    });
    expect(stages).toEqual(['checking']);
  });

  it('a request that names its own artifact hashes: the pins are the authority', async () => {
    const named = {
      ...over18,
      artifacts: { wasm: { url: '/w', sha256: 'a'.repeat(64) }, zkey: { url: '/z', sha256: 'b'.repeat(64) } },
    };
    // No artifacts from the caller: the prover reads the request's URLs, but only under the pins.
    const { error } = await attempt({ request: named, artifacts: undefined });
    expect(error).toMatchObject({ code: 'ARTIFACT_NOT_PINNED', field: 'artifacts.wasm' });
  });

  it('a circuit this build pins nothing for', async () => {
    const { error } = await attempt({ pinnedArtifacts: {} });
    expect(error).toMatchObject({ code: 'ARTIFACT_NOT_PINNED', field: 'request.circuit' });
  });
});

describe('the proving key shape check (second line, behind the pins)', () => {
  const cases: [string, () => Promise<Uint8Array>, string][] = [
    [
      'delta at infinity',
      async () => craft((z) => z.fill(0, HEADER_POINTS + OFFSET.delta1, HEADER_POINTS + OFFSET.delta1 + 64)),
      'delta1 is the point at infinity',
    ],
    [
      'gamma2 equal to delta2 (no phase-2 contribution)',
      async () =>
        craft((z) => z.copyWithin(HEADER_POINTS + OFFSET.gamma2, HEADER_POINTS + OFFSET.delta2, HEADER_POINTS + OFFSET.delta2 + 128)),
      'gamma2 equals delta2',
    ],
    [
      'an H point off the curve',
      async () =>
        craft((z) => {
          const at = sectionStart(z, 9) + 5 * 64 + 40;
          z[at] = (z[at] as number) ^ 1;
        }),
      'H[5] is not on the curve',
    ],
    [
      'a B2 point on the twist but outside the G2 subgroup',
      async () => {
        const p = await pointOutsideG2Subgroup();
        return craft((z) => {
          const b2 = sectionStart(z, 7);
          // the first B2 point that is not at infinity
          let i = 0;
          while (z.subarray(b2 + i * 128, b2 + i * 128 + 128).every((b) => b === 0)) i++;
          z.set(p, b2 + i * 128);
        });
      },
      'a B2 point is not in the G2 subgroup',
    ],
    [
      "a B2 point that is a subgroup point plus a point of order 10069 (the twist cofactor's smallest prime)",
      async () => {
        const c: any = await snarkjs.curves.getCurveFromName('bn128');
        // T = [h r / 10069] P for a point P of the whole twist (#E' = h r): of order 10069
        const h = 21888242871839275222246405745257275088844257914179612981679871602714643921549n;
        const T = c.G2.timesScalar(await pointOutsideG2Subgroup(), (h / 10069n) * R);
        expect(c.G2.isZero(T)).toBe(false);
        expect(c.G2.isZero(c.G2.timesScalar(T, 10069n))).toBe(true);
        return craft((z) => {
          const b2 = sectionStart(z, 7);
          let i = 0;
          while (z.subarray(b2 + i * 128, b2 + i * 128 + 128).every((b) => b === 0)) i++;
          const moved = c.G2.toAffine(c.G2.add(z.slice(b2 + i * 128, b2 + i * 128 + 128), T));
          z.set(moved, b2 + i * 128);
        });
      },
      'a B2 point is not in the G2 subgroup',
    ],
  ];
  // Each crafted key against the check itself (no proof needed: the check reads only the key) ...
  it.each(cases)('refuses %s (INSECURE_PROVING_KEY)', async (_name, make, reason) => {
    await expect(checkProvingKeyShape(await prepareZkey(await make()))).rejects.toMatchObject({
      code: 'INSECURE_PROVING_KEY',
      field: 'zkey',
      message: expect.stringContaining(reason),
    });
  });
  // ... and generateProof runs it on a pinned key it has never checked: one real attempt.
  it('refuses a pinned key that fails it in generateProof, and no proof is released', async () => {
    const [, make, reason] = cases[0] as (typeof cases)[number];
    const { error, stages } = await attempt(await withPinned(await make()));
    expect(error).toMatchObject({ code: 'INSECURE_PROVING_KEY', field: 'zkey', message: expect.stringContaining(reason) });
    // The check runs beside the first proof; that proof is discarded, never returned.
    expect(stages).toContain('proving');
    expect(stages).not.toContain('done');
  });
});

describe('remembered shape checks (a wallet keeps them in its own storage)', () => {
  it('records a key that passed, never one that failed', async () => {
    const marked: string[] = [];
    setArtifactStore({
      get: async () => undefined,
      put: async () => undefined,
      isShapeChecked: async () => false,
      markShapeChecked: async (sha) => {
        marked.push(sha);
      },
    });
    try {
      const ok = await attempt({});
      expect(ok.error).toBeUndefined();
      expect(marked).toEqual([build.zkey.sha256]);
      const bad = await attempt(
        await withPinned(craft((z) => z.fill(0, HEADER_POINTS + OFFSET.delta2, HEADER_POINTS + OFFSET.delta2 + 128))),
      );
      expect(bad.error).toMatchObject({ code: 'INSECURE_PROVING_KEY' });
      expect(marked).toEqual([build.zkey.sha256]);
    } finally {
      setArtifactStore(undefined);
    }
  });
});

describe('the pinned table', () => {
  it('is generated from the committed manifests (npm run pin)', () => {
    const committed = readFileSync(new URL('../../src/circuit/pinned-artifacts.ts', import.meta.url), 'utf8');
    expect(committed).toBe(pinnedArtifactsSource());
    expect(PINNED_ARTIFACTS[build.instance]).toEqual({
      wasm: build.manifest.artifacts.wasm.sha256,
      zkey: build.manifest.artifacts.zkey.sha256,
      zkc: build.manifest.artifacts.zkc?.sha256,
    });
  });
});
