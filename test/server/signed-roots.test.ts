/**
 * Signed roots on the issuer's side: every root the registry publishes is stored with the issuer's
 * signature (both store engines), served with it in /v1/registry/roots, the root, buckets and the
 * snapshot; roots stored unsigned (a database from before schema 3) are signed when the issuer
 * opens it; and the holder's fetchRevocation against a live registry, directly or through a mirror
 * that strips the signatures.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIssuerKey } from '../../src/credential/issuer.ts';
import { parseRootRecord, type RootRecord, verifyRootSignature } from '../../src/revocation/root.ts';
import { createRootSigner } from '../../src/revocation/root-signer.ts';
import { RevocationRegistry } from '../../src/server/revocation-registry.ts';
import { fetchRevocation } from '../../src/wallet/revocation.ts';
import { type EngineHarness, postgresHarness, sqliteHarness } from '../store/engines.ts';
import { AUTH, enrol, expectError, removeDir, startApp, type TestApp } from './helpers.ts';

const postgres = await postgresHarness();
const engines: (EngineHarness | { name: string; skip: string })[] = [
  sqliteHarness(),
  'skip' in postgres ? { name: 'postgres', skip: postgres.skip } : postgres,
];

for (const h of engines) {
  if ('skip' in h) {
    describe.skip(`signed roots on ${h.name} (skipped: ${h.skip})`, () => {
      it('stores root signatures', () => {});
    });
    continue;
  }
  describe(`signed roots on ${h.name}`, () => {
    afterAll(() => h.cleanup());

    it('stores each root with its signatures, and signs the unsigned ones when an issuer opens the store', async () => {
      const store = await h.open();
      const key = await generateIssuerKey();
      const signer = await createRootSigner([key]);
      const t0 = new Date('2026-12-01T10:00:00.000Z');
      // Without a signer (a database from before schema 3, or no issuer role): unsigned roots.
      const plain = await RevocationRegistry.open(store, t0);
      await plain.setRevoked(77n, true, new Date(t0.getTime() + 1000), { actor: 'admin', action: 'serial.revoked' });
      expect((await store.listRoots({ limit: 10 })).map((r) => r.signatures)).toEqual([undefined, undefined]);
      // The issuer opens it: the kept history gets signed, and its own changes are signed as made.
      const signed = await RevocationRegistry.open(store, t0, { signer });
      // An instance without the issuer role on the same store serves the signed records from its next check on.
      expect(plain.currentRecordJson().signatures).toEqual([]);
      expect(await plain.refresh()).toBe(true);
      expect(verifyRootSignature(parseRootRecord(plain.currentRecordJson()), key.publicKey)).toBe(true);
      await signed.setRevoked(78n, true, new Date(t0.getTime() + 2000), { actor: 'admin', action: 'serial.revoked' });
      const roots = await store.listRoots({ limit: 10 });
      expect(roots.map((r) => r.revision)).toEqual([2, 1, 0]);
      for (const r of roots) expect(verifyRootSignature(r, key.publicKey), `revision ${r.revision}`).toBe(true);
      expect(signed.history(10).map((r) => verifyRootSignature(r, key.publicKey))).toEqual([true, true, true]);
      // setRootSignatures only touches the record of that revision and root
      const sig = (roots[0] as RootRecord).signatures ?? [];
      expect(await store.setRootSignatures({ revision: 2, root: '5', signatures: sig })).toBe(false);
    });
  });
}

describe('the registry serves signed root records', () => {
  let t: TestApp;
  let publicKey: [string, string];
  let url: string;
  let mirrorUrl: string;
  const servers: Server[] = [];
  const listen = (app: express.Express) =>
    new Promise<string>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`));
      servers.push(s);
    });

  beforeAll(async () => {
    t = await startApp();
    publicKey = (await request(t.app).get('/v1/issuer/keys').set(AUTH)).body.keys[0].publicKey;
    for (const serial of ['1000', '2000']) {
      expect((await request(t.app).post('/v1/issuer/revocations').set(AUTH).send({ serial })).status).toBe(200);
    }
    url = await listen(t.app);
    // A mirror that passes everything through but drops the signatures of the root records.
    const mirror = express();
    mirror.get(/^\/v1\/registry\/.*/, async (req, res) => {
      const body = (await (await fetch(`${url}${req.originalUrl}`)).json()) as Record<string, unknown>;
      if (body.rootRecord) body.rootRecord = { ...(body.rootRecord as object), signatures: [] };
      res.json(body);
    });
    mirrorUrl = await listen(mirror);
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await t.app.close();
    removeDir(t.dir);
  });

  it('in /v1/registry/roots, every record signed by the issuer key, by revision with ?since=', async () => {
    const all = (await request(t.app).get('/v1/registry/roots')).body.roots;
    expect(all.map((r: { revision: number }) => r.revision)).toEqual([2, 1, 0]);
    for (const [i, r] of all.entries()) expect(verifyRootSignature(parseRootRecord(r, `roots[${i}]`), publicKey)).toBe(true);
    const since = (await request(t.app).get('/v1/registry/roots?since=1&limit=256')).body.roots;
    expect(since.map((r: { revision: number }) => r.revision)).toEqual([2, 1]);
    expectError(await request(t.app).get('/v1/registry/roots?since=-1'), 400, 'INVALID_PARAMETER');
    expectError(await request(t.app).get('/v1/registry/roots?limit=257'), 400, 'INVALID_PARAMETER');
  });

  it('with the root, every bucket and the snapshot: the current record, signed', async () => {
    const root = (await request(t.app).get('/v1/registry/root')).body;
    const bucket = (await request(t.app).get('/v1/registry/buckets/0')).body;
    const snapshot = (await request(t.app).get('/v1/registry/snapshot')).body;
    for (const body of [root, bucket, snapshot]) {
      const r = parseRootRecord(body.rootRecord);
      expect(r).toMatchObject({ revision: 2, root: root.root });
      expect(verifyRootSignature(r, publicKey)).toBe(true);
    }
  });

  it('the holder keeps data from the registry, and refuses it from a mirror that drops the signatures', async () => {
    const holder = await enrol(t.app);
    const data = await fetchRevocation(url, holder.credential);
    expect(data).toMatchObject({ root: (await request(t.app).get('/v1/registry/root')).body.root, revision: 2, revoked: false });
    await expect(fetchRevocation(mirrorUrl, holder.credential)).rejects.toMatchObject({ name: 'ZkidError', code: 'ROOT_NOT_SIGNED' });
  });
});
