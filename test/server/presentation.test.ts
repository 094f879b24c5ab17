/**
 * Presentations with real proofs (5 proofs, about 2.5 s each): acceptance, replay, a proof made
 * for another request, scope or policy, tampering, one pseudonym per person, concurrent
 * submissions of one challenge, an untrusted issuer, a credential revoked after issue, and roots
 * that have left the accepted window. The tests run in order and share state. Where a test needs
 * only "a valid proof for a pending request", it reuses one made earlier on a twin request row
 * (same challenge, its own id: only a test can make one).
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holderCommitment } from '../../src/credential/holder.ts';
import { generateIssuerKey, randomSerial, signCredential } from '../../src/credential/issuer.ts';
import { toDecimal } from '../../src/field.ts';
import { poseidon } from '../../src/poseidon.ts';
import { generateProof } from '../../src/prover/generate-proof.ts';
import type { Presentation, ProofRequest } from '../../src/request.ts';
import type { Bucket } from '../../src/revocation/tree.ts';
import type { ZkidApp } from '../../src/server/app.ts';
import { BASE_MODULUS } from '../../src/verifier/groth16-checks.ts';
import {
  ADULT,
  AUTH,
  bucketFor,
  build,
  enrol,
  expectError,
  type Holder,
  newRequest,
  prove,
  RP_AUTH,
  redeem,
  removeDir,
  requestStatus,
  startApp,
  submit,
  type TestApp,
  testConfig,
  twinRequest,
} from './helpers.ts';

const POLICIES = {
  over18: { predicates: [{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }], disclose: [], unique: true },
  'valid-id': { predicates: [], disclose: ['nationality'], unique: false },
};

let A: TestApp;
let B: ZkidApp;
let alice: Holder;
let bob: Holder;
let aliceBucketBefore: Bucket;
let bobBucketBefore: Bucket;
let r1: ProofRequest;
let p1: Presentation;
let alicePseudonym: string;

const signals = (p: Presentation, i: number, value: string): Presentation => {
  const s = [...p.publicSignals];
  s[i] = value;
  return { ...p, publicSignals: s };
};
let aliceValidIdProof: Promise<{ request: ProofRequest; presentation: Presentation }> | undefined;
/**
 * Alice's proof for a valid-id request (not unique) against the revocation data of before any
 * revocation, made once: the concurrency test consumes the request, the root-window test a twin.
 */
function aliceValidId(): Promise<{ request: ProofRequest; presentation: Presentation }> {
  aliceValidIdProof ??= (async () => {
    const request = await newRequest(A.app, 'valid-id');
    expect(request.roots).toContain(aliceBucketBefore.root);
    return { request, presentation: await prove(A.app, alice, request, aliceBucketBefore) };
  })();
  return aliceValidIdProof;
}

/** A request row with the same challenge as `r` (the service never makes one: only tests can). */
async function twin(r: ProofRequest, id: string, over: Partial<ProofRequest> = {}): Promise<void> {
  await twinRequest(A.store, r, id, A.clock.now(), over);
}

beforeAll(async () => {
  A = await startApp({ config: testConfig({ policies: POLICIES, requestTtlSeconds: 7200, roots: { count: 24, maxAgeSeconds: 3600 } }) });
  alice = await enrol(A.app);
  bob = await enrol(A.app, { ...ADULT, idNumber: 'G87654321' });
  aliceBucketBefore = await bucketFor(A.app, alice.credential);
  bobBucketBefore = await bucketFor(A.app, bob.credential);
});
afterAll(async () => {
  await A.app.close();
  removeDir(A.dir);
});

