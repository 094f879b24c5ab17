/**
 * Request tickets (src/server/request-ticket.ts): the holder view's sealed request, sent back with
 * the presentation so the service verifies without reading the request first. What must hold: a
 * ticket cannot change the request a presentation is checked against (challenge, expiry, another
 * request's id, another service's key), and a presentation with a ticket gets the answer it would
 * get without one, whoever answered the request before.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProofRequest } from '../../src/request.ts';
import { MAX_TICKET_LENGTH, openTicket, sealTicket } from '../../src/server/request-ticket.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Verdict } from '../../src/verifier/verify-presentation.ts';
import {
  createRequest,
  expectError,
  fakePresentation,
  removeDir,
  requestStatus,
  startApp,
  submit,
  type TestApp,
  TestClock,
  tempDir,
  testConfig,
} from './helpers.ts';

/** The stub verifier: a presentation whose pi_a[0] is '666' is refused (PROOF_INVALID), any other accepted. */
const seen: ProofRequest[] = [];
let counter = 5000;
async function stubVerify(p: unknown, req: ProofRequest): Promise<Verdict> {
  seen.push(req);
  if ((p as { proof: { pi_a: string[] } }).proof.pi_a[0] === '666') {
    return { verified: false, code: 'PROOF_INVALID', message: 'the proof does not verify' };
  }
  return {
    verified: true,
    requestId: req.id,
    policy: req.policy.name,
    pseudonym: String(counter++),
    disclosed: {},
    issuer: req.issuers[0] as [string, string],
    root: req.roots[0] as string,
  };
}
const broken = (id: string, ticket?: string) =>
  fakePresentation(id, {
    proof: { ...(fakePresentation(id).proof as object), pi_a: ['666', '2', '1'] },
    ...(ticket ? { ticket } : {}),
  });

/** The holder view's ticket of a new request. */
async function ticketed(app: TestApp['app'], extra: Record<string, unknown> = {}) {
  const { request: req } = await createRequest(app, 'over18', extra);
  const view = await request(app).get(`/v1/requests/${req.id}/holder`);
  expect(view.status).toBe(200);
  return { req, ticket: view.body.ticket as string };
}

describe('sealTicket / openTicket', () => {
  const key = randomBytes(32);
  const req = { id: 'r1', expiresAt: '2030-01-01T00:00:00.000Z', challenge: '7' } as unknown as ProofRequest;

  it('opens what it sealed, for that request only', () => {
    const t = sealTicket(key, { request: req, redirectUri: 'https://shop.example/r' });
    expect(openTicket(key, t, 'r1')).toEqual({ request: req, redirectUri: 'https://shop.example/r' });
    expect(openTicket(key, t, 'r2')).toBeUndefined();
    expect(openTicket(randomBytes(32), t, 'r1')).toBeUndefined();
  });

  it('refuses an altered payload, a cut or altered MAC, another version and garbage', () => {
    const t = sealTicket(key, { request: req });
    const [v, payload, mac] = t.split('.') as [string, string, string];
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const later = Buffer.from(JSON.stringify({ ...body, request: { ...req, expiresAt: '2099-01-01T00:00:00.000Z' } })).toString(
      'base64url',
    );
    expect(openTicket(key, `${v}.${later}.${mac}`, 'r1')).toBeUndefined();
    expect(openTicket(key, `${v}.${payload}.${mac.slice(0, 42)}`, 'r1')).toBeUndefined();
    // every other last character, including the spellings that decode to the same 32 bytes
    for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.replace(mac[42] as string, '')) {
      expect(openTicket(key, `${v}.${payload}.${mac.slice(0, 42)}${c}`, 'r1')).toBeUndefined();
    }
    expect(openTicket(key, `t2.${payload}.${mac}`, 'r1')).toBeUndefined();
    for (const junk of ['', 't1', 't1..', `t1.${payload}`, `t1.${payload}.${mac}.x`, `t1.${'A'.repeat(MAX_TICKET_LENGTH)}.${mac}`]) {
      expect(openTicket(key, junk, 'r1')).toBeUndefined();
    }
  });
});

