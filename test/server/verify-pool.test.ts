/**
 * Verification on worker threads: the pool batches presentations, every verdict equals the one
 * verifyPresentation gives alone, a dead worker fails only its batch (never an acceptance) and is
 * replaced, and close() answers everything queued before stopping. Then the service end to end on
 * worker threads. (1 proof: re-randomised copies stand in for more valid presentations.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rerandomiseProof } from '../../scripts/lib/rerandomise.ts';
import { circuitBuild } from '../../src/circuit/artifacts-node.ts';
import type { Presentation, ProofRequest } from '../../src/request.ts';
import { VerifyPool } from '../../src/server/verify-pool.ts';
import { terminateCurve } from '../../src/verifier/curve.ts';
import { prepareVerifier } from '../../src/verifier/groth16-mcl.ts';
import { verifyPresentation } from '../../src/verifier/verify-presentation.ts';
import {
  enrol,
  expectError,
  metricValue,
  newRequest,
  prove,
  redeem,
  removeDir,
  startApp,
  submit,
  type TestApp,
  testConfig,
  twinRequest,
} from './helpers.ts';

const vk = circuitBuild().verificationKey;
let t: TestApp;
let req: ProofRequest;
let valid: Presentation;

beforeAll(async () => {
  await prepareVerifier(vk);
  t = await startApp({ config: testConfig({ verification: { workers: 2, batchSize: 8, batchWaitMs: 5 } }) });
  const holder = await enrol(t.app);
  req = await newRequest(t.app, 'over18');
  valid = await prove(t.app, holder, req);
}, 300_000);
afterAll(async () => {
  await t?.app.close();
  if (t) removeDir(t.dir);
  await terminateCurve();
});

const variants = (n: number) => Array.from({ length: n }, () => ({ ...valid, proof: rerandomiseProof(valid.proof, vk) }));
const forged = (p: Presentation): Presentation => ({
  ...p,
  publicSignals: [String(BigInt(p.publicSignals[0] as string) + 1n), ...p.publicSignals.slice(1)],
});

describe('VerifyPool', () => {
  it('shares what is queued among the free workers when a batch leaves (6 queued, 2 workers: 3 each)', async () => {
    const pool = new VerifyPool({ verificationKey: vk, workers: 2, batchSize: 16, batchWaitMs: 30 });
    try {
      await pool.ready();
      const verdicts = await Promise.all(variants(6).map((p) => pool.verify(p, req)));
      expect(verdicts.every((v) => v.verified)).toBe(true);
      expect(pool.stats).toMatchObject({ batches: 2, presentations: 6, largestBatch: 3 });
      // a full batch's worth (16) leaves the moment it is queued, shared too: 8 and 8
      const more = await Promise.all(variants(16).map((p) => pool.verify(p, req)));
      expect(more.every((v) => v.verified)).toBe(true);
      expect(pool.stats).toMatchObject({ batches: 4, presentations: 22, largestBatch: 8 });
    } finally {
      await pool.close();
    }
  });

  it('verifies in batches on worker threads, each verdict as verifyPresentation gives it alone', async () => {
    const pool = new VerifyPool({ verificationKey: vk, workers: 2, batchSize: 8, batchWaitMs: 5 });
    try {
      await pool.ready();
      const items: unknown[] = variants(30);
      items[3] = forged(items[3] as Presentation);
      items[17] = { nonsense: true };
      const verdicts = await Promise.all(items.map((p) => pool.verify(p, req)));
      const alone = await Promise.all(items.map((p) => verifyPresentation(p, req, { verificationKey: vk })));
      expect(verdicts).toEqual(alone);
      expect(verdicts.filter((v) => v.verified)).toHaveLength(28);
      expect(verdicts[3]).toMatchObject({ verified: false, code: 'PROOF_INVALID' });
      expect(verdicts[17]).toMatchObject({ verified: false, code: 'REQUEST_MISMATCH' });
      expect(pool.stats.presentations).toBe(30);
      expect(pool.stats.largestBatch).toBeGreaterThan(1);
      expect(pool.stats.largestBatch).toBeLessThanOrEqual(8);
    } finally {
      await pool.close();
    }
  });

  it('fails only the batch of a worker that dies, never accepting it, and replaces the worker', async () => {
    const pool = new VerifyPool({ verificationKey: vk, workers: 1, batchSize: 4, batchWaitMs: 50 });
    try {
      await pool.ready();
      const inFlight = variants(4).map((p) => pool.verify(p, req));
      // The fourth call filled the batch and sent it (synchronously): kill the only worker at once,
      // while it holds the batch (no fixed wait that a fast machine could outrun).
      expect(pool.stats.batches).toBe(1);
      expect(pool.pending).toBe(4);
      await pool.workersForTest()[0]?.terminate();
      const verdicts = await Promise.all(inFlight);
      expect(verdicts.every((v) => !v.verified && v.code === 'INTERNAL_ERROR')).toBe(true);
      expect(pool.stats.workerRestarts).toBe(1);
      // The replacement verifies.
      expect(await pool.verify(variants(1)[0], req)).toMatchObject({ verified: true });
    } finally {
      await pool.close();
    }
  });

  it('answers everything queued before close() returns', async () => {
    const pool = new VerifyPool({ verificationKey: vk, workers: 1, batchSize: 4, batchWaitMs: 1 });
    await pool.ready();
    const all = Promise.all(variants(10).map((p) => pool.verify(p, req)));
    await pool.close();
    expect(pool.pending).toBe(0);
    const verdicts = await all;
    expect(verdicts.every((v) => v.verified)).toBe(true);
    // After close nothing is accepted.
    expect(await pool.verify(valid, req)).toMatchObject({ verified: false, code: 'INTERNAL_ERROR' });
  });
});

describe('the service on worker threads', () => {
  it('accepts a valid presentation once and redeems its result', async () => {
    const res = await submit(t.app, req.id, valid);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verified: true, requestId: req.id });
    expect((await redeem(t.app, req.id, res.body.responseCode)).status).toBe(200);
    expectError(await submit(t.app, req.id, variants(1)[0]), 409, 'REQUEST_ALREADY_USED');
  });

  it('counts its batches and the presentations in them in /metrics', async () => {
    const batches = () => metricValue(t.app, 'zkid_verification_batches_total');
    const batched = () => metricValue(t.app, 'zkid_verification_batched_presentations_total');
    const [b0, p0] = [await batches(), await batched()];
    const ids = ['twin-metrics-1', 'twin-metrics-2', 'twin-metrics-3'];
    for (const id of ids) await twinRequest(t.store, req, id, t.clock.now());
    const answers = await Promise.all(ids.map((id) => submit(t.app, id, { ...variants(1)[0], requestId: id } as Presentation)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await batched()) - p0).toBe(3);
    const b = (await batches()) - b0;
    expect(b).toBeGreaterThanOrEqual(1);
    expect(b).toBeLessThanOrEqual(3);
  });

  it('rejects a forged presentation with the code of the single path', async () => {
    // A pending twin of req (same challenge, its own id: only a test can make one), so that only
    // the pairing can refuse the forged proof, whichever test ran first.
    const id = 'twin-forged';
    await twinRequest(t.store, req, id, t.clock.now());
    expectError(await submit(t.app, id, forged({ ...valid, requestId: id })), 422, 'PROOF_INVALID');
  });
});
