/**
 * Verifier API boundary checks that need no real proof: body size, strict JSON, schemas and field
 * elements (all refused before any cryptography), request lifecycle (unknown, expired, `today`),
 * the concurrency cap, a throwing verifier, rate limits, security headers and error bodies.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayUtc } from '../../src/dates.ts';
import { FIELD_MODULUS } from '../../src/field.ts';
import { BUILTIN_POLICIES, type Policy } from '../../src/policy.ts';
import { createProofRequest } from '../../src/request.ts';
import { resolveConfig } from '../../src/server/config.ts';
import type { Verdict } from '../../src/verifier/verify-presentation.ts';
import {
  ADMIN_TOKEN,
  build,
  expectError,
  fakePresentation,
  N_PUBLIC,
  newRequest,
  RP_AUTH,
  RP_KEY,
  removeDir,
  requestStatus,
  startApp,
  submit,
  type TestApp,
  tempDir,
  testConfig,
} from './helpers.ts';

let t: TestApp;
let calls = 0;
/** Counts verifier calls: the boundary checks must refuse before reaching it. */
let verdict: () => Promise<Verdict> = async () => ({ verified: false, code: 'PROOF_INVALID', message: 'the proof does not verify' });

beforeAll(async () => {
  t = await startApp({
    verify: async () => {
      calls++;
      return verdict();
    },
  });
});
afterAll(async () => {
  await t.app.close();
  removeDir(t.dir);
});

async function freshId(): Promise<string> {
  return (await newRequest(t.app, 'over18')).id;
}

