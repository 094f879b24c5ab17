/**
 * A verifier that is not the issuer (registry-follower.ts): it takes its accepted roots from the
 * issuer's registry or any mirror, checks every record's signature against the configured issuer
 * key, refuses unsigned, badly signed, rolled-back and conflicting data with a logged error and a
 * stable code, and keeps its last good roots meanwhile. Then the real thing: an issuer/registry app
 * and a verifier-only app over HTTP, where a revocation on the issuer reaches the verifier's
 * accepted roots within its poll interval.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIssuerKey, type IssuerKey } from '../../src/credential/issuer.ts';
import { type RootRecord, rootRecordToJson } from '../../src/revocation/root.ts';
import { createRootSigner, type RootSigner } from '../../src/revocation/root-signer.ts';
import { ConfigError } from '../../src/server/config.ts';
import { RegistryFollower, type SourceOutcome } from '../../src/server/registry-follower.ts';
import { AUTH, RP_AUTH, removeDir, startApp, type TestApp, testConfig } from './helpers.ts';

let key: IssuerKey;
let sign: RootSigner;
const T0 = Date.parse('2026-12-01T10:00:00.000Z');

beforeAll(async () => {
  key = await generateIssuerKey();
  sign = await createRootSigner([key]);
});

/** A signed record: revision n, root "100 + n" unless given, published n minutes after T0. */
function rec(revision: number, over: Partial<RootRecord> = {}): RootRecord {
  const r = { revision, root: String(100 + revision), publishedAt: new Date(T0 + revision * 60_000), ...over };
  return { ...r, signatures: sign(r) };
}

/** Newest first, revisions hi .. lo. */
function history(hi: number, lo = 0): RootRecord[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => rec(hi - i));
}

interface Logged {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}

