/**
 * A real revocation anonymity set (issue 7, item 4, service side): serials fill a few buckets
 * evenly instead of scattering over 16,384 of them; buckets, the root and the snapshot report how
 * many live credentials (issued, not revoked) they cover; the snapshot carries only non-empty
 * leaves and is served gzip or brotli by Accept-Encoding with one stable ETag; the counts survive
 * a restart.
 */
import { once } from 'node:events';
import { get, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { RevocationTree } from '../../src/revocation/tree.ts';
import { SERIALS_PER_BUCKET } from '../../src/server/revocation-registry.ts';
import { AUTH, enrol, type Holder, removeDir, startApp, type TestApp, tempDir, testConfig } from './helpers.ts';

const started: TestApp[] = [];
afterAll(async () => {
  for (const x of started) {
    await x.app.close();
    removeDir(x.dir);
  }
});

const bucketOf = (h: Holder) => Math.floor(Number(h.credential.serial) / SERIALS_PER_BUCKET);

function histogram(holders: Holder[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const h of holders) m.set(bucketOf(h), (m.get(bucketOf(h)) ?? 0) + 1);
  return m;
}

/** GET over a real socket, returning the bytes as sent (supertest would decode gzip itself). */
async function raw(
  app: TestApp['app'],
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      get({ host: '127.0.0.1', port, path, headers }, resolve).on('error', reject),
    );
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c);
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
  } finally {
    server.close();
  }
}

describe('serial allocation', () => {
  it('fills the few active buckets evenly (default: 4 buckets), where uniform serials would use one bucket each', async () => {
    const x = await startApp();
    started.push(x);
    const holders: Holder[] = [];
    for (let i = 0; i < 12; i++) holders.push(await enrol(x.app));
    const counts = [...histogram(holders).values()];
    expect(counts).toHaveLength(4);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    for (const h of holders) expect(BigInt(h.credential.serial) < 4_227_858_432n).toBe(true);
  });

  it('opens new buckets only when the active ones reach the target fill', async () => {
    const x = await startApp({ config: testConfig({ serialAllocation: { activeBuckets: 2, bucketTarget: 5 } }) });
    started.push(x);
    const holders: Holder[] = [];
    for (let i = 0; i < 12; i++) holders.push(await enrol(x.app));
    // After each issuance: no bucket over the target, at most 2 (the active set) below it.
    for (let n = 1; n <= holders.length; n++) {
      const counts = [...histogram(holders.slice(0, n)).values()];
      expect(Math.max(...counts)).toBeLessThanOrEqual(5);
      expect(counts.filter((c) => c < 5).length).toBeLessThanOrEqual(2);
    }
    const all = histogram(holders);
    expect(all.size).toBeLessThanOrEqual(Math.ceil(12 / 5) + 2 - 1);
    for (const [b, n] of all) expect((await request(x.app).get(`/v1/registry/buckets/${b}`)).body.issuedCount).toBe(n);
  });
});

describe('issued counts', () => {
  it('reports live credentials per bucket and in total, tracks revocations, and keeps them across a restart', async () => {
    const dir = tempDir();
    let x = await startApp({ dir });
    const holders: Holder[] = [];
    for (let i = 0; i < 6; i++) holders.push(await enrol(x.app));
    const root = async () => (await request(x.app).get('/v1/registry/root')).body;
    const bucketCount = async (b: number) => (await request(x.app).get(`/v1/registry/buckets/${b}`)).body.issuedCount;
    expect((await root()).issued).toBe(6);
    const victim = holders[0] as Holder;
    const b = bucketOf(victim);
    const inBucket = histogram(holders).get(b) as number;
    expect(await bucketCount(b)).toBe(inBucket);

    await request(x.app).post('/v1/issuer/revocations').set(AUTH).send({ serial: victim.credential.serial });
    expect((await root()).issued).toBe(5);
    expect(await bucketCount(b)).toBe(inBucket - 1);
    // Revoking a serial that was never issued changes no count.
    const unused = String(b * SERIALS_PER_BUCKET + (((Number(victim.credential.serial) % SERIALS_PER_BUCKET) + 1) % SERIALS_PER_BUCKET));
    if (!holders.some((h) => h.credential.serial === unused)) {
      await request(x.app).post('/v1/issuer/revocations').set(AUTH).send({ serial: unused });
      expect((await root()).issued).toBe(5);
    }
    const empty = (b + 1) % 16384;
    if (!histogram(holders).has(empty)) expect(await bucketCount(empty)).toBe(0);

    await x.app.close();
    x = await startApp({ dir });
    started.push(x);
    expect((await root()).issued).toBe(5);
    expect(await bucketCount(b)).toBe(inBucket - 1);
    await request(x.app).delete(`/v1/issuer/revocations/${victim.credential.serial}`).set(AUTH);
    expect((await root()).issued).toBe(6);
    expect(await bucketCount(b)).toBe(inBucket);
  });
});

describe('the snapshot', () => {
  it('carries only non-empty leaves and issuedCount, gzip or brotli by Accept-Encoding, with one stable ETag', async () => {
    const x = await startApp();
    started.push(x);
    for (let i = 0; i < 3; i++) await enrol(x.app);
    for (const serial of ['5', '6', '300000']) await request(x.app).post('/v1/issuer/revocations').set(AUTH).send({ serial });
    await request(x.app).delete('/v1/issuer/revocations/6').set(AUTH);
    await request(x.app).delete('/v1/issuer/revocations/300000').set(AUTH); // leaf 1190 empties again

    const plain = await raw(x.app, '/v1/registry/snapshot', { 'Accept-Encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/);
    expect(plain.headers['access-control-allow-origin']).toBe('*');
    const json = JSON.parse(plain.body.toString('utf8'));
    expect(json.issuedCount).toBe(3);
    expect(json.leaves).toEqual([[0, String(1n << 5n)]]); // only the non-empty leaf
    expect(RevocationTree.fromSnapshot(json).root.toString()).toBe(json.root);

    const gz = await raw(x.app, '/v1/registry/snapshot', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    const br = await raw(x.app, '/v1/registry/snapshot', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const unknown = await raw(x.app, '/v1/registry/snapshot', { 'Accept-Encoding': 'compress' });
    expect(unknown.headers['content-encoding']).toBeUndefined();

    expect(plain.headers.etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(gz.headers.etag).toBe(plain.headers.etag);
    expect(br.headers.etag).toBe(plain.headers.etag);
    const cached = await request(x.app)
      .get('/v1/registry/snapshot')
      .set({ 'Accept-Encoding': 'br', 'If-None-Match': plain.headers.etag as string });
    expect(cached.status).toBe(304);

    const rootInfo = (await request(x.app).get('/v1/registry/root')).body;
    expect(rootInfo).toMatchObject({ issued: 3, snapshotBytes: gz.body.length });
    // A new credential changes the snapshot (its count), and so its ETag.
    await enrol(x.app);
    const after = await raw(x.app, '/v1/registry/snapshot', { 'Accept-Encoding': 'identity' });
    expect(after.headers.etag).not.toBe(plain.headers.etag);
    expect(JSON.parse(after.body.toString('utf8')).issuedCount).toBe(4);
  });
});
