/**
 * prepareProof: what the wallet starts while it shows a request (artifacts, curve engine, witness
 * generator, the key's shape check). It must respect the pins exactly as generateProof does, run
 * the shape check, and leave generateProof a working prover.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { artifactStore, clearArtifactCache, setArtifactStore } from '../../src/prover/artifacts.ts';
import { prepareProof } from '../../src/prover/generate-proof.ts';
import { terminateCurve } from '../../src/verifier/curve.ts';
import { artifacts, build, policy, proveVerified, request, tree } from '../helpers/zkid.ts';

const previous = artifactStore();
afterEach(() => {
  setArtifactStore(previous);
});

describe('prepareProof', () => {
  it('refuses artifacts that are not pinned before reading anything, and a request that names none', async () => {
    const req = await request(policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }]));
    const missing = '/nonexistent/zkid/circuit.zkey';
    // Reading it would say ARTIFACT_UNAVAILABLE: the pin check comes first.
    await expect(
      prepareProof(req, { artifacts: { wasm: artifacts.wasm, zkey: { location: missing, sha256: 'ab'.repeat(32) } } }),
    ).rejects.toMatchObject({ code: 'ARTIFACT_NOT_PINNED', field: 'artifacts.zkey' });
    await expect(prepareProof({ ...req, artifacts: undefined })).rejects.toMatchObject({ code: 'ARTIFACT_UNAVAILABLE' });
    await expect(prepareProof({ ...req, circuit: 'no-such-circuit' })).rejects.toMatchObject({ code: 'UNKNOWN_CIRCUIT' });
  });

  it("runs the key's shape check, then generateProof proves with what it prepared", async () => {
    const marked: string[] = [];
    const kept = new Map<string, Uint8Array>();
    setArtifactStore({
      get: async (sha) => kept.get(sha),
      put: async (sha, b) => {
        kept.set(sha, b);
      },
      isShapeChecked: async (sha) => marked.includes(sha),
      markShapeChecked: async (sha) => {
        marked.push(sha);
      },
    });
    clearArtifactCache();
    const t = tree();
    const req = await request(policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }]), { tree: t });
    await prepareProof(req, { artifacts });
    expect(marked).toEqual([build.zkey.sha256]);
    expect(await proveVerified(req, t)).toBe(true);
    expect(marked).toEqual([build.zkey.sha256]);
    await terminateCurve();
  });
});