/** A follower over fake sources: each URL answers what `answers[url]` says now (a body, or an Error). */
function follower(answers: Record<string, unknown>, keep = 64) {
  const logged: Logged[] = [];
  const asked: string[] = [];
  const log = (level: string) => (obj: Record<string, unknown>, msg: string) => logged.push({ level, obj, msg });
  const f = new RegistryFollower({
    urls: Object.keys(answers),
    issuerPublicKey: key.publicKey,
    keep,
    logger: { info: log('info'), warn: log('warn'), error: log('error') } as never,
    fetch: (async (input: string | URL) => {
      const url = new URL(String(input));
      asked.push(`${url.origin}${url.pathname}${url.search}`);
      const body = answers[url.origin];
      if (body instanceof Error) throw body;
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch,
  });
  return { f, logged, asked, answers };
}

const json = (records: RootRecord[]) => ({ roots: records.map(rootRecordToJson), accepted: [] });
const WINDOW = { count: 24, maxAgeSeconds: 3600 };

function only(outcomes: SourceOutcome[]): SourceOutcome {
  expect(outcomes).toHaveLength(1);
  return outcomes[0] as SourceOutcome;
}

describe('RegistryFollower', () => {
  it('takes signed records and computes the accepted window from their signed times', async () => {
    const { f, asked } = follower({ 'https://registry.example': json(history(3)) });
    expect(only(await f.poll())).toMatchObject({ ok: true, revision: 3, taken: 4 });
    expect(asked[0]).toBe('https://registry.example/v1/registry/roots?limit=64');
    expect(f.acceptedRoots(new Date(T0 + 3 * 60_000 + 1000), WINDOW)).toEqual(['103', '102', '101', '100']);
    // at 6 min only roots superseded less than 200 s ago remain: revision 2 (superseded at 3 min), not 1 (at 2 min)
    expect(f.acceptedRoots(new Date(T0 + 6 * 60_000), { count: 24, maxAgeSeconds: 200 })).toEqual(['103', '102']);
  });

  it('polls by revision: the next poll asks from the revision it holds, and takes only what is new', async () => {
    const s = follower({ 'https://registry.example': json(history(3)) });
    await s.f.poll();
    s.answers['https://registry.example'] = json(history(5, 3));
    expect(only(await s.f.poll())).toMatchObject({ ok: true, revision: 5, taken: 2 });
    expect(s.asked[1]).toBe('https://registry.example/v1/registry/roots?limit=64&since=3');
    expect(s.f.history.map((r) => r.revision)).toEqual([5, 4, 3, 2, 1, 0]);
  });

  it('refuses a forged signature (ROOT_SIGNATURE_INVALID), logs it, and keeps its last good roots', async () => {
    const s = follower({ 'https://registry.example': json(history(2)) });
    await s.f.poll();
    const forged = rec(3);
    const sig = forged.signatures?.[0] as NonNullable<RootRecord['signatures']>[number];
    forged.signatures = [{ ...sig, S: (BigInt(sig.S) ^ 1n).toString() }];
    s.answers['https://registry.example'] = json([forged, ...history(2)]);
    expect(only(await s.f.poll())).toMatchObject({ ok: false, code: 'ROOT_SIGNATURE_INVALID' });
    expect(s.f.revision).toBe(2);
    expect(s.f.acceptedRoots(new Date(T0 + 3 * 60_000), WINDOW)[0]).toBe('102');
    expect(s.logged).toContainEqual(
      expect.objectContaining({
        level: 'error',
        obj: expect.objectContaining({ code: 'ROOT_SIGNATURE_INVALID', registry: 'https://registry.example' }),
      }),
    );
  });

  it('refuses a signature moved to another revision or another time (ROOT_SIGNATURE_INVALID)', async () => {
    for (const moved of [
      { ...rec(2), revision: 3 }, // revision 2's signature presented as revision 3
      { ...rec(3), publishedAt: new Date(T0 + 3 * 60_000 + 3_600_000) }, // published an hour later than signed
    ]) {
      const s = follower({ 'https://registry.example': json(history(2)) });
      await s.f.poll();
      s.answers['https://registry.example'] = json([moved, ...history(2)]);
      expect(only(await s.f.poll())).toMatchObject({ ok: false, code: 'ROOT_SIGNATURE_INVALID' });
      expect(s.f.revision).toBe(2);
    }
  });

  it('refuses an unsigned root, or one signed by another key only (ROOT_UNSIGNED)', async () => {
    const otherSign = await createRootSigner([await generateIssuerKey()]);
    const unsigned: RootRecord = { revision: 0, root: '100', publishedAt: new Date(T0) };
    const other = { ...unsigned, signatures: otherSign(unsigned) };
    for (const r of [unsigned, other]) {
      const s = follower({ 'https://registry.example': json([r]) });
      expect(only(await s.f.poll())).toMatchObject({ ok: false, code: 'ROOT_UNSIGNED' });
      expect(s.f.acceptedRoots(new Date(T0), WINDOW)).toEqual([]);
      expect(s.logged.some((l) => l.level === 'error' && l.obj.code === 'ROOT_UNSIGNED')).toBe(true);
    }
  });

  it('refuses a rolled-back revision (REVISION_ROLLBACK) and keeps the newer roots it verified', async () => {
    const s = follower({ 'https://registry.example': json(history(5)) });
    await s.f.poll();
    // correctly signed, but older than what it already verified
    s.answers['https://registry.example'] = json(history(3));
    expect(only(await s.f.poll())).toMatchObject({ ok: false, code: 'REVISION_ROLLBACK', revision: 3 });
    // and a source that answers nothing from the revision it held before
    s.answers['https://registry.example'] = json([]);
    expect(only(await s.f.poll())).toMatchObject({ ok: false, code: 'REVISION_ROLLBACK' });
    expect(s.f.revision).toBe(5);
    expect(s.f.acceptedRoots(new Date(T0 + 5 * 60_000), WINDOW)[0]).toBe('105');
  });

  it('refuses a second signed root for a revision it holds (ROOT_CONFLICT)', async () => {
    const s = follower({ 'https://registry.example': json(history(2)) });
    await s.f.poll();
    s.answers['https://registry.example'] = json([rec(3), rec(2, { root: '999' }), ...history(1)]);
    expect(only(await s.f.poll())).toMatchObject({ ok: false, code: 'ROOT_CONFLICT' });
    expect(s.f.revision).toBe(2);
  });

  it('refuses records that are not consecutive, or not the expected JSON (BAD_RESPONSE)', async () => {
    const s = follower({ 'https://registry.example': json([rec(3), rec(1)]) });
    expect(only(await s.f.poll())).toMatchObject({ ok: false, code: 'BAD_RESPONSE' });
    s.answers['https://registry.example'] = { roots: [{ revision: 1, root: 'x' }] };
    expect(only(await s.f.poll())).toMatchObject({ ok: false, code: 'BAD_RESPONSE' });
    s.answers['https://registry.example'] = '<html>';
    expect(only(await s.f.poll())).toMatchObject({ ok: false, code: 'BAD_RESPONSE' });
    expect(s.f.revision).toBeUndefined();
  });

  it('takes correctly signed data from a mirror when the registry is away, and the newest signed revision of all', async () => {
    const s = follower({
      'https://registry.example': new Error('connect ECONNREFUSED'),
      'https://mirror-a.example': json(history(2)),
      'https://mirror-b.example': json(history(4)),
    });
    const outcomes = await s.f.poll();
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.code))).toEqual(['UNREACHABLE', 'ok', 'ok']);
    expect(s.f.revision).toBe(4);
    // a mirror that lags behind is reported (warning: it may only be slow), and changes nothing
    s.answers['https://registry.example'] = json(history(4, 4));
    s.answers['https://mirror-b.example'] = json(history(4, 4));
    const next = await s.f.poll();
    expect(next.map((o) => (o.ok ? 'ok' : o.code))).toEqual(['ok', 'REVISION_ROLLBACK', 'ok']);
    expect(s.logged.some((l) => l.level === 'warn' && l.obj.registry === 'https://mirror-a.example')).toBe(true);
    expect(s.f.revision).toBe(4);
  });
});

