/**
 * Restart persistence through real restarts of the app on the same data directory: no challenge,
 * nullifier, revocation, issuer key or audit entry is lost (1 proof).
 */
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import type { ZkidApp } from '../../src/server/app.ts';
import type { SqliteStore } from '../../src/store/sqlite.ts';
import {
  AUTH,
  enrol,
  expectError,
  newRequest,
  prove,
  RP_AUTH,
  redeem,
  removeDir,
  requestStatus,
  startApp,
  submit,
  TestClock,
  tempDir,
  testConfig,
  twinRequest,
} from './helpers.ts';

const dir = tempDir();
const clock = new TestClock();
const config = testConfig({
  policies: { over18: { predicates: [{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }], disclose: [], unique: true } },
});
let app: ZkidApp | undefined;
let store: SqliteStore | undefined;

async function restart(): Promise<ZkidApp> {
  await app?.close();
  ({ app, store } = await startApp({ dir, clock, config }));
  return app;
}
afterAll(async () => {
  await app?.close();
  removeDir(dir);
});

async function state(a: ZkidApp) {
  const get = async (path: string, auth = false) => {
    const res = await (auth ? request(a).get(path).set(AUTH) : request(a).get(path));
    expect(res.status).toBe(200);
    return res.body;
  };
  return {
    keys: await get('/v1/issuer/keys', true),
    audit: await get('/v1/issuer/audit?limit=1000', true),
    root: await get('/v1/registry/root'),
    roots: await get('/v1/registry/roots?limit=100'),
    snapshot: await get('/v1/registry/snapshot'),
    trusted: a.context.trustedIssuers,
  };
}

describe('restart persistence', () => {
  it('keeps challenges, nullifiers, revocations, keys and the audit log across restarts', async () => {
    let a = await restart();
    const alice = await enrol(a);
    for (const serial of ['12345', '777777']) {
      expect((await request(a).post('/v1/issuer/revocations').set(AUTH).send({ serial })).status).toBe(200);
    }
    expect((await request(a).delete('/v1/issuer/revocations/777777').set(AUTH)).status).toBe(200);
    const rA = await newRequest(a, 'over18');
    const pA = await prove(a, alice, rA);
    // A second pending request with rA's challenge (only a test can make one), for the same proof:
    // after rA is accepted, only the stored nullifier can refuse it.
    const rB = await twinRequest(store as SqliteStore, rA, 'twin-of-rA', clock.now());
    const pB = { ...pA, requestId: rB.id };
    const before = await state(a);
    expect(before.root.revision).toBe(3);

    a = await restart();
    expect(await state(a)).toEqual(before);
    const pending = await requestStatus(a, rA.id);
    expect(pending.body).toMatchObject({ status: 'pending', request: rA });
    const accepted = await submit(a, rA.id, pA);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    const code = accepted.body.responseCode as string;

    a = await restart();
    expectError(await submit(a, rA.id, pA), 409, 'REQUEST_ALREADY_USED'); // the consumed challenge survived
    expectError(await submit(a, rB.id, pB), 409, 'PSEUDONYM_ALREADY_USED'); // so did the nullifier
    expect((await requestStatus(a, rA.id)).body).toMatchObject({ status: 'verified', redeemed: false });
    // The response code survived too, still unredeemed; once redeemed, that survives the next restart.
    expect((await redeem(a, rA.id, code)).body).toMatchObject({ requestId: rA.id, pseudonym: accepted.body.pseudonym });
    a = await restart();
    expectError(await redeem(a, rA.id, code), 409, 'RESPONSE_CODE_USED');
    expect((await request(a).get('/v1/sessions').set(RP_AUTH)).body.sessions.map((s: { requestId: string }) => s.requestId)).toEqual([
      rA.id,
    ]);

    // The audit chain continues where it stopped, with the same issuer key.
    const bob = await enrol(a);
    expect(bob.credential.issuer.publicKey).toEqual(alice.credential.issuer.publicKey);
    const after = await state(a);
    const last = before.audit.entries.at(-1);
    const next = after.audit.entries[before.audit.entries.length];
    expect(after.audit.entries.slice(0, before.audit.entries.length)).toEqual(before.audit.entries);
    expect(next).toMatchObject({ id: last.id + 1, prevHash: last.hash, action: 'credential.issued' });
  });

  it('refuses to start on a store whose leaves do not match its latest root', async () => {
    const d = tempDir();
    try {
      const t = await startApp({ dir: d });
      await request(t.app).post('/v1/issuer/revocations').set(AUTH).send({ serial: '5' });
      t.store.database.prepare(`UPDATE revocation_leaves SET bitmap = '1'`).run();
      await t.app.close();
      await expect(startApp({ dir: d })).rejects.toThrow(/do not match the stored root/);
    } finally {
      removeDir(d);
    }
  });
});
