/**
 * Requests belong to the relying party that made them (issue 7, item 6): creating a request and
 * reading its status need the party's API key, and another party's key sees a 404; the request
 * carries the party's own service id; the holder view shows what the wallet needs and never the
 * result; a verified presentation answers a one-time response code (stored only as a hash) that
 * the party redeems exactly once; redirect URIs are checked; holder-facing routes answer CORS
 * preflights and relying-party routes do not. The verifier is stubbed: no real proofs here.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProofRequest } from '../../src/request.ts';
import { ConfigError, DEMO_RP_KEY, readConfigInput, resolveConfig } from '../../src/server/config.ts';
import type { Verdict } from '../../src/verifier/verify-presentation.ts';
import {
  ADMIN_TOKEN,
  AUTH,
  createRequest,
  expectError,
  fakePresentation,
  OTHER_RP_AUTH,
  RP_AUTH,
  RP_KEY,
  redeem,
  removeDir,
  requestStatus,
  startApp,
  submit,
  type TestApp,
  testConfig,
} from './helpers.ts';

let t: TestApp;
let pseudonymCounter = 1000;

/** A stub verifier that accepts any well-formed presentation for the stored request. */
async function accept(_p: unknown, req: ProofRequest): Promise<Verdict> {
  return {
    verified: true,
    requestId: req.id,
    policy: req.policy.name,
    pseudonym: String(pseudonymCounter++),
    disclosed: {},
    issuer: req.issuers[0] as [string, string],
    root: req.roots[0] as string,
  };
}

beforeAll(async () => {
  t = await startApp({
    verify: accept,
    config: testConfig({
      relyingParties: {
        shop: { name: 'Shop', serviceId: 'shop.example', apiKey: RP_KEY },
        other: { name: 'Other', serviceId: 'other.example', apiKey: OTHER_RP_AUTH.Authorization.slice(7) },
        listed: {
          name: 'Listed',
          serviceId: 'listed.example',
          apiKey: 'test-relying-party-key-listed-789',
          redirectUris: ['https://listed.example/zkid/return'],
        },
        local: { name: 'Local', serviceId: 'localhost', apiKey: 'test-relying-party-key-local-0000' },
      },
    }),
  });
});
afterAll(async () => {
  await t.app.close();
  removeDir(t.dir);
});

