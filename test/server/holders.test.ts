/**
 * One person, one active holder commitment (issue 7, item 5): issuing again for the same
 * commitment keeps the serial (and so the pseudonyms); a new commitment for the same ID number is
 * a re-keying that revokes the old serial, is audited, and is refused within
 * rekeyMinIntervalDays (nothing changes then); the store knows people only by a keyed hash; the
 * demo person follows from the commitment; a failure half-way leaves nothing behind.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holderCommitment } from '../../src/credential/holder.ts';
import { encodeIdNumber, validateCnResidentId } from '../../src/credential/id-number.ts';
import { verifyCredentialSignature } from '../../src/credential/issuer.ts';
import { addDays, todayUtc } from '../../src/dates.ts';
import { toDecimal } from '../../src/field.ts';
import { witnessFromBucket } from '../../src/revocation/tree.ts';
import { ADULT, AUTH, anotherAdult, expectError, removeDir, startApp, type TestApp, testConfig } from './helpers.ts';

let t: TestApp;
const C1 = toDecimal(holderCommitment(111n));
const C2 = toDecimal(holderCommitment(222n));
const C3 = toDecimal(holderCommitment(333n));
const PERSON = { ...ADULT, idNumber: 'E55500011' };

function issue(app: TestApp['app'], attributes: object, commitment: string) {
  return request(app).post('/v1/issuer/credentials').set(AUTH).send({ attributes, holderCommitment: commitment });
}

async function state(x: TestApp = t) {
  return {
    audit: await x.store.listAudit({ limit: 10_000 }),
    roots: await x.store.listRoots({ limit: 10_000 }),
    leaves: await x.store.loadRevocationLeaves(),
    holders: x.store.database.prepare('SELECT * FROM holders ORDER BY person_key').all(),
    credentials: x.store.database.prepare('SELECT * FROM credentials ORDER BY serial').all(),
    root: (await request(x.app).get('/v1/registry/root')).body,
  };
}

beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.app.close();
  removeDir(t.dir);
});

describe('one active holder commitment per person', () => {
  let first: { serial: string; credential: { serial: string } };

  it('signs the same serial again for the same commitment (same pseudonyms), and audits it', async () => {
    const a = await issue(t.app, PERSON, C1);
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body.holder).toBe('new');
    first = a.body;
    const b = await issue(t.app, PERSON, C1);
    expect(b.status).toBe(201);
    expect(b.body).toMatchObject({ holder: 'same', serial: a.body.serial });
    expect(b.body.revokedSerial).toBeUndefined();
    expect(await verifyCredentialSignature(b.body.credential)).toBe(true);
    expect((await t.store.listAudit({ limit: 10_000 })).at(-1)).toMatchObject({ action: 'credential.reissued', subject: a.body.serial });
    expect(t.app.context.registry.isRevoked(BigInt(a.body.serial))).toBe(false);
  });

  it('refuses a new commitment for the same person within the limit with REKEY_TOO_SOON, and changes nothing', async () => {
    const before = await state();
    t.clock.advance(29 * 86400);
    try {
      const res = await issue(t.app, PERSON, C2);
      expectError(res, 409, 'REKEY_TOO_SOON');
      expect(Number(res.headers['retry-after'])).toBe(86400);
      // The same ID number written in lower case is the same person.
      expectError(await issue(t.app, { ...PERSON, idNumber: PERSON.idNumber.toLowerCase() }, C2), 409, 'REKEY_TOO_SOON');
      expect(await state()).toEqual(before);
    } finally {
      t.clock.advance(-29 * 86400);
    }
  });

  it('re-keys after the limit: revokes the old serial (new root), issues a new one, and audits it', async () => {
    t.clock.advance(30 * 86400);
    const rootBefore = (await request(t.app).get('/v1/registry/root')).body;
    const res = await issue(t.app, PERSON, C2);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ holder: 'rekeyed', revokedSerial: first.serial });
    expect(res.body.serial).not.toBe(first.serial);
    expect(res.body.credential.holderCommitment).toBe(C2);
    const old = BigInt(first.serial);
    expect(t.app.context.registry.isRevoked(old)).toBe(true);
    expect(t.app.context.registry.isRevoked(BigInt(res.body.serial))).toBe(false);
    const root = (await request(t.app).get('/v1/registry/root')).body;
    expect(root.revision).toBe(rootBefore.revision + 1);
    // The old credential's holder now finds its serial revoked in the public bucket: no proof.
    const bucket = (await request(t.app).get(`/v1/registry/buckets/${Math.floor(Number(old) / 252 / 1024)}`)).body;
    const w = witnessFromBucket(bucket, old);
    expect((w.leaf >> BigInt(Number(old) % 252)) & 1n).toBe(1n);
    const entries = (await t.store.listAudit({ limit: 10_000 })).slice(-3);
    expect(entries.map((e) => [e.action, e.subject])).toEqual([
      ['serial.revoked', first.serial],
      ['credential.issued', res.body.serial],
      ['holder.rekeyed', res.body.serial],
    ]);
    expect(entries[0]?.details).toMatchObject({ reason: 'rekeyed', revision: rootBefore.revision + 1 });
    expect(entries[2]?.details).toEqual({ previousSerial: first.serial });
    // The limit counts from this re-keying.
    t.clock.advance(86400);
    expectError(await issue(t.app, PERSON, C3), 409, 'REKEY_TOO_SOON');
    // The old commitment is a new commitment too.
    expectError(await issue(t.app, PERSON, C1), 409, 'REKEY_TOO_SOON');
  });

  it('gives the same commitment a new serial when the attributes change, revoking the old one', async () => {
    const a = await issue(t.app, PERSON, C2);
    expect(a.body.holder).toBe('same');
    const b = await issue(t.app, { ...PERSON, region: 310101 }, C2);
    expect(b.status, JSON.stringify(b.body)).toBe(201);
    expect(b.body).toMatchObject({ holder: 'updated', revokedSerial: a.body.serial });
    expect(t.app.context.registry.isRevoked(BigInt(a.body.serial))).toBe(true);
  });

  it('keeps people in the store as keyed hashes, never as ID numbers', async () => {
    const dump = JSON.stringify(await state());
    for (const needle of [PERSON.idNumber, encodeIdNumber(PERSON.idNumber).toString()]) expect(dump).not.toContain(needle);
    const rows = t.store.database.prepare('SELECT person_key FROM holders').all() as { person_key: string }[];
    for (const r of rows) expect(r.person_key).toMatch(/^[0-9a-f]{64}$/);
    expect(t.app.context.issuer?.personKey(PERSON.idNumber)).toBe(t.app.context.issuer?.personKey(PERSON.idNumber.toLowerCase()));
  });

  it('re-keys at once when rekeyMinIntervalDays is 0', async () => {
    const free = await startApp({ config: testConfig({ rekeyMinIntervalDays: 0 }) });
    try {
      const who = anotherAdult();
      expect((await issue(free.app, who, C1)).body.holder).toBe('new');
      const r = await issue(free.app, who, C2);
      expect(r.body.holder).toBe('rekeyed');
      expect((await issue(free.app, who, C3)).body.holder).toBe('rekeyed');
    } finally {
      await free.app.close();
      removeDir(free.dir);
    }
  });

  it('writes a re-keying all or nothing: a failure half-way leaves store and registry as they were', async () => {
    const x = await startApp({ config: testConfig({ rekeyMinIntervalDays: 0 }) });
    try {
      const who = anotherAdult();
      const a = await issue(x.app, who, C1);
      expect(a.status).toBe(201);
      const before = await state(x);
      x.store.database.exec(
        `CREATE TEMP TRIGGER crash BEFORE INSERT ON audit WHEN NEW.action = 'holder.rekeyed' BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`,
      );
      try {
        expectError(await issue(x.app, who, C2), 500, 'INTERNAL_ERROR');
      } finally {
        x.store.database.exec('DROP TRIGGER crash');
      }
      expect(await state(x)).toEqual(before);
      expect(x.app.context.registry.isRevoked(BigInt(a.body.serial))).toBe(false);
      const b = await issue(x.app, who, C2);
      expect(b.body).toMatchObject({ holder: 'rekeyed', revokedSerial: a.body.serial });
    } finally {
      await x.app.close();
      removeDir(x.dir);
    }
  });
});

describe('demo enrolment', () => {
  it('derives the demo person from the commitment: the same commitment is the same person and serial', async () => {
    const a = await request(t.app).post('/v1/demo/enrol').send({ holderCommitment: C3 });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    const b = await request(t.app).post('/v1/demo/enrol').send({ holderCommitment: C3 });
    expect(b.body).toMatchObject({ holder: 'same', serial: a.body.serial });
    expect(b.body.credential.attributes).toEqual(a.body.credential.attributes);
    const other = await request(t.app).post('/v1/demo/enrol').send({ holderCommitment: C1 });
    expect(other.body.holder).toBe('new');
    const today = todayUtc(t.clock.now());
    for (const r of [a, other]) {
      const attrs = r.body.credential.attributes;
      // A valid resident ID (check character, embedded birth date) of an adult registered in Beijing.
      expect(validateCnResidentId(attrs.idNumber)).toEqual({ birthDate: attrs.birthDate, region: Number(attrs.idNumber.slice(0, 6)) });
      expect(attrs.region).toBe(Number(attrs.idNumber.slice(0, 6)));
      expect(Math.floor(attrs.region / 10_000)).toBe(11);
      expect(attrs.birthDate + 18 * 10_000 <= today).toBe(true);
      expect(attrs.birthDate >= 19600101 && attrs.birthDate <= addDays(20010101, -1)).toBe(true);
    }
    expect(other.body.credential.attributes.idNumber).not.toBe(a.body.credential.attributes.idNumber);
  });
});
