/**
 * Issuer API (bearer token; a refused call changes nothing), demo enrolment, and the public
 * registry: roots and their window, buckets, snapshot, artifacts with immutable caching.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holderCommitment } from '../../src/credential/holder.ts';
import { verifyCredentialSignature } from '../../src/credential/issuer.ts';
import { MAX_SERIAL } from '../../src/credential/schema.ts';
import { FIELD_MODULUS, toDecimal } from '../../src/field.ts';
import { RevocationTree, witnessFromBucket } from '../../src/revocation/tree.ts';
import { demoAttributes } from '../../src/server/issuer-service.ts';
import { auditHash } from '../../src/store/sqlite.ts';
import { AUDIT_GENESIS, type AuditEntry } from '../../src/store/store.ts';
import { ADULT, AUTH, build, enrol, expectError, RP_AUTH, removeDir, startApp, type TestApp, testConfig } from './helpers.ts';

let t: TestApp;
const COMMITMENT = toDecimal(holderCommitment(1234567n));

beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.app.close();
  removeDir(t.dir);
});

async function audit(): Promise<AuditEntry[]> {
  const res = await request(t.app).get('/v1/issuer/audit?limit=1000').set(AUTH);
  expect(res.status).toBe(200);
  return res.body.entries as AuditEntry[];
}

async function stateSnapshot() {
  return {
    audit: await t.store.listAudit({ limit: 10_000 }),
    roots: await t.store.listRoots({ limit: 10_000 }),
    leaves: await t.store.loadRevocationLeaves(),
    root: (await request(t.app).get('/v1/registry/root')).body.root,
  };
}

describe('issuer authentication', () => {
  const calls = () => [
    request(t.app).post('/v1/issuer/credentials').send({ attributes: ADULT, holderCommitment: COMMITMENT }),
    request(t.app).post('/v1/issuer/revocations').send({ serial: '12345' }),
    request(t.app).delete('/v1/issuer/revocations/12345'),
    request(t.app).get('/v1/issuer/keys'),
    request(t.app).get('/v1/issuer/audit'),
  ];

  it('refuses every issuer call without a token, with a wrong token, or a malformed header, and changes nothing', async () => {
    await request(t.app).post('/v1/issuer/revocations').set(AUTH).send({ serial: '999' }); // something to not undo
    const before = await stateSnapshot();
    const headers: (Record<string, string> | undefined)[] = [
      undefined,
      { Authorization: 'Bearer wrong-token-0123456789abcdef' },
      { Authorization: `Bearer ${AUTH.Authorization.slice(7)}x` },
      { Authorization: `Bearer ${AUTH.Authorization.slice(7, -1)}` },
      { Authorization: `Basic ${Buffer.from(`admin:${AUTH.Authorization.slice(7)}`).toString('base64')}` },
      { Authorization: AUTH.Authorization.slice(7) },
      { Authorization: `bearer  ${AUTH.Authorization.slice(7)}` },
    ];
    for (const h of headers) {
      for (const call of calls()) {
        const res = await (h ? call.set(h) : call);
        expectError(res, 401, 'UNAUTHORIZED');
        expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="zkid-issuer"/);
      }
    }
    expect(await stateSnapshot()).toEqual(before);
  });

  it('checks the token before reading the body', async () => {
    const res = await request(t.app).post('/v1/issuer/credentials').set('Content-Type', 'application/json').send('{not json');
    expectError(res, 401, 'UNAUTHORIZED');
  });
});

describe('issuing credentials', () => {
  it('signs a credential for the holder commitment with a random serial, and audits it without the attributes', async () => {
    const res = await request(t.app).post('/v1/issuer/credentials').set(AUTH).send({ attributes: ADULT, holderCommitment: COMMITMENT });
    expect(res.status).toBe(201);
    const { credential, serial, keyId, bucket } = res.body;
    expect(credential).toMatchObject({ schema: 'zkid/credential/v1', attributes: ADULT, serial, holderCommitment: COMMITMENT });
    expect(credential.issuer.publicKey).toEqual(t.app.context.trustedIssuers[0]);
    expect(await verifyCredentialSignature(credential)).toBe(true);
    expect(BigInt(serial) < MAX_SERIAL).toBe(true);
    expect(bucket).toBe(Math.floor(Number(serial) / 252 / 1024));
    const last = (await audit()).at(-1);
    expect(last).toMatchObject({ actor: 'admin', action: 'credential.issued', subject: serial, details: { keyId } });
    expect(JSON.stringify(last)).not.toContain(ADULT.idNumber);
    // Serials are drawn at random, not in sequence.
    const again = await enrol(t.app);
    expect(again.credential.serial).not.toBe(serial);
  });

  it('refuses invalid attributes and commitments before signing, with the library codes', async () => {
    const before = await t.store.listAudit({ limit: 10_000 });
    const post = (body: unknown) =>
      request(t.app)
        .post('/v1/issuer/credentials')
        .set(AUTH)
        .send(body as object);
    expectError(await post({ attributes: { ...ADULT, birthDate: 19900230 }, holderCommitment: COMMITMENT }), 400, 'INVALID_DATE');
    expectError(await post({ attributes: { ...ADULT, validUntil: 19800101 }, holderCommitment: COMMITMENT }), 400, 'INVALID_DATE');
    expectError(await post({ attributes: { ...ADULT, idNumber: 'bad id!' }, holderCommitment: COMMITMENT }), 400, 'INVALID_ID_NUMBER');
    expectError(await post({ attributes: { ...ADULT, nationality: 0 }, holderCommitment: COMMITMENT }), 400, 'INVALID_ATTRIBUTE');
    expectError(await post({ attributes: { ...ADULT, region: '110105' }, holderCommitment: COMMITMENT }), 400, 'INVALID_BODY');
    expectError(await post({ attributes: { ...ADULT, extra: 1 }, holderCommitment: COMMITMENT }), 400, 'INVALID_BODY');
    expectError(await post({ attributes: ADULT }), 400, 'INVALID_BODY');
    for (const c of [FIELD_MODULUS.toString(), '-1', '0x10', ' 1', '1 ', '', 7]) {
      expectError(await post({ attributes: ADULT, holderCommitment: c }), 400, 'INVALID_FIELD_ELEMENT');
    }
    expectError(await post({ attributes: ADULT, holderCommitment: COMMITMENT, keyId: '0000000000000000' }), 404, 'UNKNOWN_KEY');
    expect(await t.store.listAudit({ limit: 10_000 })).toEqual(before);
  });

  it('lists the public keys only', async () => {
    const res = await request(t.app).get('/v1/issuer/keys').set(AUTH);
    expect(res.status).toBe(200);
    expect(res.body.keys).toHaveLength(1);
    expect(res.body.keys[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      publicKey: t.app.context.trustedIssuers[0],
      createdAt: expect.any(String),
      active: true,
    });
    expect(res.text).not.toMatch(/privateKey/);
  });
});

describe('revocation', () => {
  it('revokes and reinstates a serial, publishing roots that match an independent tree', async () => {
    const serial = 252n * 1024n * 3n + 77n;
    const mirror = RevocationTree.fromSnapshot((await request(t.app).get('/v1/registry/snapshot')).body);
    const before = (await request(t.app).get('/v1/registry/root')).body;

    const res = await request(t.app).post('/v1/issuer/revocations').set(AUTH).send({ serial: serial.toString(), reason: 'lost card' });
    expect(res.status).toBe(200);
    mirror.revoke(serial);
    expect(res.body).toEqual({
      serial: serial.toString(),
      revoked: true,
      changed: true,
      root: toDecimal(mirror.root),
      revision: before.revision + 1,
    });
    // Idempotent: nothing new is written.
    const again = await request(t.app)
      .post('/v1/issuer/revocations')
      .set(AUTH)
      .send({ serial: Number(serial) });
    expect(again.body).toMatchObject({ changed: false, revision: before.revision + 1 });

    const root = (await request(t.app).get('/v1/registry/root')).body;
    expect(root).toMatchObject({
      root: toDecimal(mirror.root),
      revision: before.revision + 1,
      bucketBits: 10,
      shape: { arityBits: 3, levels: 8 },
    });
    expect(root.accepted).toEqual(
      [toDecimal(mirror.root), before.root, ...before.accepted.filter((r: string) => r !== before.root)].slice(0, 24),
    );

    // The bucket lets a holder rebuild its own path privately; the snapshot is the whole tree.
    const bucket = (await request(t.app).get('/v1/registry/buckets/3')).body;
    const w = witnessFromBucket(bucket, serial);
    expect(w.root).toBe(mirror.root);
    expect((w.leaf >> 77n) & 1n).toBe(1n);
    const snapshot = (await request(t.app).get('/v1/registry/snapshot')).body;
    expect(RevocationTree.fromSnapshot(snapshot).root).toBe(mirror.root);

    const un = await request(t.app).delete(`/v1/issuer/revocations/${serial}`).set(AUTH);
    mirror.unrevoke(serial);
    expect(un.body).toEqual({
      serial: serial.toString(),
      revoked: false,
      changed: true,
      root: toDecimal(mirror.root),
      revision: before.revision + 2,
    });

    const history = (await request(t.app).get('/v1/registry/roots?limit=3')).body.roots;
    expect(history.map((r: { revision: number }) => r.revision)).toEqual([before.revision + 2, before.revision + 1, before.revision]);
    const entries = (await audit()).slice(-2);
    expect(entries.map((e) => [e.action, e.subject])).toEqual([
      ['serial.revoked', serial.toString()],
      ['serial.unrevoked', serial.toString()],
    ]);
    expect(entries[0]?.details).toMatchObject({ reason: 'lost card', revision: before.revision + 1 });
  });

  it('refuses bad serials', async () => {
    const post = (serial: unknown) => request(t.app).post('/v1/issuer/revocations').set(AUTH).send({ serial });
    expectError(await post(MAX_SERIAL.toString()), 400, 'SERIAL_OUT_OF_RANGE');
    expectError(await post('-1'), 400, 'INVALID_FIELD_ELEMENT');
    expectError(await post('0x10'), 400, 'INVALID_FIELD_ELEMENT');
    expectError(await post(' 5'), 400, 'INVALID_FIELD_ELEMENT');
    expectError(await post(1.5), 400, 'INVALID_BODY');
    expectError(await post(null), 400, 'INVALID_BODY');
    expectError(await request(t.app).delete('/v1/issuer/revocations/0x10').set(AUTH), 400, 'INVALID_PARAMETER');
    expectError(await request(t.app).delete('/v1/issuer/revocations/-1').set(AUTH), 400, 'INVALID_PARAMETER');
    expectError(await request(t.app).delete(`/v1/issuer/revocations/${MAX_SERIAL}`).set(AUTH), 400, 'SERIAL_OUT_OF_RANGE');
  });

  it('keeps memory and store consistent when a write fails (no half-written state)', async () => {
    const before = (await request(t.app).get('/v1/registry/root')).body;
    const leaves = await t.store.loadRevocationLeaves();
    t.store.database.exec(`CREATE TEMP TRIGGER crash BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`);
    try {
      const res = await request(t.app).post('/v1/issuer/revocations').set(AUTH).send({ serial: '4242' });
      expectError(res, 500, 'INTERNAL_ERROR');
      expect(res.text).not.toContain('simulated crash');
      expectError(
        await request(t.app).post('/v1/issuer/credentials').set(AUTH).send({ attributes: ADULT, holderCommitment: COMMITMENT }),
        500,
        'INTERNAL_ERROR',
      );
    } finally {
      t.store.database.exec('DROP TRIGGER crash');
    }
    expect((await request(t.app).get('/v1/registry/root')).body).toEqual(before);
    expect(await t.store.loadRevocationLeaves()).toEqual(leaves);
    // And the next change goes through normally.
    const res = await request(t.app).post('/v1/issuer/revocations').set(AUTH).send({ serial: '4242' });
    expect(res.body).toMatchObject({ changed: true, revision: before.revision + 1 });
  });

  it('keeps an append-only, hash-chained audit log with paging', async () => {
    const entries = await audit();
    expect(entries[0]).toMatchObject({ id: 1, actor: 'system', action: 'issuer-key.created', prevHash: AUDIT_GENESIS });
    let prev = AUDIT_GENESIS;
    for (const e of entries) {
      expect(e.prevHash).toBe(prev);
      expect(e.hash).toBe(auditHash(prev, e));
      prev = e.hash;
    }
    const page = await request(t.app).get('/v1/issuer/audit?limit=2&after=1').set(AUTH);
    expect(page.body.entries.map((e: AuditEntry) => e.id)).toEqual([2, 3]);
    expect(page.body.next).toBe(3);
    expectError(await request(t.app).get('/v1/issuer/audit?limit=0').set(AUTH), 400, 'INVALID_PARAMETER');
    expectError(await request(t.app).get('/v1/issuer/audit?limit=abc').set(AUTH), 400, 'INVALID_PARAMETER');
    expectError(await request(t.app).get('/v1/issuer/audit?bogus=1').set(AUTH), 400, 'INVALID_PARAMETER');
  });
});

describe('root window', () => {
  it('accepts roots that were current within maxAgeSeconds, at most count of them', async () => {
    const w = await startApp({ config: testConfig({ roots: { count: 3, maxAgeSeconds: 600 } }) });
    try {
      const root = async () => (await request(w.app).get('/v1/registry/root')).body;
      const r0 = (await root()).root;
      const roots = [r0];
      for (const s of [1, 2, 3]) {
        w.clock.advance(60);
        roots.unshift((await request(w.app).post('/v1/issuer/revocations').set(AUTH).send({ serial: s })).body.root);
      }
      expect((await root()).accepted).toEqual(roots.slice(0, 3)); // count = 3
      w.clock.advance(541); // r1 was replaced (at +120 s) 601 s ago; r2 (replaced at +180 s) 541 s ago
      expect((await root()).accepted).toEqual(roots.slice(0, 2));
      w.clock.advance(3600);
      expect((await root()).accepted).toEqual(roots.slice(0, 1)); // the current root is always accepted
      const req = (await request(w.app).post('/v1/requests').set(RP_AUTH).send({ policy: 'over18' })).body.request;
      expect(req.roots).toEqual(roots.slice(0, 1));
    } finally {
      await w.app.close();
      removeDir(w.dir);
    }
  });

  it('serves bucket indices in range only', async () => {
    expectError(await request(t.app).get('/v1/registry/buckets/-1'), 400, 'INVALID_PARAMETER');
    expectError(await request(t.app).get('/v1/registry/buckets/16384'), 400, 'INVALID_PARAMETER');
    expectError(await request(t.app).get('/v1/registry/buckets/1e3'), 400, 'INVALID_PARAMETER');
    expectError(await request(t.app).get('/v1/registry/buckets/01'), 400, 'INVALID_PARAMETER');
    const last = await request(t.app).get('/v1/registry/buckets/16383');
    expect(last.status).toBe(200);
    expect(last.headers['access-control-allow-origin']).toBe('*');
    expect(last.headers['cache-control']).toBe('no-cache');
    const cached = await request(t.app)
      .get('/v1/registry/buckets/16383')
      .set('If-None-Match', last.headers.etag as string);
    expect(cached.status).toBe(304);
  });
});

describe('artifacts', () => {
  for (const kind of ['wasm', 'zkey', 'vkey'] as const) {
    it(`serves the ${kind} with its sha256 as a strong ETag and immutable caching`, async () => {
      const entry = build.manifest.artifacts[kind];
      const url = `/v1/artifacts/${build.instance}/${entry.file}`;
      const res = await request(t.app)
        .get(url)
        .set('Accept-Encoding', 'identity')
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe(`"${entry.sha256}"`);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type']).toContain(
        kind === 'wasm' ? 'application/wasm' : kind === 'vkey' ? 'application/json' : 'application/octet-stream',
      );
      const body = res.body as Buffer;
      expect(body.length).toBe(entry.bytes);
      expect(createHash('sha256').update(body).digest('hex')).toBe(entry.sha256);
      expect(body.equals(readFileSync(`${build.dir}/${entry.file}`))).toBe(true);
      expect((await request(t.app).get(url).set('If-None-Match', `"${entry.sha256}"`)).status).toBe(304);
      expect((await request(t.app).head(`${url}?sha256=${entry.sha256}`)).status).toBe(200);
    });
  }

  it('serves them precompressed by Accept-Encoding (brotli, gzip), ETag still the sha256 of the content', async () => {
    // superagent decodes br and gzip itself: the body is the content, Content-Length what was sent.
    const raw = (r: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    };
    for (const kind of ['wasm', 'zkey'] as const) {
      const entry = build.manifest.artifacts[kind];
      const url = `/v1/artifacts/${build.instance}/${entry.file}`;
      for (const [accept, encoding] of [
        ['gzip, deflate, br', 'br'],
        ['gzip;q=1, br;q=0', 'gzip'],
      ] as const) {
        // Compressed on the first request that accepts it (that request waits), kept for the next.
        const res: { headers: Record<string, string>; body: Buffer; status: number } = await request(t.app)
          .get(url)
          .set('Accept-Encoding', accept)
          .buffer(true)
          .parse(raw);
        expect(res?.status).toBe(200);
        expect(res?.headers['content-encoding'], `${kind} ${accept}`).toBe(encoding);
        expect(res?.headers.etag).toBe(`W/"${entry.sha256}"`);
        expect(res?.headers.vary).toContain('Accept-Encoding');
        expect(
          createHash('sha256')
            .update(res?.body as Buffer)
            .digest('hex'),
        ).toBe(entry.sha256);
        expect(Number(res?.headers['content-length'])).toBeLessThan(entry.bytes * 0.65);
        // A client holding either form revalidates with the sha256.
        const again = await request(t.app).get(url).set('Accept-Encoding', accept).set('If-None-Match', `W/"${entry.sha256}"`);
        expect(again.status).toBe(304);
      }
    }
  });

  it('404s unknown artifacts, circuits and hashes', async () => {
    expectError(await request(t.app).get(`/v1/artifacts/${build.instance}/circuit.r1cs`), 404, 'ARTIFACT_NOT_FOUND');
    expectError(await request(t.app).get(`/v1/artifacts/${build.instance}/manifest.json`), 404, 'ARTIFACT_NOT_FOUND');
    expectError(await request(t.app).get(`/v1/artifacts/${build.instance}/..%2F..%2Fpackage.json`), 404, 'ARTIFACT_NOT_FOUND');
    expectError(await request(t.app).get(`/v1/artifacts/other-circuit/circuit.wasm`), 404, 'ARTIFACT_NOT_FOUND');
    expectError(
      await request(t.app).get(`/v1/artifacts/${build.instance}/circuit.wasm?sha256=${'0'.repeat(64)}`),
      404,
      'ARTIFACT_NOT_FOUND',
    );
  });
});

describe('demo enrolment', () => {
  it('issues the demo credential to anyone, rate-limited', async () => {
    const limited = await startApp({ config: testConfig({ rateLimits: { enrol: 2 } }) });
    try {
      const res = await request(limited.app).post('/v1/demo/enrol').send({ holderCommitment: COMMITMENT });
      expect(res.status).toBe(201);
      expect(res.body.credential.attributes).toEqual(
        demoAttributes(Number(limited.clock.now().toISOString().slice(0, 10).replaceAll('-', '')), COMMITMENT),
      );
      expect(res.body.credential.attributes).toMatchObject({ nationality: 156, documentType: 1 });
      expect(await verifyCredentialSignature(res.body.credential)).toBe(true);
      expectError(await request(limited.app).post('/v1/demo/enrol').send({ holderCommitment: '0x1' }), 400, 'INVALID_FIELD_ELEMENT');
      expectError(await request(limited.app).post('/v1/demo/enrol').send({ holderCommitment: COMMITMENT }), 429, 'RATE_LIMITED');
      const entries = await limited.store.listAudit({ limit: 10 });
      expect(entries.at(-1)).toMatchObject({ actor: 'demo', action: 'credential.issued' });
    } finally {
      await limited.app.close();
      removeDir(limited.dir);
    }
  });

  it('does not exist when demo is off, and sessions need a relying party key', async () => {
    const prod = await startApp({ config: testConfig({ demo: false }) });
    try {
      expectError(await request(prod.app).post('/v1/demo/enrol').send({ holderCommitment: COMMITMENT }), 404, 'NOT_FOUND');
      expectError(await request(prod.app).get('/v1/sessions'), 401, 'UNAUTHORIZED');
      expectError(await request(prod.app).get('/v1/sessions').set(AUTH), 401, 'UNAUTHORIZED'); // the admin token is not an RP key
      expect((await request(prod.app).get('/v1/sessions').set(RP_AUTH)).body).toEqual({ sessions: [] });
    } finally {
      await prod.app.close();
      removeDir(prod.dir);
    }
  });
});
