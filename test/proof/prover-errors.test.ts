/** generateProof refuses, before any heavy work, what it cannot prove, and says why. */
import { describe, expect, it } from 'vitest';
import { holderCommitment } from '../../src/credential/holder.ts';
import { generateProof } from '../../src/prover/generate-proof.ts';
import { artifacts, credentialFor, HOLDER_SECRET, issuer, policy, request, SERIAL, tree } from '../helpers/zkid.ts';

const age = (years: number) => policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: years }]);

describe('generateProof refuses', () => {
  it('a wrong holder secret', async () => {
    const t = tree();
    const p = generateProof({
      credential: await credentialFor(),
      holderSecret: HOLDER_SECRET + 1n,
      request: await request(age(18), { tree: t }),
      revocation: t.witness(SERIAL),
      artifacts,
    });
    await expect(p).rejects.toMatchObject({ code: 'HOLDER_MISMATCH', field: 'holderSecret' });
  });
  it('an expired credential', async () => {
    const t = tree();
    const p = generateProof({
      credential: await credentialFor({ attributes: { validUntil: 20261125 } }),
      holderSecret: HOLDER_SECRET,
      request: await request(age(18), { tree: t }),
      revocation: t.witness(SERIAL),
      artifacts,
    });
    await expect(p).rejects.toMatchObject({ code: 'CREDENTIAL_EXPIRED' });
  });
  it('a revoked credential', async () => {
    const t = tree([SERIAL]);
    const p = generateProof({
      credential: await credentialFor(),
      holderSecret: HOLDER_SECRET,
      request: await request(age(18), { tree: t }),
      revocation: t.witness(SERIAL),
      artifacts,
    });
    await expect(p).rejects.toMatchObject({ code: 'CREDENTIAL_REVOKED' });
  });
  it('a 17-year-old asked to prove 18', async () => {
    const t = tree();
    const p = generateProof({
      credential: await credentialFor({ attributes: { birthDate: 20081126 } }),
      holderSecret: HOLDER_SECRET,
      request: await request(age(18), { tree: t }),
      revocation: t.witness(SERIAL),
      artifacts,
    });
    await expect(p).rejects.toMatchObject({ code: 'PREDICATE_UNSATISFIED', field: 'policy.predicates[0]' });
  });
  it("a credential from an issuer the request doesn't accept", async () => {
    const t = tree();
    const p = generateProof({
      credential: await credentialFor({ key: await issuer('other') }),
      holderSecret: HOLDER_SECRET,
      request: await request(age(18), { tree: t }),
      revocation: t.witness(SERIAL),
      artifacts,
    });
    await expect(p).rejects.toMatchObject({ code: 'ISSUER_NOT_ACCEPTED' });
  });
  it('revocation data for a root the request does not accept', async () => {
    const t = tree();
    const req = await request(age(18), { tree: t });
    t.revoke(3n);
    const p = generateProof({
      credential: await credentialFor(),
      holderSecret: HOLDER_SECRET,
      request: req,
      revocation: t.witness(SERIAL),
      artifacts,
    });
    await expect(p).rejects.toMatchObject({ code: 'ROOT_NOT_ACCEPTED' });
  });
  it('artifacts whose sha256 does not match', async () => {
    const t = tree();
    const p = generateProof({
      credential: await credentialFor(),
      holderSecret: HOLDER_SECRET,
      request: await request(age(18), { tree: t }),
      revocation: t.witness(SERIAL),
      artifacts: { wasm: artifacts.wasm, zkey: { ...artifacts.zkey, sha256: artifacts.wasm.sha256.replace(/^./, '0') } },
    });
    await expect(p).rejects.toMatchObject({ code: 'ARTIFACT_HASH_MISMATCH', field: 'zkey' });
  });
  it('a holder secret that is not a field element', async () => {
    const t = tree();
    const p = generateProof({
      credential: await credentialFor(),
      holderSecret: '0x10',
      request: await request(age(18), { tree: t }),
      revocation: t.witness(SERIAL),
      artifacts,
    });
    await expect(p).rejects.toMatchObject({ code: 'INVALID_FIELD_ELEMENT', field: 'holderSecret' });
  });
  it('a malformed credential', async () => {
    const t = tree();
    const cred = { ...(await credentialFor()), holderCommitment: holderCommitment(1n).toString(16) };
    const p = generateProof({
      credential: cred,
      holderSecret: HOLDER_SECRET,
      request: await request(age(18), { tree: t }),
      revocation: t.witness(SERIAL),
      artifacts,
    });
    await expect(p).rejects.toMatchObject({ field: 'holderCommitment' });
  });
});