describe('config followRegistry', () => {
  it('is for a verifier without the issuer and registry roles, and adds the issuer key to the trusted ones', () => {
    const follow = { url: 'https://registry.example/', issuerPublicKey: key.publicKey };
    expect(() => testConfig({ followRegistry: follow })).toThrow(ConfigError);
    expect(() => testConfig({ followRegistry: follow })).toThrow(/only a verifier without the issuer and registry roles/);
    expect(() => testConfig({ roles: { issuer: false, registry: false } })).toThrow(/follow a remote registry/);
    expect(() =>
      testConfig({ roles: { issuer: false, registry: false }, followRegistry: { ...follow, issuerPublicKey: ['0', '1'] } }),
    ).toThrow(/not a usable issuer key/);
    const c = testConfig({ roles: { issuer: false, registry: false }, followRegistry: { ...follow, mirrors: ['https://mirror.example'] } });
    expect(c.followRegistry).toEqual({
      urls: ['https://registry.example', 'https://mirror.example'],
      issuerPublicKey: key.publicKey,
      pollMs: 5000,
    });
    expect(c.trustedIssuers).toContainEqual(key.publicKey);
  });
});

describe('a verifier-only app following an issuer/registry app over HTTP', () => {
  let issuer: TestApp;
  let verifier: TestApp;
  const servers: Server[] = [];
  const POLL_MS = 100;

  const listen = (app: express.Express) =>
    new Promise<string>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`));
      servers.push(s);
    });

  beforeAll(async () => {
    issuer = await startApp();
    const issuerUrl = await listen(issuer.app);
    const publicKey = (await request(issuer.app).get('/v1/issuer/keys').set(AUTH)).body.keys[0].publicKey as [string, string];
    // A mirror: another origin that replays the registry's answers, byte for byte.
    const mirror = express();
    mirror.get('/v1/registry/roots', async (req, res) => {
      const upstream = await fetch(`${issuerUrl}${req.originalUrl}`);
      res
        .status(upstream.status)
        .type('application/json')
        .send(await upstream.text());
    });
    const mirrorUrl = await listen(mirror);
    verifier = await startApp({
      config: testConfig({
        roles: { issuer: false, registry: false },
        followRegistry: { url: issuerUrl, mirrors: [mirrorUrl], issuerPublicKey: publicKey, pollMs: POLL_MS },
      }),
    });
  });

  afterAll(async () => {
    for (const s of servers) s.close();
    for (const t of [verifier, issuer]) {
      if (!t) continue;
      await t.app.close();
      removeDir(t.dir);
    }
  });

  const acceptedAtVerifier = async () =>
    (await request(verifier.app).post('/v1/requests').set(RP_AUTH).send({ policy: 'over18' })).body.request.roots as string[];

  it('accepts the roots the issuer publishes, and a revocation on the issuer reaches it within the poll interval', async () => {
    const before = (await request(issuer.app).get('/v1/registry/root')).body;
    expect(await acceptedAtVerifier()).toEqual(before.accepted);

    const revoked = await request(issuer.app).post('/v1/issuer/revocations').set(AUTH).send({ serial: '4242' });
    expect(revoked.status).toBe(200);
    const started = Date.now();
    let roots = await acceptedAtVerifier();
    while (roots[0] !== revoked.body.root && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 20));
      roots = await acceptedAtVerifier();
    }
    const ms = Date.now() - started;
    expect(roots[0]).toBe(revoked.body.root);
    expect(roots).toEqual((await request(issuer.app).get('/v1/registry/root')).body.accepted);
    // one poll interval, plus the fetch and one signature check, with room for a loaded machine
    expect(ms).toBeLessThan(POLL_MS + 1500);
    console.log(`revocation reached the verifier in ${ms} ms (poll interval ${POLL_MS} ms)`);
  });
});