const requestCount = () => (t.store.database.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n;
const LISTED = { Authorization: 'Bearer test-relying-party-key-listed-789' };
const LOCAL = { Authorization: 'Bearer test-relying-party-key-local-0000' };

/** A request of 'shop' answered by a (stubbed) valid presentation. */
async function verified(extra: Record<string, unknown> = { redirectUri: 'https://shop.example/return?session=s1' }) {
  const { request: req } = await createRequest(t.app, 'over18', extra);
  const res = await submit(t.app, req.id, fakePresentation(req.id));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { req, accepted: res.body as { responseCode: string; redirectTo?: string; pseudonym: string } };
}

describe('creating requests', () => {
  it('needs a relying party key: none, a wrong one, or the admin token get 401 and create nothing', async () => {
    const before = requestCount();
    const headers: (Record<string, string> | undefined)[] = [
      undefined,
      { Authorization: 'Bearer not-a-relying-party-key-000' },
      { Authorization: `Bearer ${RP_KEY}x` },
      { Authorization: RP_KEY },
      AUTH,
    ];
    for (const h of headers) {
      const call = request(t.app).post('/v1/requests').send({ policy: 'over18' });
      const res = await (h ? call.set(h) : call);
      expectError(res, 401, 'UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="zkid-relying-party"/);
    }
    // The key is checked before the body is read.
    expectError(await request(t.app).post('/v1/requests').set('Content-Type', 'application/json').send('{not json'), 401, 'UNAUTHORIZED');
    expect(requestCount()).toBe(before);
  });

  it("binds each request to its relying party's own service id, which the body cannot choose", async () => {
    const shop = await createRequest(t.app, 'over18');
    const other = await createRequest(t.app, 'over18', {}, OTHER_RP_AUTH);
    expect(shop.request.serviceId).toBe('shop.example');
    expect(other.request.serviceId).toBe('other.example');
    expect(shop.request.scope).not.toBe(other.request.scope);
    expectError(
      await request(t.app).post('/v1/requests').set(OTHER_RP_AUTH).send({ policy: 'over18', serviceId: 'shop.example' }),
      400,
      'INVALID_BODY',
    );
    expect(shop.requestUri).toMatch(new RegExp(`/v1/requests/${shop.request.id}/holder$`));
    expect(shop.walletUrl).toBe(`http://localhost:8081/?request_uri=${encodeURIComponent(shop.requestUri)}`);
  });

  it('checks the redirect URI against the relying party, and creates nothing for a bad one', async () => {
    const before = requestCount();
    const bad: [Record<string, string>, string][] = [
      [RP_AUTH, 'https://evil.example/return'],
      [RP_AUTH, 'https://shop.example.evil.example/return'],
      [RP_AUTH, 'https://notshop.example/return'],
      [RP_AUTH, 'javascript:alert(1)'],
      [RP_AUTH, 'ftp://shop.example/x'],
      [RP_AUTH, '/relative/path'],
      [RP_AUTH, 'https://user:pw@shop.example/return'],
      [RP_AUTH, 'https://shop.example/return#fragment'],
      [LISTED, 'https://listed.example/other-path'],
      [LISTED, 'https://www.listed.example/zkid/return'],
      [LOCAL, 'http://evil.localhost/return'],
      [LOCAL, 'http://127.0.0.1/return'],
    ];
    for (const [auth, redirectUri] of bad) {
      const res = await request(t.app).post('/v1/requests').set(auth).send({ policy: 'over18', redirectUri });
      expectError(res, 400, 'INVALID_REDIRECT_URI');
    }
    expect(requestCount()).toBe(before);
    for (const [auth, redirectUri] of [
      [RP_AUTH, 'https://shop.example/return'],
      [RP_AUTH, 'https://login.shop.example/return?x=1'],
      [RP_AUTH, 'http://shop.example:8080/return'],
      [LISTED, 'https://listed.example/zkid/return'],
      [LOCAL, 'http://localhost:8080/service.html'],
    ] as [Record<string, string>, string][]) {
      const res = await request(t.app).post('/v1/requests').set(auth).send({ policy: 'over18', redirectUri });
      expect(res.status, `${redirectUri}: ${JSON.stringify(res.body)}`).toBe(201);
    }
  });
});

describe('reading requests and results', () => {
  it("answers another relying party's key with 404, as for an unknown request", async () => {
    const { req } = await verified();
    expectError(await requestStatus(t.app, req.id, OTHER_RP_AUTH), 404, 'REQUEST_NOT_FOUND');
    expectError(await request(t.app).get(`/v1/requests/${req.id}`), 401, 'UNAUTHORIZED');
    const sessions = await request(t.app).get('/v1/sessions').set(OTHER_RP_AUTH);
    expect(sessions.body.sessions.map((s: { requestId: string }) => s.requestId)).not.toContain(req.id);
    expect((await request(t.app).get('/v1/sessions').set(RP_AUTH)).body.sessions[0]).toMatchObject({ requestId: req.id, redeemed: false });
    expectError(await request(t.app).get('/v1/sessions'), 401, 'UNAUTHORIZED');
  });

  it('shows the owner the status but never the result', async () => {
    const { req, accepted } = await verified();
    const res = await requestStatus(t.app, req.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: req.id,
      status: 'verified',
      redeemed: false,
      redirectUri: 'https://shop.example/return?session=s1',
    });
    expect(res.body.result).toBeUndefined();
    expect(res.text).not.toContain(accepted.pseudonym);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('hands the result over once for the response code, atomically, only to the owner', async () => {
    const { req, accepted } = await verified();
    expect(accepted.responseCode).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    const back = new URL(accepted.redirectTo as string);
    expect(`${back.origin}${back.pathname}`).toBe('https://shop.example/return');
    expect(back.searchParams.get('session')).toBe('s1');
    expect(back.searchParams.get('response_code')).toBe(accepted.responseCode);
    // The store keeps only the code's hash.
    const row = t.store.database.prepare('SELECT * FROM requests WHERE id = ?').get(req.id) as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(accepted.responseCode);
    expect(row.response_code_hash).toBe(createHash('sha256').update(accepted.responseCode).digest('hex'));

    expectError(await redeem(t.app, req.id, accepted.responseCode, OTHER_RP_AUTH), 404, 'REQUEST_NOT_FOUND');
    expectError(
      await redeem(t.app, req.id, `${accepted.responseCode.slice(0, -1)}${accepted.responseCode.endsWith('A') ? 'B' : 'A'}`),
      403,
      'INVALID_RESPONSE_CODE',
    );
    expectError(await redeem(t.app, req.id, 'short'), 400, 'INVALID_BODY');
    expectError(
      await request(t.app).post(`/v1/requests/${req.id}/result`).send({ responseCode: accepted.responseCode }),
      401,
      'UNAUTHORIZED',
    );
    const results = await Promise.all([1, 2, 3].map(() => redeem(t.app, req.id, accepted.responseCode)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0]?.body).toMatchObject({ requestId: req.id, pseudonym: accepted.pseudonym, policy: 'over18', disclosed: {} });
    for (const r of results.filter((x) => x.status !== 200)) expectError(r, 409, 'RESPONSE_CODE_USED');
    expectError(await redeem(t.app, req.id, accepted.responseCode), 409, 'RESPONSE_CODE_USED');
    expect((await requestStatus(t.app, req.id)).body).toMatchObject({ status: 'verified', redeemed: true });
  });

  it('has no response code for a request that was not verified', async () => {
    const { request: req } = await createRequest(t.app, 'over18');
    expectError(await redeem(t.app, req.id, 'A'.repeat(43)), 403, 'INVALID_RESPONSE_CODE');
    expectError(await redeem(t.app, 'no-such-request', 'A'.repeat(43)), 404, 'REQUEST_NOT_FOUND');
  });

  it('answers without redirectTo when the request has no redirect URI', async () => {
    const { accepted } = await verified({});
    expect(accepted.responseCode).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(accepted.redirectTo).toBeUndefined();
  });
});

describe('the holder view', () => {
  it('is public, readable from any origin, and shows only what the wallet needs', async () => {
    const { request: req } = await createRequest(t.app, 'over18', { redirectUri: 'https://shop.example/return' });
    const pending = await request(t.app).get(`/v1/requests/${req.id}/holder`).set('Origin', 'http://localhost:8081');
    expect(pending.status).toBe(200);
    expect(pending.headers['access-control-allow-origin']).toBe('*');
    expect(pending.body).toEqual({
      status: 'pending',
      relyingParty: { name: 'Shop' },
      request: req,
      redirectUri: 'https://shop.example/return',
      gracePeriodSeconds: 3600,
      ticket: expect.stringMatching(/^t1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/),
    });
    // The ticket carries what the view shows and nothing more (no relying-party id, no holder data).
    const payload = JSON.parse(Buffer.from(pending.body.ticket.split('.')[1], 'base64url').toString());
    expect(payload).toEqual({ id: req.id, request: req, redirectUri: 'https://shop.example/return' });
    const res = await submit(t.app, req.id, fakePresentation(req.id));
    expect(res.status).toBe(200);
    const after = await request(t.app).get(`/v1/requests/${req.id}/holder`);
    expect(after.body).toEqual({
      status: 'verified',
      relyingParty: { name: 'Shop' },
      redirectUri: 'https://shop.example/return',
      gracePeriodSeconds: 3600,
    });
    expect(after.text).not.toContain(res.body.responseCode);
    expect(after.text).not.toContain(res.body.pseudonym);
    expectError(await request(t.app).get('/v1/requests/nope/holder'), 404, 'REQUEST_NOT_FOUND');
  });
});

describe('CORS', () => {
  it('answers preflights on holder-facing routes, not on relying-party or issuer routes', async () => {
    const { request: req } = await createRequest(t.app, 'over18');
    for (const path of [`/v1/requests/${req.id}/presentation`, '/v1/demo/enrol', `/v1/requests/${req.id}/holder`, '/v1/registry/root']) {
      const res = await request(t.app).options(path).set({
        Origin: 'http://localhost:8081',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      });
      expect(res.status, path).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-methods']).toBe('GET, POST');
      expect(res.headers['access-control-allow-headers']).toBe('Content-Type');
      expect(res.headers['access-control-max-age']).toBe('600');
    }
    // A wallet on another origin reads the presentation's answer, including its errors.
    const err = await submit(t.app, 'no-such-request', fakePresentation('no-such-request')).set('Origin', 'http://localhost:8081');
    expectError(err, 404, 'REQUEST_NOT_FOUND');
    expect(err.headers['access-control-allow-origin']).toBe('*');
    for (const path of [
      '/v1/requests',
      `/v1/requests/${req.id}`,
      `/v1/requests/${req.id}/result`,
      '/v1/sessions',
      '/v1/issuer/credentials',
    ]) {
      const pre = await request(t.app).options(path).set({ Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' });
      expect(pre.headers['access-control-allow-origin'], path).toBeUndefined();
      expect(pre.status, path).not.toBe(204);
    }
    const created = await request(t.app).post('/v1/requests').set(RP_AUTH).set('Origin', 'https://evil.example').send({ policy: 'over18' });
    expect(created.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('configuration', () => {
  it('has the public demo relying party only on demo instances, never in production', () => {
    const demo = resolveConfig({ adminToken: ADMIN_TOKEN });
    expect(demo.relyingParties).toEqual({
      demo: { id: 'demo', name: 'zkid demo service', serviceId: 'localhost', scope: demo.scope, apiKey: DEMO_RP_KEY, redirectUris: [] },
    });
    expect(demo.walletBaseUrl).toBe('http://localhost:8081');
    const env = readConfigInput({ ZKID_SERVICE_ID: 'demo.example', ZKID_WALLET_URL: 'https://wallet.example/' });
    const fromEnv = resolveConfig({ ...env, adminToken: ADMIN_TOKEN });
    expect(fromEnv.relyingParties.demo?.serviceId).toBe('demo.example');
    expect(fromEnv.walletBaseUrl).toBe('https://wallet.example');
    expect(() => resolveConfig({ adminToken: ADMIN_TOKEN }, { production: true })).toThrow(
      /relyingParties: the verifier needs at least one/,
    );
    expect(() =>
      resolveConfig(
        { adminToken: ADMIN_TOKEN, relyingParties: { x: { name: 'X', serviceId: 'x.example', apiKey: DEMO_RP_KEY } } },
        { production: true },
      ),
    ).toThrow(/public demo key is refused in production/);
    expect(() => resolveConfig({ adminToken: ADMIN_TOKEN, demo: false })).toThrow(ConfigError);
    expect(() =>
      resolveConfig({
        adminToken: ADMIN_TOKEN,
        relyingParties: {
          a: { name: 'A', serviceId: 'a.example', apiKey: RP_KEY },
          b: { name: 'B', serviceId: 'b.example', apiKey: RP_KEY },
        },
      }),
    ).toThrow(/share one key/);
    expect(() =>
      resolveConfig({ adminToken: ADMIN_TOKEN, relyingParties: { a: { name: 'A', serviceId: 'Not A Host', apiKey: RP_KEY } } }),
    ).toThrow(/relyingParties.a.serviceId/);
    expect(() =>
      resolveConfig({ adminToken: ADMIN_TOKEN, relyingParties: { a: { name: 'A', serviceId: 'a.example', apiKey: 'short' } } }),
    ).toThrow(/apiKey/);
  });

  it('states the wallet origin, the grace period and the root count in /v1/info, readable from any origin', async () => {
    const res = await request(t.app).get('/v1/info');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.body).toMatchObject({ walletBaseUrl: 'http://localhost:8081', gracePeriodSeconds: 3600, rootCount: 24 });
    expect(res.text).not.toContain(RP_KEY);
  });
});
