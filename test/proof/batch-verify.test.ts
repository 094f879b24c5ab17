/**
 * Batch verification (verifyPresentations): every presentation gets exactly the verdict it would
 * get alone, whatever else is in the batch. Valid proofs are multiplied cheaply by Groth16
 * re-randomisation (A/r, rB + rs·delta, C + sA), which keeps them valid for the same statement.
 */
import * as mcl from 'mcl-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { g1Json, g1Of, g2Json, g2Of, rerandomiseProof } from '../../scripts/lib/rerandomise.ts';
import { FIELD_MODULUS, toDecimal } from '../../src/field.ts';
import { generateProof } from '../../src/prover/generate-proof.ts';
import type { Presentation, ProofRequest } from '../../src/request.ts';
import { terminateCurve } from '../../src/verifier/curve.ts';
import { alphaBetaPower, groth16BatchPairing, parseProof, prepareVerifier } from '../../src/verifier/groth16-mcl.ts';
import { verifyPresentation, verifyPresentations } from '../../src/verifier/verify-presentation.ts';
import { artifacts, build, credentialFor, HOLDER_SECRET, policy, request, SERIAL, tree } from '../helpers/zkid.ts';

const vk = build.verificationKey;
const t = tree();
let req: ProofRequest;
let req2: ProofRequest;
let base: Presentation;
let base2: Presentation;

const g1 = g1Of;
const g2 = g2Of;

/** Another valid proof of the same statement. */
const rerandomise = (p: Presentation): Presentation => ({ ...p, proof: rerandomiseProof(p.proof, vk) });

/** The proof with C moved by d·G1 (invalid alone). */
function shiftC(p: Presentation, d: bigint): Presentation {
  const gen = mcl.hashAndMapToG1('zkid test generator');
  const k = new mcl.Fr();
  k.setStr(((d % 2n ** 200n) + 2n ** 200n).toString(), 10);
  const C = mcl.add(g1(p.proof.pi_c), d >= 0n ? mcl.mul(gen, k) : mcl.neg(mcl.mul(gen, k)));
  return { ...p, proof: { ...p.proof, pi_c: g1Json(C) } };
}

beforeAll(async () => {
  await prepareVerifier(vk);
  req = await request(policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }]), { tree: t });
  req2 = await request(policy([]), { tree: t });
  const prove = async (r: ProofRequest) =>
    generateProof({ credential: await credentialFor(), holderSecret: HOLDER_SECRET, request: r, revocation: t.witness(SERIAL), artifacts });
  base = await prove(req);
  base2 = await prove(req2);
}, 300_000);
afterAll(() => terminateCurve());