describe('presentations', () => {
  it('accepts a valid presentation and returns the pseudonym', async () => {
    r1 = await newRequest(A.app, 'over18');
    p1 = await prove(A.app, alice, r1);
    const res = await submit(A.app, r1.id, p1);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    alicePseudonym = toDecimal(poseidon([alice.secret, BigInt(A.app.context.config.scope)]));
    expect(res.body).toEqual({
      verified: true,
      requestId: r1.id,
      policy: 'over18',
      pseudonym: alicePseudonym,
      disclosed: {},
      verifiedAt: expect.any(String),
      responseCode: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const status = await requestStatus(A.app, r1.id);
    expect(status.body).toMatchObject({ status: 'verified', redeemed: false });
    expect(status.body.request).toBeUndefined();
    expect(status.body.result).toBeUndefined();
    const result = await redeem(A.app, r1.id, res.body.responseCode);
    expect(result.body).toMatchObject({ requestId: r1.id, pseudonym: alicePseudonym, policy: 'over18' });
    const sessions = await request(A.app).get('/v1/sessions').set(RP_AUTH);
    expect(sessions.body.sessions[0]).toMatchObject({ requestId: r1.id, pseudonym: alicePseudonym, redeemed: true });
  });

  it('refuses a replayed presentation', async () => {
    expectError(await submit(A.app, r1.id, p1), 409, 'REQUEST_ALREADY_USED');
    expect((await requestStatus(A.app, r1.id)).body.status).toBe('verified');
  });

  it('refuses a proof made for another request', async () => {
    const other = await newRequest(A.app, 'over18');
    expectError(await submit(A.app, other.id, p1), 422, 'REQUEST_MISMATCH');
    expectError(await submit(A.app, other.id, { ...p1, requestId: other.id }), 422, 'CHALLENGE_MISMATCH');
    const { requestId: _drop, circuit: _too, ...bare } = p1;
    expectError(await submit(A.app, other.id, { ...bare, circuit: 'presentation-d24-a4-k4-s16' }), 422, 'REQUEST_MISMATCH');
    expectError(await submit(A.app, other.id, bare), 422, 'CHALLENGE_MISMATCH');
    const otherPolicy = await newRequest(A.app, 'valid-id');
    expectError(await submit(A.app, otherPolicy.id, { ...p1, requestId: otherPolicy.id }), 422, 'CHALLENGE_MISMATCH');
    expect((await requestStatus(A.app, other.id)).body).toMatchObject({
      status: 'pending',
      error: { code: 'CHALLENGE_MISMATCH' },
    });
  });

  it('refuses a proof made for another policy even under the same challenge', async () => {
    await twin(r1, 'twin-other-policy', { policy: { name: 'valid-id', predicates: [], disclose: ['nationality'] } });
    expectError(await submit(A.app, 'twin-other-policy', { ...p1, requestId: 'twin-other-policy' }), 422, 'STATEMENT_MISMATCH');
    await twin(r1, 'twin-other-day', { today: r1.today - 1 });
    expectError(await submit(A.app, 'twin-other-day', { ...p1, requestId: 'twin-other-day' }), 422, 'STATEMENT_MISMATCH');
  });

  it('refuses tampered signals and proof points', async () => {
    await twin(r1, 'twin-same');
    const p = { ...p1, requestId: 'twin-same' };
    const bump = (s: string) => (BigInt(s) + 1n).toString();
    expectError(await submit(A.app, 'twin-same', signals(p, 0, bump(p.publicSignals[0] as string))), 422, 'PROOF_INVALID'); // pseudonym
    expectError(await submit(A.app, 'twin-same', signals(p, 1, '7')), 422, 'PROOF_INVALID'); // a disclosed slot
    expectError(await submit(A.app, 'twin-same', { ...p, proof: { ...p.proof, pi_a: ['1', '2', '1'] } }), 422, 'PROOF_INVALID'); // the G1 generator
    expectError(await submit(A.app, 'twin-same', { ...p, proof: { ...p.proof, pi_a: ['1', '3', '1'] } }), 400, 'MALFORMED_PROOF'); // not on the curve
    const [x, y] = p.proof.pi_c;
    expectError(
      await submit(A.app, 'twin-same', { ...p, proof: { ...p.proof, pi_c: [(BigInt(x) + BASE_MODULUS).toString(), y, '1'] } }),
      400,
      'MALFORMED_PROOF',
    );
    expectError(await submit(A.app, 'twin-same', { ...p, proof: { ...p.proof, pi_c: [x, y, '0'] } }), 400, 'MALFORMED_PROOF');
    // The untouched proof is valid, but this person already has an account under this policy.
    expectError(await submit(A.app, 'twin-same', p), 409, 'PSEUDONYM_ALREADY_USED');
  });

  it('allows one pseudonym per person under a unique policy', async () => {
    // Alice again, with a valid proof for a new pending request (a twin of r1): her pseudonym does
    // not depend on the challenge, and it already has an account under this policy.
    await twin(r1, 'twin-second-account');
    const p2 = { ...p1, requestId: 'twin-second-account' };
    expectError(await submit(A.app, 'twin-second-account', p2), 409, 'PSEUDONYM_ALREADY_USED');
    expect((await requestStatus(A.app, 'twin-second-account')).body).toMatchObject({
      status: 'rejected',
      error: { code: 'PSEUDONYM_ALREADY_USED' },
    });
    expectError(await submit(A.app, 'twin-second-account', p2), 409, 'REQUEST_ALREADY_USED');
  });

  it('lets exactly one of two concurrent submissions of the same challenge succeed', async () => {
    const { request: r3, presentation: p3 } = await aliceValidId();
    const results = await Promise.all([submit(A.app, r3.id, p3), submit(A.app, r3.id, p3), submit(A.app, r3.id, p3)]);
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expectError(r, 409, 'REQUEST_ALREADY_USED');
    // Same person, same service: the same pseudonym under every policy; the disclosed slot is decoded.
    expect(ok[0]?.body).toMatchObject({ verified: true, pseudonym: alicePseudonym, disclosed: { nationality: 156 }, policy: 'valid-id' });
  });

  it('refuses a proof made for another service scope, where it verifies under another pseudonym', async () => {
    const other = await startApp({
      dir: A.dir,
      store: A.store,
      clock: A.clock,
      config: testConfig({
        serviceId: 'other.example',
        roles: { issuer: false },
        trustedIssuers: A.app.context.trustedIssuers,
        policies: POLICIES,
      }),
    });
    B = other.app;
    const rB = await newRequest(B, 'valid-id');
    expect(rB.scope).not.toBe(A.app.context.config.scope);
    const p4 = await prove(B, alice, rB);
    const { requestId: _r, circuit: _c, ...bare } = p4; // requestId and circuit default to the URL's request
    const atB = await submit(B, rB.id, bare);
    expect(atB.status).toBe(200);
    expect(atB.body.pseudonym).not.toBe(alicePseudonym); // unlinkable across services
    const rA = await newRequest(A.app, 'valid-id');
    expectError(await submit(A.app, rA.id, { ...p4, requestId: rA.id }), 422, 'SCOPE_MISMATCH');
  });

  it('refuses a credential from an untrusted issuer', async () => {
    const rogue = await generateIssuerKey();
    const secret = 987654321n;
    const credential = await signCredential(rogue, {
      attributes: ADULT,
      serial: randomSerial(),
      holderCommitment: holderCommitment(secret),
    });
    const r5 = await newRequest(A.app, 'valid-id');
    // The holder may edit its own copy of the request; the service checks against the one it stored.
    const doctored = { ...r5, issuers: [...r5.issuers, rogue.publicKey] };
    const p5 = await prove(A.app, { secret, credential }, doctored);
    expectError(await submit(A.app, r5.id, p5), 422, 'ISSUER_NOT_TRUSTED');
  });

  let bobRevokedRoot: string;
  it('refuses a credential revoked after issue: no proof against the current root', async () => {
    const res = await request(A.app).post('/v1/issuer/revocations').set(AUTH).send({ serial: bob.credential.serial });
    expect(res.body).toMatchObject({ revoked: true, changed: true });
    bobRevokedRoot = res.body.root;
    const r6 = await newRequest(A.app, 'valid-id');
    expect(r6.roots).toEqual([bobRevokedRoot, bobBucketBefore.root]);
    await expect(prove(A.app, bob, r6)).rejects.toMatchObject({ code: 'CREDENTIAL_REVOKED' });
  });

  it('refuses a proof whose root left the accepted window while its request was pending', async () => {
    // Alice's valid-id proof, made against legitimately old revocation data (the root of before
    // Bob's revocation, still accepted), for a new pending twin of its request.
    const { request: r3, presentation: p3 } = await aliceValidId();
    await twin(r3, 'twin-old-root');
    const p7 = { ...p3, requestId: 'twin-old-root' };
    expect(A.app.context.registry.acceptedRoots(A.clock.now(), A.app.context.config.roots)).toContain(aliceBucketBefore.root);
    A.clock.advance(3601);
    expectError(await submit(A.app, 'twin-old-root', p7), 422, 'ROOT_NOT_ACCEPTED');
    expect((await requestStatus(A.app, 'twin-old-root')).body.status).toBe('pending');
  });

  it('refuses the revoked credential proven against a stale pre-revocation root', async () => {
    const r8 = await newRequest(A.app, 'valid-id');
    expect(r8.roots).toEqual([bobRevokedRoot]);
    const doctored = { ...r8, roots: [...r8.roots, bobBucketBefore.root] };
    const p8 = await generateProof({
      credential: bob.credential,
      holderSecret: bob.secret,
      request: doctored,
      revocation: bobBucketBefore,
      artifacts: { wasm: build.wasm, zkey: build.zkey },
    });
    expectError(await submit(A.app, r8.id, p8), 422, 'ROOT_NOT_ACCEPTED');
  });

  it('counts verifications in /metrics', async () => {
    const m = (await request(A.app).get('/metrics')).text;
    expect(m).toMatch(/zkid_verifications_total\{code="OK",result="accepted"\} 2/); // r1 and r3 (the scope test accepted at the other service)
    expect(m).toMatch(/zkid_verifications_total\{code="PSEUDONYM_ALREADY_USED",result="rejected"\} 2/);
  });
});
