/**
 * The wallet's own origin (wallet-app.ts) and its revocation data (revocation.ts), in Node: what
 * the wallet app serves and with which CSP, how the wallet chooses between the full snapshot
 * and a bucket and reports the anonymity set, and that it keeps only data whose root the
 * credential's issuer signed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateIssuerKey } from '../../src/credential/issuer.ts';
import { toDecimal } from '../../src/field.ts';
import { bucketIndexOf } from '../../src/index.browser.ts';
import { type RootRecord, rootRecordToJson } from '../../src/revocation/root.ts';
import { createRootSigner, type RootSigner } from '../../src/revocation/root-signer.ts';
import { RevocationTree } from '../../src/revocation/tree.ts';
import { createWalletApp } from '../../src/server/wallet-app.ts';
import {
  fetchRevocation,
  nextRefreshDelay,
  REFRESH_INTERVAL_MS,
  REFRESH_JITTER_MS,
  SNAPSHOT_MAX_BYTES,
} from '../../src/wallet/revocation.ts';
import { removeDir, tempDir } from '../server/helpers.ts';

describe('createWalletApp', () => {
  const dir = tempDir('zkid-wallet-app-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>wallet</title>');
  writeFileSync(join(dir, 'assets', 'wallet.js'), 'export {};');
  const app = createWalletApp({ serviceBaseUrl: 'http://localhost:8080/', connectOrigins: ['https://shop.example/x'], publicDir: dir });
  afterAll(() => removeDir(dir));

  it('serves the wallet page with a CSP that lets it reach only itself and the configured services', async () => {
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<title>wallet</title>');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("connect-src 'self' http://localhost:8080 https://shop.example;");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(csp).toContain("worker-src 'self' blob:;");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect((await request(app).get('/assets/wallet.js')).status).toBe(200);
  });

  it('tells the page where its service is, and serves nothing of the service', async () => {
    expect((await request(app).get('/config.json')).body).toEqual({ serviceBaseUrl: 'http://localhost:8080' });
    for (const path of ['/v1/info', '/service.html', '/v1/requests', '/openapi.json']) {
      expect((await request(app).get(path)).status, path).toBe(404);
    }
  });

  it('refuses a service URL that is not http(s), naming the parameter', () => {
    expect(() => createWalletApp({ serviceBaseUrl: 'javascript:alert(1)' })).toThrow("Parameter 'serviceBaseUrl' must be an http(s) URL");
    expect(() => createWalletApp({ serviceBaseUrl: 'nope' })).toThrow("Parameter 'serviceBaseUrl' is not a URL");
  });
});

describe('fetchRevocation', () => {
  const tree = new RevocationTree();
  tree.revoke(5n);
  const serial = 300_000n;
  const fetched: string[] = [];
  let issuer: [string, string];
  let sign: RootSigner;
  let record: RootRecord;
  beforeAll(async () => {
    const key = await generateIssuerKey();
    issuer = key.publicKey;
    sign = await createRootSigner([key]);
    const r = { revision: tree.revision, root: toDecimal(tree.root), publishedAt: new Date('2026-12-01T08:00:00.000Z') };
    record = { ...r, signatures: sign(r) };
  });
  const credential = (s: bigint, publicKey: [string, string] = issuer) => ({ serial: s.toString(), issuer: { publicKey } });
  /** a registry (or mirror) serving `t` with the root record `rec` (default: the signed record of `tree`) */
  const serve = (root: Record<string, unknown>, o: { t?: RevocationTree; rec?: unknown } = {}) => {
    const t = o.t ?? tree;
    const rootRecord = 'rec' in o ? o.rec : rootRecordToJson(record);
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        const path = new URL(url).pathname;
        fetched.push(path);
        const body =
          path === '/v1/registry/root'
            ? { root: t.root.toString(), revision: t.revision, publishedAt: new Date().toISOString(), bucketBits: 10, ...root }
            : path === '/v1/registry/snapshot'
              ? { ...t.exportSnapshot(), issuedCount: 3, rootRecord }
              : { ...t.exportBucket(Number(path.split('/').pop())), issuedCount: 2, rootRecord };
        return new Response(JSON.stringify(body), { status: 200 });
      }),
    );
  };
  afterEach(() => {
    vi.unstubAllGlobals();
    fetched.length = 0;
  });

  it('takes the full snapshot when it is small, and reports the issued credentials in it', async () => {
    serve({ snapshotBytes: 1000, issued: 3 });
    const r = await fetchRevocation('http://localhost:8080/', credential(serial));
    expect(fetched).toEqual(['/v1/registry/root', '/v1/registry/snapshot']);
    expect(r).toMatchObject({
      kind: 'snapshot',
      root: tree.root.toString(),
      revision: 1,
      publishedAt: '2026-12-01T08:00:00.000Z',
      issuedCount: 3,
      revoked: false,
      registry: 'http://localhost:8080',
    });
  });

  it('takes the bucket (index computed here) when the snapshot is large or its size unknown', async () => {
    serve({ snapshotBytes: SNAPSHOT_MAX_BYTES });
    const r = await fetchRevocation('http://localhost:8080', credential(serial));
    expect(fetched).toEqual(['/v1/registry/root', `/v1/registry/buckets/${bucketIndexOf(serial)}`]);
    expect(r).toMatchObject({ kind: 'bucket', issuedCount: 2, revoked: false });
    serve({});
    expect((await fetchRevocation('http://localhost:8080', credential(5n))).revoked).toBe(true);
  });

  it('takes correctly signed data from any mirror: the signature is trusted, not the transport', async () => {
    serve({ snapshotBytes: 1000 });
    const r = await fetchRevocation('https://mirror.example', credential(serial));
    expect(r).toMatchObject({ root: tree.root.toString(), registry: 'https://mirror.example' });
  });

  it("refuses data whose root its credential's issuer did not sign (ROOT_NOT_SIGNED), bucket or snapshot", async () => {
    const refused = (c = credential(serial)) =>
      expect(fetchRevocation('https://mirror.example', c)).rejects.toMatchObject({ name: 'ZkidError', code: 'ROOT_NOT_SIGNED' });
    for (const snapshotBytes of [1000, SNAPSHOT_MAX_BYTES]) {
      // no record at all; an unsigned record
      serve({ snapshotBytes }, { rec: undefined });
      await refused();
      serve({ snapshotBytes }, { rec: { ...rootRecordToJson(record), signatures: [] } });
      await refused();
      // a consistent tree of the mirror's own making (serial 5 reinstated) beside the issuer's genuine record
      const forged = RevocationTree.fromSnapshot(tree.exportSnapshot());
      forged.unrevoke(5n);
      serve({ snapshotBytes }, { t: forged });
      await expect(fetchRevocation('https://mirror.example', credential(5n))).rejects.toMatchObject({ code: 'ROOT_NOT_SIGNED' });
      // the genuine record and data, but the credential comes from another issuer
      serve({ snapshotBytes });
      await refused(credential(serial, (await generateIssuerKey()).publicKey));
      // a signature moved to another time
      serve({ snapshotBytes }, { rec: { ...rootRecordToJson(record), publishedAt: '2026-12-01T09:00:00.000Z' } });
      await refused();
    }
  });

  it('refreshes every 30 minutes, give or take 5 (jitter)', () => {
    expect(nextRefreshDelay(() => 0)).toBe(REFRESH_INTERVAL_MS - REFRESH_JITTER_MS);
    expect(nextRefreshDelay(() => 0.5)).toBe(REFRESH_INTERVAL_MS);
    expect(nextRefreshDelay(() => 1)).toBe(REFRESH_INTERVAL_MS + REFRESH_JITTER_MS);
  });
});