describe('request bodies', () => {
  it('refuses a body over the size limit with 413', async () => {
    const id = await freshId();
    const big = fakePresentation(id, { padding: 'x'.repeat(20_000) });
    expectError(await submit(t.app, id, big), 413, 'PAYLOAD_TOO_LARGE');
    expectError(
      await request(t.app)
        .post('/v1/requests')
        .set(RP_AUTH)
        .send({ policy: 'x'.repeat(20_000) }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('refuses malformed JSON, non-object JSON and other content types', async () => {
    const id = await freshId();
    const post = () => request(t.app).post(`/v1/requests/${id}/presentation`);
    expectError(await post().set('Content-Type', 'application/json').send('{"requestId": '), 400, 'MALFORMED_JSON');
    expectError(await post().set('Content-Type', 'application/json').send('"a string"'), 400, 'MALFORMED_JSON');
    expectError(await post().set('Content-Type', 'application/json').send('42'), 400, 'MALFORMED_JSON');
    expectError(await post().set('Content-Type', 'text/plain').send('{}'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await post().set('Content-Type', 'application/x-www-form-urlencoded').send('a=1'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(
      await post().set({ 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).send('{}'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(await post(), 400, 'MALFORMED_PRESENTATION');
  });

  it('refuses wrong types and unknown keys', async () => {
    const id = await freshId();
    const cases: [Record<string, unknown>, string][] = [
      [{ requestId: 42 }, 'MALFORMED_PRESENTATION'],
      [{ circuit: ['x'] }, 'MALFORMED_PRESENTATION'],
      [{ publicSignals: 'all of them' }, 'MALFORMED_PRESENTATION'],
      [{ proof: null }, 'MALFORMED_PROOF'],
      [{ extra: true }, 'MALFORMED_PRESENTATION'],
      [{ ['__proto__']: { polluted: true } }, 'MALFORMED_PRESENTATION'],
      [{ proof: { ...(fakePresentation(id).proof as object), pi_a: 'point' } }, 'MALFORMED_PROOF'],
      [{ proof: { ...(fakePresentation(id).proof as object), pi_a: ['1', '2'] } }, 'MALFORMED_PROOF'],
      [{ proof: { ...(fakePresentation(id).proof as object), pi_c: ['0x1', '2', '1'] } }, 'MALFORMED_PROOF'],
      [{ proof: { ...(fakePresentation(id).proof as object), protocol: 'plonk' } }, 'MALFORMED_PROOF'],
      [{ proof: { ...(fakePresentation(id).proof as object), extra: 1 } }, 'MALFORMED_PROOF'],
    ];
    for (const [over, code] of cases) {
      const body = JSON.parse(JSON.stringify(fakePresentation(id, over))) as object;
      if (Object.hasOwn(over, '__proto__')) Object.defineProperty(body, '__proto__', { value: { polluted: true }, enumerable: true });
      const res = await submit(t.app, id, body);
      expectError(res, 400, code);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expectError(await request(t.app).post('/v1/requests').set(RP_AUTH).send({ policy: 18 }), 400, 'INVALID_BODY');
    expectError(await request(t.app).post('/v1/requests').set(RP_AUTH).send({ policy: 'over18', scope: '1' }), 400, 'INVALID_BODY');
    expectError(await request(t.app).post('/v1/requests').set(RP_AUTH).send([]), 400, 'INVALID_BODY');
    expect(calls).toBe(0);
  });

  it('refuses public signals that are not canonical field elements, before any cryptography', async () => {
    const id = await freshId();
    const bad: unknown[] = [
      FIELD_MODULUS.toString(), // = r
      (FIELD_MODULUS + 5n).toString(), // > r
      (2n ** 256n).toString(),
      '-1',
      '0x1f',
      '1f',
      ' 12',
      '12 ',
      '1 2',
      '012',
      '',
      '1e3',
      '+5',
      12,
      null,
      ['1'],
    ];
    for (const value of bad) {
      const signals = fakePresentation(id).publicSignals as unknown[];
      signals[3] = value;
      const res = await submit(t.app, id, fakePresentation(id, { publicSignals: signals }));
      expectError(res, 400, 'NON_CANONICAL_SIGNAL');
      expect(res.body.error.message).toContain('publicSignals[3]');
    }
    expect(calls).toBe(0);
  });

  it('refuses too few and too many public signals', async () => {
    const id = await freshId();
    for (const n of [0, 1, N_PUBLIC - 1, N_PUBLIC + 1, 200]) {
      const res = await submit(t.app, id, fakePresentation(id, { publicSignals: Array.from({ length: n }, () => '1') }));
      expectError(res, 400, 'WRONG_SIGNAL_COUNT');
    }
    // The count is reported before a bad element: it is the more basic failure.
    const res = await submit(t.app, id, fakePresentation(id, { publicSignals: ['-1', '0x2'] }));
    expectError(res, 400, 'WRONG_SIGNAL_COUNT');
    expect(calls).toBe(0);
  });
});

describe('proof requests', () => {
  it('creates a request for a configured policy with everything the holder needs', async () => {
    const res = await request(t.app).post('/v1/requests').set(RP_AUTH).send({ policy: 'adult-resident-of-region' });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/requests/${res.body.request.id}`);
    const req = res.body.request;
    expect(res.body.requestUri).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/v1/requests/${req.id}/holder$`));
    expect(res.body.walletUrl).toBe(`http://localhost:8081/?request_uri=${encodeURIComponent(res.body.requestUri)}`);
    expect(req).toMatchObject({
      version: 'zkid/request/v1',
      circuit: t.app.context.circuit.instance,
      serviceId: 'shop.example',
      scope: t.app.context.config.scope,
      today: todayUtc(t.clock.now()),
      policy: BUILTIN_POLICIES['adult-resident-of-region'],
      roots: [t.app.context.registry.root],
      issuers: t.app.context.trustedIssuers,
    });
    expect(Date.parse(req.expiresAt) - t.clock.now().getTime()).toBe(300_000);
    for (const k of ['wasm', 'zkey', 'vkey']) {
      expect(req.artifacts[k].sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(req.artifacts[k].url).toContain(`?sha256=${req.artifacts[k].sha256}`);
      const file = await request(t.app).head(req.artifacts[k].url);
      expect(file.status).toBe(200);
    }
    const other = await newRequest(t.app, 'adult-resident-of-region');
    expect(other.challenge).not.toBe(req.challenge);
    expect(other.id).not.toBe(req.id);
  });

  it('refuses an unknown policy', async () => {
    for (const policy of ['over21', 'constructor', '__proto__', 'toString']) {
      expectError(await request(t.app).post('/v1/requests').set(RP_AUTH).send({ policy }), 400, 'UNKNOWN_POLICY');
    }
  });

  it('accepts a holder date within one day of the server UTC date, and refuses one two days off', async () => {
    const today = todayUtc(t.clock.now());
    for (const d of [-1, 0, 1]) {
      const req = await newRequest(t.app, 'over18', { today: addDays(today, d) });
      expect(req.today).toBe(addDays(today, d));
    }
    for (const d of [-2, 2, 30]) {
      expectError(
        await request(t.app)
          .post('/v1/requests')
          .set(RP_AUTH)
          .send({ policy: 'over18', today: addDays(today, d) }),
        422,
        'TODAY_OUT_OF_RANGE',
      );
    }
    expectError(await request(t.app).post('/v1/requests').set(RP_AUTH).send({ policy: 'over18', today: 20260230 }), 400, 'INVALID_DATE');
  });

  it('refuses a presentation whose request date is now two days off, before verifying', async () => {
    // A stored request with a long life whose `today` the server clock has left behind.
    const now = t.clock.now();
    const stale = createProofRequest({
      policy: BUILTIN_POLICIES.over18 as Policy,
      serviceId: 'shop.example',
      issuers: t.app.context.trustedIssuers,
      roots: [t.app.context.registry.root],
      today: addDays(todayUtc(now), -2),
      now,
      ttlSeconds: 3 * 86400,
    });
    await t.store.insertRequest({ request: stale, createdAt: now });
    expectError(await submit(t.app, stale.id, fakePresentation(stale.id)), 422, 'TODAY_OUT_OF_RANGE');
    expect(calls).toBe(0);
  });

  it('reports the status of a request and 404 for an unknown one', async () => {
    const req = await newRequest(t.app, 'over18');
    const res = await requestStatus(t.app, req.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: req.id, policy: 'over18', status: 'pending', request: req });
    expect(res.headers['cache-control']).toBe('no-store');
    expectError(await requestStatus(t.app, 'unknown'), 404, 'REQUEST_NOT_FOUND');
    expectError(await requestStatus(t.app, 'x'.repeat(65)), 404, 'REQUEST_NOT_FOUND');
    expectError(await submit(t.app, 'unknown', fakePresentation('unknown')), 404, 'REQUEST_NOT_FOUND');
  });

  it('refuses a presentation for an expired request and reports it expired', async () => {
    const req = await newRequest(t.app, 'over18');
    t.clock.advance(301);
    try {
      expectError(await submit(t.app, req.id, fakePresentation(req.id)), 410, 'REQUEST_EXPIRED');
      expect((await requestStatus(t.app, req.id)).body).toMatchObject({ status: 'expired' });
      expect((await requestStatus(t.app, req.id)).body.request).toBeUndefined();
    } finally {
      t.clock.advance(-301);
    }
    expect(calls).toBe(0);
  });
});

describe('verification', () => {
  it('passes a well-formed presentation to the verifier and reports its rejection with a 4xx and the last error', async () => {
    const req = await newRequest(t.app, 'over18');
    const res = await submit(t.app, req.id, fakePresentation(req.id));
    expectError(res, 422, 'PROOF_INVALID');
    expect(calls).toBe(1);
    const status = await requestStatus(t.app, req.id);
    expect(status.body).toMatchObject({ status: 'pending', error: { code: 'PROOF_INVALID' } });
  });

  it('rejects when the verifier throws or reports an internal error, without leaking the detail', async () => {
    const req = await newRequest(t.app, 'over18');
    verdict = async () => {
      throw new Error('secret internal detail');
    };
    let res = await submit(t.app, req.id, fakePresentation(req.id));
    expectError(res, 422, 'VERIFICATION_ERROR');
    expect(res.text).not.toContain('secret internal detail');
    verdict = async () => ({ verified: false, code: 'INTERNAL_ERROR', message: 'verification failed: secret internal detail' });
    res = await submit(t.app, req.id, fakePresentation(req.id));
    expectError(res, 422, 'VERIFICATION_ERROR');
    expect(res.text).not.toContain('secret internal detail');
    expect((await requestStatus(t.app, req.id)).body.status).toBe('pending');
    verdict = async () => ({ verified: false, code: 'PROOF_INVALID', message: 'the proof does not verify' });
  });

  it('caps concurrent verifications: the excess gets 503 with Retry-After', async () => {
    const capped = await startApp({
      config: testConfig({ maxConcurrentVerifications: 1 }),
      verify: async () => {
        await new Promise((r) => setTimeout(r, 300));
        return { verified: false, code: 'PROOF_INVALID', message: 'no' };
      },
    });
    try {
      const a = await newRequest(capped.app, 'over18');
      const b = await newRequest(capped.app, 'over18');
      const [ra, rb] = await Promise.all([
        submit(capped.app, a.id, fakePresentation(a.id)),
        submit(capped.app, b.id, fakePresentation(b.id)),
      ]);
      const statuses = [ra.status, rb.status].sort();
      expect(statuses).toEqual([422, 503]);
      const busy = ra.status === 503 ? ra : rb;
      expectError(busy, 503, 'SERVER_BUSY');
      expect(busy.headers['retry-after']).toBe('1');
      // The slot is released afterwards.
      expectError(await submit(capped.app, a.id, fakePresentation(a.id)), 422, 'PROOF_INVALID');
    } finally {
      await capped.app.close();
      removeDir(capped.dir);
    }
  });
});

describe('hardening', () => {
  it('sends security headers and no X-Powered-By', async () => {
    const res = await request(t.app).get('/v1/info');
    expect(res.status).toBe(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("'wasm-unsafe-eval'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with a JSON 404', async () => {
    expectError(await request(t.app).get('/nope'), 404, 'NOT_FOUND');
    expectError(await request(t.app).put('/v1/requests'), 404, 'NOT_FOUND');
  });

  it('rate-limits per client with 429 and Retry-After', async () => {
    const limited = await startApp({ config: testConfig({ rateLimits: { requests: 2, windowSeconds: 60 } }) });
    try {
      await newRequest(limited.app, 'over18');
      await newRequest(limited.app, 'over18');
      const res = await request(limited.app).post('/v1/requests').set(RP_AUTH).send({ policy: 'over18' });
      expectError(res, 429, 'RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.headers.ratelimit).toBeDefined();
      // Health checks are never limited.
      expect((await request(limited.app).get('/healthz')).status).toBe(200);
    } finally {
      await limited.app.close();
      removeDir(limited.dir);
    }
  });

  it('serves health, info and Prometheus metrics', async () => {
    expect((await request(t.app).get('/healthz')).body).toEqual({ status: 'ok' });
    const info = await request(t.app).get('/v1/info');
    expect(info.body).toMatchObject({ serviceId: 'shop.example', roles: { verifier: true, issuer: true, registry: true }, demo: true });
    expect(info.body.policies.map((p: { name: string }) => p.name)).toEqual(['over18', 'valid-id', 'adult-resident-of-region']);
    const m = await request(t.app).get('/metrics');
    expect(m.status).toBe(200);
    expect(m.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(m.text).toContain('# TYPE zkid_http_requests_total counter');
    expect(m.text).toMatch(/zkid_http_requests_total\{method="POST",route="\/v1\/requests\/:id\/presentation",status="400"\} \d+/);
    expect(m.text).toMatch(/zkid_verifications_total\{code="PROOF_INVALID",result="rejected"\} \d+/);
    expect(m.text).toContain('zkid_verification_duration_seconds_bucket{le="+Inf"}');
    expect(m.text).toContain('zkid_revocation_revision 0');
    expect(m.text).toContain('zkid_verifications_in_flight 0');
  });

  it('protects /metrics with a token when one is configured', async () => {
    const guarded = await startApp({ config: testConfig({ metricsToken: 'metrics-token-0123456789' }) });
    try {
      expectError(await request(guarded.app).get('/metrics'), 401, 'UNAUTHORIZED');
      expect((await request(guarded.app).get('/metrics').set('Authorization', 'Bearer metrics-token-0123456789')).status).toBe(200);
    } finally {
      await guarded.app.close();
      removeDir(guarded.dir);
    }
  });

  it('refuses, in production, circuit artifacts that are not allow-listed', async () => {
    const dev = tempDir();
    try {
      const relyingParties = { shop: { name: 'Shop', serviceId: 'shop.example', apiKey: RP_KEY } };
      await expect(
        startApp({ dir: dev, config: resolveConfig({ adminToken: ADMIN_TOKEN, relyingParties }, { production: true }) }),
      ).rejects.toThrow(/allowedArtifacts: in production every circuit artifact must be allow-listed/);
      const hashes = Object.values(build.manifest.artifacts).map((a) => a.sha256);
      const prod = await startApp({
        dir: dev,
        config: resolveConfig({ adminToken: ADMIN_TOKEN, allowedArtifacts: hashes, relyingParties }, { production: true }),
      });
      expect(prod.app.context.config.demo).toBe(false);
      await prod.app.close();
    } finally {
      removeDir(dev);
    }
  });

  it('answers 503 while draining, except health which says so', async () => {
    const d = await startApp();
    try {
      d.app.beginDrain();
      expectError(await request(d.app).get('/healthz'), 503, 'SHUTTING_DOWN');
      expectError(await request(d.app).post('/v1/requests').set(RP_AUTH).send({ policy: 'over18' }), 503, 'SHUTTING_DOWN');
    } finally {
      await d.app.close();
      removeDir(d.dir);
    }
  });
});