describe('verifyPresentations', () => {
  it('accepts 64 distinct valid presentations, each with the verdict it gets alone', async () => {
    const items = Array.from({ length: 64 }, () => ({ presentation: rerandomise(base), request: req }));
    expect(new Set(items.map((i) => (i.presentation as Presentation).proof.pi_a[0])).size).toBe(64);
    const verdicts = await verifyPresentations(items, { verificationKey: vk });
    const alone = await verifyPresentation(items[0]?.presentation, req, { verificationKey: vk });
    expect(alone.verified).toBe(true);
    expect(verdicts).toEqual(Array(64).fill(alone));
  });

  it('rejects exactly the one forged proof among 63 valid ones', async () => {
    const items = Array.from({ length: 64 }, () => ({ presentation: rerandomise(base) as unknown, request: req }));
    items[37] = { presentation: shiftC(rerandomise(base), 12345n), request: req };
    const verdicts = await verifyPresentations(items, { verificationKey: vk });
    verdicts.forEach((v, i) => {
      if (i === 37) expect(v).toEqual({ verified: false, code: 'PROOF_INVALID', message: 'the proof does not verify' });
      else expect(v.verified, `item ${i}`).toBe(true);
    });
  });

  it('is not fooled by two invalid proofs whose errors cancel in an unweighted sum', async () => {
    // C1 + D and C2 - D: an unweighted product of the pairing equations would hold.
    const items = [
      { presentation: shiftC(base, 777n), request: req },
      { presentation: shiftC(base2, -777n), request: req2 },
    ];
    const verdicts = await verifyPresentations(items, { verificationKey: vk });
    expect(verdicts.map((v) => !v.verified && v.code)).toEqual(['PROOF_INVALID', 'PROOF_INVALID']);
  });

  it('is not fooled by swapped public signals (the pairing batch alone)', async () => {
    const p1 = await parseProof(base.proof);
    const p2 = await parseProof(base2.proof);
    if (typeof p1 === 'string' || typeof p2 === 'string') throw new Error('fixture proofs must parse');
    const s1 = base.publicSignals.map(BigInt);
    const s2 = base2.publicSignals.map(BigInt);
    expect(s1).not.toEqual(s2);
    expect(
      await groth16BatchPairing(vk, [
        { publicSignals: s1, proof: p1 },
        { publicSignals: s2, proof: p2 },
      ]),
    ).toBe(true);
    expect(
      await groth16BatchPairing(vk, [
        { publicSignals: s2, proof: p1 },
        { publicSignals: s1, proof: p2 },
      ]),
    ).toBe(false);
  });

  it('treats the malleated (-A, -B, C) exactly as single verification does', async () => {
    const neg = (p: Presentation): Presentation => ({
      ...p,
      proof: { ...p.proof, pi_a: g1Json(mcl.neg(g1(p.proof.pi_a))), pi_b: g2Json(mcl.neg(g2(p.proof.pi_b))) },
    });
    const items = [neg(base), neg(rerandomise(base)), rerandomise(base)].map((presentation) => ({ presentation, request: req }));
    const batch = await verifyPresentations(items, { verificationKey: vk });
    const single = await Promise.all(items.map((i) => verifyPresentation(i.presentation, i.request, { verificationKey: vk })));
    expect(batch).toEqual(single);
    // (-A, -B, C) satisfies the same equation: Groth16 proofs are malleable, which is why the
    // service consumes the challenge, not the proof, to stop replays.
    expect(batch.every((v) => v.verified)).toBe(true);
  });

  it('gives every rejection code of the single path, mixed with valid items', async () => {
    const withSignals = (f: (s: string[]) => string[]) => ({ ...base, publicSignals: f([...base.publicSignals]) });
    const offCurve = { ...base, proof: { ...base.proof, pi_a: [base.proof.pi_a[0], '5', '1'] } };
    const cases: [unknown, ProofRequest][] = [
      [rerandomise(base), req],
      [null, req],
      [{ ...base, requestId: 'other' }, req],
      [base, { ...req, expiresAt: new Date(0).toISOString() }],
      [withSignals((s) => s.slice(1)), req],
      [withSignals((s) => ['01', ...s.slice(1)]), req],
      [base, { ...req, issuers: [['1', '2']] }],
      [base, { ...req, roots: ['1'] }],
      [base, { ...req, scope: '777' }],
      [base, { ...req, challenge: '12345' }],
      [base, { ...req, today: req.today + 1 }],
      [base, { ...req, policy: { ...req.policy, predicates: [{ attribute: 'serial', op: 'EQ', value: 1 }] } } as ProofRequest],
      [offCurve, req],
      [withSignals((s) => [toDecimal(BigInt(s[0] as string) + 1n), ...s.slice(1)]), req],
      [rerandomise(base), req],
    ];
    const items = cases.map(([presentation, request]) => ({ presentation, request }));
    const batch = await verifyPresentations(items, { verificationKey: vk });
    const single = await Promise.all(items.map((i) => verifyPresentation(i.presentation, i.request, { verificationKey: vk })));
    expect(batch).toEqual(single);
    expect(batch.map((v) => (v.verified ? 'OK' : v.code))).toEqual([
      'OK',
      'MALFORMED_PRESENTATION',
      'REQUEST_MISMATCH',
      'REQUEST_EXPIRED',
      'WRONG_SIGNAL_COUNT',
      'NON_CANONICAL_SIGNAL',
      'ISSUER_NOT_TRUSTED',
      'ROOT_NOT_ACCEPTED',
      'SCOPE_MISMATCH',
      'CHALLENGE_MISMATCH',
      'STATEMENT_MISMATCH',
      'POLICY_NOT_ALLOWED',
      'MALFORMED_PROOF',
      'PROOF_INVALID',
      'OK',
    ]);
  });

  it('rejects with a key whose gamma equals delta, item by item', async () => {
    const verdicts = await verifyPresentations([{ presentation: base, request: req }], {
      verificationKey: { ...vk, vk_delta_2: vk.vk_gamma_2 },
    });
    expect(verdicts[0]).toMatchObject({ verified: false, code: 'INSECURE_VERIFICATION_KEY' });
  });

  it("takes e(alpha, beta)^R from its table exactly as mcl's exponentiation does, at every window edge", async () => {
    const e = mcl.finalExp(mcl.millerLoop(g1(vk.vk_alpha_1), g2(vk.vk_beta_2)));
    const fr = (v: bigint) => {
      const f = new mcl.Fr();
      f.setStr(v.toString(10), 10);
      return f;
    };
    // 0, one window, its edges, a batch's 128-bit R and more, the table's top, past it (plain power), r - 1
    const exps = [0n, 1n, 63n, 64n, 65n, 4095n, 2n ** 128n - 1n, 2n ** 134n + 987654321n, 2n ** 144n - 1n, 2n ** 144n, FIELD_MODULUS - 1n];
    for (const x of exps) expect((await alphaBetaPower(vk, x)).isEqual(mcl.pow(e, fr(x))), `exponent ${x}`).toBe(true);
    expect((await alphaBetaPower(vk, 5n)).isEqual(mcl.pow(e, fr(6n)))).toBe(false);
  });

  it('answers an empty batch with no verdicts', async () => {
    expect(await verifyPresentations([], { verificationKey: vk })).toEqual([]);
  });

  it('keeps verifying after something else in the process calls mcl.init again (a new wasm module and heap)', async () => {
    const items = [
      { presentation: rerandomise(base), request: req },
      { presentation: shiftC(rerandomise(base), 1n), request: req },
      { presentation: rerandomise(base), request: req },
    ];
    const codes = (vs: Awaited<ReturnType<typeof verifyPresentations>>) => vs.map((v) => (v.verified ? 'OK' : v.code));
    expect(codes(await verifyPresentations(items, { verificationKey: vk }))).toEqual(['OK', 'PROOF_INVALID', 'OK']);
    await mcl.init(mcl.BN_SNARK1);
    mcl.verifyOrderG2(false);
    expect(codes(await verifyPresentations(items, { verificationKey: vk }))).toEqual(['OK', 'PROOF_INVALID', 'OK']);
    expect(await verifyPresentation(items[0]?.presentation, req, { verificationKey: vk })).toMatchObject({ verified: true });
  });
});
