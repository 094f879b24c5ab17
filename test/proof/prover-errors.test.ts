/** generateProof refuses, before any heavy work, what it cannot prove, and says why. */
import { describe, expect, it, vi } from 'vitest';
import { holderCommitment } from '../../src/credential/holder.ts';
import { encodeIdNumber } from '../../src/credential/id-number.ts';
import type { Credential } from '../../src/credential/schema.ts';
import type { Policy } from '../../src/policy.ts';
import { type GenerateProofOptions, generateProof } from '../../src/prover/generate-proof.ts';
import { computeWitnessValues } from '../../src/prover/witness.ts';
import { assertionFrames } from '../../src/prover/witness-errors.ts';
import type { RevocationTree } from '../../src/revocation/tree.ts';
import { expectPass } from '../helpers/circuit.ts';
import { artifacts, credentialFor, HOLDER_SECRET, issuer, policy, rawInput, request, SERIAL, tree, wasm } from '../helpers/zkid.ts';

/** Counts the witness calculators built in this file (the prover keeps one per circuit wasm). */
const built = vi.hoisted(() => ({ count: 0 }));
vi.mock('circom_runtime', async (importOriginal) => {
  const m = await importOriginal<typeof import('circom_runtime')>();
  return {
    ...m,
    WitnessCalculatorBuilder: (...args: Parameters<typeof m.WitnessCalculatorBuilder>) => {
      built.count++;
      return m.WitnessCalculatorBuilder(...args);
    },
  };
});

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
    const zkey = { location: artifacts.wasm.location, sha256: artifacts.zkey.sha256 };
    await expect(attempt({ options: { artifacts: { wasm: artifacts.wasm, zkey } } })).rejects.toMatchObject({
      code: 'ARTIFACT_HASH_MISMATCH',
      field: 'zkey',
    });
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

describe('one witness calculator, reused after failures', () => {
  const slots = (validUntil: bigint) => [
    encodeIdNumber('E12345678'),
    20081125n,
    validUntil,
    110105n,
    156n,
    2n,
    SERIAL,
    holderCommitment(HOLDER_SECRET),
  ];
  const expired = () => rawInput({ slots: slots(20261124n), policy: policy([]) });
  const tooYoung = () => rawInput({ slots: slots(20301231n), policy: policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 19 }]) });
  /** The failure's code and message, and the (template, line) frames circom reported for it. */
  const failure = async (input: object) => {
    const e = await computeWitnessValues(wasm, input as Record<string, unknown>).then(
      () => expect.unreachable('the witness computed'),
      (err: { code: string; message: string; cause: Error }) => err,
    );
    return { code: e.code, message: e.message, frames: assertionFrames(e.cause.message).map((f) => `${f.template}:${f.line}`) };
  };

  it('fail (expired) -> fail (predicate) -> pass -> fail (expired) each report their own reason only', async () => {
    await expectPass(await rawInput({ slots: slots(20301231n), policy: policy([]) })); // the calculator exists
    const before = built.count;
    const a1 = await failure(await expired());
    expect(a1).toMatchObject({ code: 'CREDENTIAL_EXPIRED', message: expect.stringContaining('the credential has expired') });
    expect(a1.frames).toContain('ZkidPresentation:94');
    const b = await failure(await tooYoung());
    expect(b).toMatchObject({ code: 'PREDICATE_UNSATISFIED', message: expect.stringContaining('a predicate does not hold') });
    expect(b.frames).not.toContain('ZkidPresentation:94'); // none of the earlier failure's frames
    expect(b.frames).toContain('ZkidPresentation:135');
    // The passing witness after two failures satisfies every constraint of the committed circuit.
    await expectPass(await rawInput({ slots: slots(20301231n), policy: policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }]) }));
    const a2 = await failure(await expired());
    expect(a2).toMatchObject({ code: 'CREDENTIAL_EXPIRED', message: expect.stringContaining('the credential has expired') });
    expect(a2.frames).toEqual(a1.frames); // exactly A's frames again, none of B's
    expect(built.count, 'no calculator was rebuilt').toBe(before);
    expect(before).toBeLessThanOrEqual(1);
  });
});