/** The store as one instance sees it: closing the instance leaves it open for the others. */
const shared = (store: SqliteStore): SqliteStore =>
  new Proxy(store, {
    get(target, p) {
      if (p === 'close') return async () => {};
      const v = Reflect.get(target, p, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });

describe('a presentation with its ticket', () => {
  let dir: string;
  let store: SqliteStore;
  let clock: TestClock;
  /** two instances on one store (each remembers only what it answered itself) */
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    dir = tempDir();
    store = new SqliteStore({ dataDir: dir });
    clock = new TestClock();
    a = await startApp({ dir, store: shared(store), clock, verify: stubVerify });
    b = await startApp({ dir, store: shared(store), clock, verify: stubVerify });
  });
  afterAll(async () => {
    await a.app.close();
    await b.app.close();
    await store.close();
    removeDir(dir);
  });
  beforeEach(() => {
    seen.length = 0;
    vi.restoreAllMocks();
  });

  it('is verified against the sealed request without reading it from the store, on any instance', async () => {
    const { req, ticket } = await ticketed(a.app, { redirectUri: 'https://shop.example/return' });
    const reads = vi.spyOn(store, 'getRequest');
    const res = await submit(b.app, req.id, fakePresentation(req.id, { ticket }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(reads).not.toHaveBeenCalled();
    expect(seen).toEqual([req]);
    expect(res.body.redirectTo).toMatch(/^https:\/\/shop\.example\/return\?response_code=/);
    expect((await requestStatus(a.app, req.id)).body.status).toBe('verified');
  });

  it('answers a replay as without a ticket: REQUEST_ALREADY_USED, on the instance that answered it without verifying again', async () => {
    const { req, ticket } = await ticketed(a.app);
    expect((await submit(a.app, req.id, fakePresentation(req.id, { ticket }))).status).toBe(200);
    seen.length = 0;
    expectError(await submit(a.app, req.id, fakePresentation(req.id, { ticket })), 409, 'REQUEST_ALREADY_USED');
    expectError(await submit(a.app, req.id, broken(req.id, ticket)), 409, 'REQUEST_ALREADY_USED');
    expect(seen).toEqual([]);
    // The other instance does not know: it verifies, then the store read that precedes a rejection
    // gives the answer; from then on it knows too.
    expectError(await submit(b.app, req.id, broken(req.id, ticket)), 409, 'REQUEST_ALREADY_USED');
    expect(seen).toHaveLength(1);
    expectError(await submit(b.app, req.id, fakePresentation(req.id, { ticket })), 409, 'REQUEST_ALREADY_USED');
    expect(seen).toHaveLength(1);
    // A valid replay on an instance that does not know: verified, then refused by the consumption.
    const second = await ticketed(a.app);
    expect((await submit(a.app, second.req.id, fakePresentation(second.req.id, { ticket: second.ticket }))).status).toBe(200);
    seen.length = 0;
    expectError(
      await submit(b.app, second.req.id, fakePresentation(second.req.id, { ticket: second.ticket })),
      409,
      'REQUEST_ALREADY_USED',
    );
    expect(seen).toHaveLength(1);
    const view = (await requestStatus(a.app, req.id)).body;
    expect(view.status).toBe('verified');
    expect(view.error).toBeUndefined();
  });

  it('records a rejection on a pending request as without a ticket', async () => {
    const { req, ticket } = await ticketed(a.app);
    expectError(await submit(b.app, req.id, broken(req.id, ticket)), 422, 'PROOF_INVALID');
    const view = (await requestStatus(a.app, req.id)).body;
    expect(view.status).toBe('pending');
    expect(view.error?.code).toBe('PROOF_INVALID');
    expect((await submit(b.app, req.id, fakePresentation(req.id, { ticket }))).status).toBe(200);
  });

  it('answers an expired request as without a ticket, before verifying: REQUEST_EXPIRED, or REQUEST_ALREADY_USED once answered', async () => {
    const { req, ticket } = await ticketed(a.app);
    const used = await ticketed(a.app);
    expect((await submit(a.app, used.req.id, fakePresentation(used.req.id, { ticket: used.ticket }))).status).toBe(200);
    seen.length = 0;
    clock.advance(86_400 + 1);
    try {
      expectError(await submit(b.app, req.id, fakePresentation(req.id, { ticket })), 410, 'REQUEST_EXPIRED');
      expectError(await submit(b.app, used.req.id, fakePresentation(used.req.id, { ticket: used.ticket })), 409, 'REQUEST_ALREADY_USED');
      expect(seen).toEqual([]);
    } finally {
      clock.advance(-(86_400 + 1));
    }
  });

  it('refuses a ticket altered, of another request, or of another service: INVALID_TICKET, nothing verified or recorded', async () => {
    const { req, ticket } = await ticketed(a.app);
    const other = await ticketed(a.app);
    const [v, payload, mac] = ticket.split('.') as [string, string, string];
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...body, request: { ...body.request, challenge: '12345' } })).toString('base64url');
    const elsewhere = sealTicket(randomBytes(32), { request: req });
    for (const bad of [`${v}.${forged}.${mac}`, other.ticket, elsewhere, 'not a ticket']) {
      expectError(await submit(b.app, req.id, fakePresentation(req.id, { ticket: bad })), 400, 'INVALID_TICKET');
    }
    expect(seen).toEqual([]);
    const view = (await requestStatus(a.app, req.id)).body;
    expect(view.status).toBe('pending');
    expect(view.error).toBeUndefined();
    expect((await submit(b.app, other.req.id, fakePresentation(other.req.id, { ticket: other.ticket }))).status).toBe(200);
  });

  it('gives no ticket where it would not fit beside a presentation in the body limit; the presentation is read against the store', async () => {
    const small = await startApp({ dir, store: shared(store), clock, verify: stubVerify, config: testConfig({ bodyLimitBytes: 4096 }) });
    try {
      const { request: req } = await createRequest(small.app, 'over18');
      const view = await request(small.app).get(`/v1/requests/${req.id}/holder`);
      expect(view.body.status).toBe('pending');
      expect(view.body.ticket).toBeUndefined();
      const reads = vi.spyOn(store, 'getRequest');
      expect((await submit(small.app, req.id, fakePresentation(req.id))).status).toBe(200);
      expect(reads).toHaveBeenCalled();
    } finally {
      await small.app.close();
    }
  });

  it('with requestTickets off (a rolling upgrade) gives no ticket, and still accepts a presentation with one', async () => {
    const off = await startApp({ dir, store: shared(store), clock, verify: stubVerify, config: testConfig({ requestTickets: false }) });
    try {
      const { request: req } = await createRequest(off.app, 'over18');
      const view = await request(off.app).get(`/v1/requests/${req.id}/holder`);
      expect(view.body.request).toEqual(req);
      expect(view.body.ticket).toBeUndefined();
      const other = await ticketed(a.app);
      const reads = vi.spyOn(store, 'getRequest');
      expect((await submit(off.app, other.req.id, fakePresentation(other.req.id, { ticket: other.ticket }))).status).toBe(200);
      expect(reads).not.toHaveBeenCalled();
    } finally {
      await off.app.close();
    }
  });

  it('keys tickets with one secret of the database: a restarted instance opens the tickets it issued before', async () => {
    const { req, ticket } = await ticketed(a.app);
    const c = await startApp({ dir, store: shared(store), clock, verify: stubVerify });
    try {
      expect((await request(c.app).get(`/v1/requests/${req.id}/holder`)).body.ticket).toBe(ticket);
      expect((await submit(c.app, req.id, fakePresentation(req.id, { ticket }))).status).toBe(200);
    } finally {
      await c.app.close();
    }
  });
});
