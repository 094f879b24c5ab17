/** generateProof refuses, before any heavy work, what it cannot prove, and says why. */
import { describe, expect, it } from 'vitest';
import { holderCommitment } from '../../src/credential/holder.ts';
import type { Credential } from '../../src/credential/schema.ts';
import type { Policy } from '../../src/policy.ts';
import { clearArtifactCache } from '../../src/prover/artifacts.ts';
import { forgetPreparedKeys, type GenerateProofOptions, generateProof } from '../../src/prover/generate-proof.ts';
import type { RevocationTree } from '../../src/revocation/tree.ts';
import { artifacts, credentialFor, HOLDER_SECRET, issuer, policy, request, SERIAL, tree } from '../helpers/zkid.ts';

const over18: Policy = policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }]);

/** A valid proving call for an adult's credential, with one thing changed. */
async function attempt(
  o: {
    credential?: Credential | object;
    tree?: RevocationTree;
    requestTree?: RevocationTree;
    options?: Partial<GenerateProofOptions>;
  } = {},
) {
  const t = o.tree ?? tree();
  return generateProof({
    credential: o.credential ?? (await credentialFor()),
    holderSecret: HOLDER_SECRET,
    request: await request(over18, { tree: o.requestTree ?? t }),
    revocation: t.witness(SERIAL),
    artifacts,
    ...o.options,
  });
}

describe('generateProof refuses', () => {
  it('a wrong holder secret', async () => {
    await expect(attempt({ options: { holderSecret: HOLDER_SECRET + 1n } })).rejects.toMatchObject({
      code: 'HOLDER_MISMATCH',
      field: 'holderSecret',
    });
  });
  it('an expired credential', async () => {
    await expect(attempt({ credential: await credentialFor({ attributes: { validUntil: 20261125 } }) })).rejects.toMatchObject({
      code: 'CREDENTIAL_EXPIRED',
    });
  });
  it('a revoked credential', async () => {
    await expect(attempt({ tree: tree([SERIAL]) })).rejects.toMatchObject({ code: 'CREDENTIAL_REVOKED' });
  });
  it('a 17-year-old asked to prove 18', async () => {
    await expect(attempt({ credential: await credentialFor({ attributes: { birthDate: 20081126 } }) })).rejects.toMatchObject({
      code: 'PREDICATE_UNSATISFIED',
      field: 'policy.predicates[0]',
    });
  });
  it("a credential from an issuer the request doesn't accept", async () => {
    await expect(attempt({ credential: await credentialFor({ key: await issuer('other') }) })).rejects.toMatchObject({
      code: 'ISSUER_NOT_TRUSTED',
    });
  });
  it('revocation data for a root the request does not accept', async () => {
    await expect(attempt({ tree: tree([3n]), requestTree: tree() })).rejects.toMatchObject({ code: 'ROOT_NOT_ACCEPTED' });
  });
  it('artifacts whose bytes do not match their (pinned) sha256', async () => {
    // A fresh load: a key already parsed under this hash (an earlier proof in this process) is
    // used by hash, whatever the location says.
    clearArtifactCache();
    forgetPreparedKeys();
    const zkey = { location: artifacts.wasm.location, sha256: artifacts.zkey.sha256 };
    await expect(attempt({ options: { artifacts: { wasm: artifacts.wasm, zkey } } })).rejects.toMatchObject({
      code: 'ARTIFACT_HASH_MISMATCH',
      field: 'zkey',
    });
  });
  it('a witness generator whose bytes do not match their (pinned) sha256: never compiled', async () => {
    // A sha256 this process never compiled a generator for, pinned by the holder: the bytes at the
    // location (the real wasm) are read and refused, not compiled under that name.
    const sha256 = 'ab'.repeat(32);
    const { circuit } = await request(over18);
    const pins = { [circuit]: { wasm: sha256, zkey: artifacts.zkey.sha256 } };
    await expect(
      attempt({
        options: { artifacts: { wasm: { location: artifacts.wasm.location, sha256 }, zkey: artifacts.zkey }, pinnedArtifacts: pins },
      }),
    ).rejects.toMatchObject({ code: 'ARTIFACT_HASH_MISMATCH', field: 'wasm' });
  });
  it('a holder secret that is not a field element', async () => {
    await expect(attempt({ options: { holderSecret: '0x10' } })).rejects.toMatchObject({
      code: 'INVALID_FIELD_ELEMENT',
      field: 'holderSecret',
    });
  });
  it('a malformed credential', async () => {
    const credential = { ...(await credentialFor()), holderCommitment: holderCommitment(1n).toString(16) };
    await expect(attempt({ credential })).rejects.toMatchObject({ field: 'holderCommitment' });
  });
});
