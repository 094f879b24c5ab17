/**
 * End to end in Node: generateProof -> verifyPresentation, and plain `snarkjs groth16 verify`
 * against the committed verification key. Every verifier rejection asserts its code.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDecimal } from '../../src/field.ts';
import { poseidon } from '../../src/poseidon.ts';
import { generateProof, type ProofProgress } from '../../src/prover/generate-proof.ts';
import type { Presentation, ProofRequest } from '../../src/request.ts';
import type { RevocationTree } from '../../src/revocation/tree.ts';
import { terminateCurve } from '../../src/verifier/curve.ts';
import { verifyPresentation } from '../../src/verifier/verify-presentation.ts';
import { artifacts, build, credentialFor, HOLDER_SECRET, issuer, policy, request, SERIAL, tree } from '../helpers/zkid.ts';

const vk = build.verificationKey;
let t: RevocationTree;
let req: ProofRequest;
let presentation: Presentation;
const stages: string[] = [];

beforeAll(async () => {
  t = tree([SERIAL + 1n, 5n]);
  req = await request(
    policy(
      [
        { attribute: 'birthDate', op: 'AGE_GTE', value: 18 },
        { attribute: 'nationality', op: 'IN', value: [156, 344] },
      ],
      ['nationality', 'idNumber'],
      { identifying: true },
    ),
    { tree: t },
  );
  presentation = await generateProof({
    credential: await credentialFor(),
    holderSecret: HOLDER_SECRET,
    request: req,
    revocation: t.exportBucket(Number((SERIAL / 252n) >> 10n)),
    artifacts,
    allowIdentifying: true,
    onProgress: (p: ProofProgress) => stages.push(p.stage),
  });
});

afterAll(() => terminateCurve());

describe('a proof made in Node', () => {
  it('verifies with the verifier core, revealing only the pseudonym and the disclosed slots', async () => {
    const v = await verifyPresentation(presentation, req, { verificationKey: vk });
    expect(v).toEqual({
      verified: true,
      requestId: req.id,
      policy: 'test',
      pseudonym: toDecimal(poseidon([HOLDER_SECRET, BigInt(req.scope)])),
      disclosed: { idNumber: 'E12345678', nationality: 156 },
      issuer: (await issuer()).publicKey,
      root: toDecimal(t.root),
    });
  });

  it('reported its progress in order, built from a bucket (the holder never asked for its own path)', () => {
    expect([...new Set(stages)]).toEqual(['checking', 'loading-artifacts', 'witness', 'proving', 'done']);
  });

  it('verifies with plain `snarkjs groth16 verify` and the committed verification key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkid-'));
    writeFileSync(join(dir, 'proof.json'), JSON.stringify(presentation.proof));
    writeFileSync(join(dir, 'public.json'), JSON.stringify(presentation.publicSignals));
    const { stdout: out } = await promisify(execFile)(process.execPath, [
      'node_modules/snarkjs/build/cli.cjs',
      'groth16',
      'verify',
      build.vkeyPath,
      join(dir, 'public.json'),
      join(dir, 'proof.json'),
    ]);
    expect(out).toContain('OK!');
  });

  it('gives the same holder the same pseudonym at one service and another at a second service', async () => {
    const other = await request(policy([]), { tree: t, serviceId: 'bank.example' });
    const p2 = await generateProof({
      credential: await credentialFor(),
      holderSecret: HOLDER_SECRET,
      request: other,
      revocation: t.witness(SERIAL),
      artifacts,
    });
    const v2 = await verifyPresentation(p2, other, { verificationKey: vk });
    expect(v2.verified && v2.pseudonym).toBe(toDecimal(poseidon([HOLDER_SECRET, BigInt(other.scope)])));
    expect(v2.verified && v2.pseudonym).not.toBe(presentation.publicSignals[0]);
  });
});

describe('the verifier core rejects', () => {
  const check = async (p: unknown, r: ProofRequest = req, key: unknown = vk) => verifyPresentation(p, r, { verificationKey: key });
  const withSignals = (f: (s: string[]) => string[]) => ({ ...presentation, publicSignals: f([...presentation.publicSignals]) });

  it('a presentation for another request', async () => {
    expect(await check(presentation, { ...req, id: 'other' })).toMatchObject({ verified: false, code: 'REQUEST_MISMATCH' });
  });
  it('an expired request', async () => {
    expect(
      await verifyPresentation(presentation, req, { verificationKey: vk, now: new Date(Date.parse(req.expiresAt) + 1) }),
    ).toMatchObject({ code: 'REQUEST_EXPIRED' });
  });
  it('another challenge (a replay into a new session)', async () => {
    expect(await check(presentation, { ...req, challenge: '12345' })).toMatchObject({ code: 'CHALLENGE_MISMATCH' });
  });
  it('another scope', async () => {
    expect(await check(presentation, { ...req, scope: '777' })).toMatchObject({ code: 'SCOPE_MISMATCH' });
  });
  it('an untrusted issuer', async () => {
    expect(await check(presentation, { ...req, issuers: [(await issuer('other')).publicKey] })).toMatchObject({
      code: 'ISSUER_NOT_TRUSTED',
    });
  });
  it('a request whose policy could link the holder, even one this verifier issued', async () => {
    const serialPredicate = { attribute: 'serial' as const, op: 'EQ' as const, value: 5 };
    const linking = { ...req, policy: { ...req.policy, predicates: [...req.policy.predicates, serialPredicate] } };
    expect(await check(presentation, linking)).toMatchObject({
      code: 'POLICY_NOT_ALLOWED',
      message: expect.stringContaining('predicates on serial are not allowed'),
    });
    const disclosesCommitment = { ...req, policy: { ...req.policy, disclose: [...req.policy.disclose, 'holderCommitment' as const] } };
    expect(await check(presentation, disclosesCommitment)).toMatchObject({
      code: 'POLICY_NOT_ALLOWED',
      message: expect.stringContaining('disclosing holderCommitment would link the holder'),
    });
    const { identifying: _, ...undeclared } = req.policy;
    expect(await check(presentation, { ...req, policy: undeclared })).toMatchObject({
      code: 'POLICY_NOT_ALLOWED',
      message: expect.stringContaining('must declare "identifying": true'),
    });
  });
  it('a root outside the accepted window', async () => {
    expect(await check(presentation, { ...req, roots: ['1'] })).toMatchObject({ code: 'ROOT_NOT_ACCEPTED' });
  });
  it('another policy, date or disclosure', async () => {
    const pol = {
      ...req.policy,
      predicates: [{ attribute: 'birthDate' as const, op: 'AGE_GTE' as const, value: 21 }, req.policy.predicates[1]!],
    };
    expect(await check(presentation, { ...req, policy: pol })).toMatchObject({ code: 'STATEMENT_MISMATCH' });
    expect(await check(presentation, { ...req, today: req.today + 1 })).toMatchObject({ code: 'STATEMENT_MISMATCH' });
    expect(await check(presentation, { ...req, policy: { ...req.policy, disclose: ['nationality'] } })).toMatchObject({
      code: 'STATEMENT_MISMATCH',
    });
  });
  it('another IN/NIN set', async () => {
    const pol = {
      ...req.policy,
      predicates: [req.policy.predicates[0]!, { attribute: 'nationality' as const, op: 'IN' as const, value: [156] }],
    };
    expect(await check(presentation, { ...req, policy: pol })).toMatchObject({
      code: 'STATEMENT_MISMATCH',
      message: expect.stringContaining('set'),
    });
  });
  it('too few and too many public signals', async () => {
    expect(await check(withSignals((s) => s.slice(0, -1)))).toMatchObject({ code: 'WRONG_SIGNAL_COUNT' });
    expect(await check(withSignals((s) => [...s, '0']))).toMatchObject({ code: 'WRONG_SIGNAL_COUNT' });
  });
  it.each([
    ['>= r', (v: string) => (BigInt(v) + 21888242871839275222246405745257275088548364400416034343698204186575808495617n).toString()],
    ['negative', (v: string) => `-${v}`],
    ['hex', (v: string) => `0x${BigInt(v).toString(16)}`],
    ['spaces', (v: string) => ` ${v}`],
    ['leading zeros', (v: string) => `00${v}`],
    ['a number, not a string', (v: string) => Number(v) as unknown as string],
  ])('a public signal that is %s', async (_label, f) => {
    expect(await check(withSignals((s) => s.map((v, i) => (i === 0 ? f(v) : v))))).toMatchObject({ code: 'NON_CANONICAL_SIGNAL' });
  });
  it('a changed disclosed value or pseudonym (the proof no longer verifies)', async () => {
    expect(await check(withSignals((s) => s.map((v, i) => (i === 4 ? '155' : v))))).toMatchObject({ code: 'PROOF_INVALID' });
    expect(await check(withSignals((s) => s.map((v, i) => (i === 0 ? '1' : v))))).toMatchObject({ code: 'PROOF_INVALID' });
  });
  it('a forged proof (valid curve points that are not a proof)', async () => {
    const g1 = ['1', '2', '1'];
    expect(await check({ ...presentation, proof: { ...presentation.proof, pi_a: g1 } })).toMatchObject({ code: 'PROOF_INVALID' });
  });
  it('proof points off the curve, at infinity or not canonical', async () => {
    const p = presentation.proof;
    expect(await check({ ...presentation, proof: { ...p, pi_a: ['1', '3', '1'] } })).toMatchObject({ code: 'MALFORMED_PROOF' });
    expect(await check({ ...presentation, proof: { ...p, pi_c: ['0', '1', '0'] } })).toMatchObject({ code: 'MALFORMED_PROOF' });
    const q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
    const ax = (BigInt(p.pi_a[0]) + q).toString();
    expect(await check({ ...presentation, proof: { ...p, pi_a: [ax, p.pi_a[1], '1'] } })).toMatchObject({ code: 'MALFORMED_PROOF' });
  });
  it('a G2 point on the twist but outside the order-r subgroup', async () => {
    const { bn128 } = await import('../../src/verifier/curve.ts');
    const curve = await bn128();
    const F = curve.G2.F;
    // Find x with x^3 + b' a square in Fq2; such a point is on the twist and, with overwhelming
    // probability (cofactor ~ 2^254), not in the subgroup.
    let pt: string[][] | undefined;
    for (let k = 1n; !pt; k++) {
      const x = F.fromObject([k, 1n]);
      const rhs = F.add(F.mul(F.square(x), x), curve.G2.b);
      if (F.isSquare(rhs)) {
        const y = F.sqrt(rhs);
        const [x0, x1] = F.toObject(x) as bigint[];
        const [y0, y1] = F.toObject(y) as bigint[];
        pt = [
          [String(x0), String(x1)],
          [String(y0), String(y1)],
          ['1', '0'],
        ];
      }
    }
    const v = await check({ ...presentation, proof: { ...presentation.proof, pi_b: pt } });
    expect(v).toMatchObject({ code: 'MALFORMED_PROOF', message: expect.stringContaining('subgroup') });
  });
  it('a verification key whose points are malformed', async () => {
    const offCurve = [vk.vk_alpha_1[0], (BigInt(vk.vk_alpha_1[1] as string) + 1n).toString(), '1'];
    expect(await check(presentation, req, { ...vk, vk_alpha_1: offCurve })).toMatchObject({
      code: 'INVALID_VERIFICATION_KEY',
      message: expect.stringContaining('vk_alpha_1 is not a canonical affine point on G1'),
    });
    const padded = vk.vk_delta_2.map((c: string[]) => c.map((x) => `0${x}`));
    expect(await check(presentation, req, { ...vk, vk_delta_2: padded })).toMatchObject({
      code: 'INVALID_VERIFICATION_KEY',
      message: expect.stringContaining('vk_delta_2'),
    });
  });
  it('a verification key with gamma == delta', async () => {
    expect(await check(presentation, req, { ...vk, vk_delta_2: vk.vk_gamma_2 })).toMatchObject({ code: 'INSECURE_VERIFICATION_KEY' });
  });
  it('garbage, without throwing', async () => {
    for (const g of [null, 42, 'x', [], { requestId: req.id, circuit: req.circuit }, { ...presentation, proof: null }]) {
      const v = await check(g);
      expect(v.verified).toBe(false);
    }
  });
});
