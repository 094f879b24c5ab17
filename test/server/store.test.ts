/**
 * The store on both engines, SQLite and PostgreSQL (a fresh schema per store, dropped after):
 * the same suite of migrations, atomic challenge consumption, nullifiers, response codes, the
 * append-only hash-chained audit log and all-or-nothing changes; then what several instances on
 * one PostgreSQL database must keep (exactly-once consumption and redemption, one serial, one
 * revision history, one audit chain, one migration); then what is SQLite's own (the file, WAL,
 * one process per data directory). Under CI=true an unreachable PostgreSQL fails the suite.
 */

import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES, type Policy } from '../../src/policy.ts';
import { createProofRequest, type ProofRequest } from '../../src/request.ts';
import { openStore } from '../../src/store/open.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { auditHash } from '../../src/store/sql/audit.ts';
import { RevisionConflictError } from '../../src/store/sql/revocation.ts';
import { DATABASE_FILE, SCHEMA_VERSION, SqliteStore } from '../../src/store/sqlite.ts';
import { AUDIT_GENESIS, type Store, type VerifiedResult } from '../../src/store/store.ts';
import { dropSchemas, type EngineHarness, newSchemaName, postgresHarness, sqliteHarness, TEST_DATABASE_URL } from '../store/engines.ts';
import { removeDir, tempDir } from './helpers.ts';

const NOW = new Date('2026-11-25T12:00:00Z');
function makeRequest(ttlSeconds = 300): ProofRequest {
  return createProofRequest({
    policy: BUILTIN_POLICIES.over18 as Policy,
    serviceId: 'shop.example',
    issuers: [['1', '2']],
    roots: ['3'],
    now: NOW,
    ttlSeconds,
  });
}
const RESULT: VerifiedResult = {
  pseudonym: '42',
  disclosed: {},
  policy: 'over18',
  issuer: ['1', '2'],
  root: '3',
  verifiedAt: NOW.toISOString(),
};

const postgres = await postgresHarness();
const engines: (EngineHarness | { name: string; skip: string })[] = [
  sqliteHarness(),
  'skip' in postgres ? { name: 'postgres', skip: postgres.skip } : postgres,
];

describe('native and driver modules', () => {
  it('better-sqlite3 loads as a native module and runs SQL', () => {
    const require = createRequire(import.meta.url);
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(':memory:');
    try {
      expect(db.prepare('SELECT sqlite_version() AS v').get()).toMatchObject({ v: expect.stringMatching(/^3\./) });
      expect(db.prepare('SELECT 6 * 7 AS x').get()).toEqual({ x: 42 });
    } finally {
      db.close();
    }
    const pkg = require('better-sqlite3/package.json') as { version: string };
    expect(pkg.version).toMatch(/^12\./); // 13 needs Node 22 and crashes on Node 20
  });

  it('pg (pure JavaScript, no native binding) and ioredis load', async () => {
    const pg = await import('pg');
    expect(typeof pg.default.Pool).toBe('function');
    const redis = await import('ioredis');
    expect(typeof redis.Redis).toBe('function');
  });
});

for (const h of engines) {
  if ('skip' in h) {
    describe.skip(`store on ${h.name} (skipped: ${h.skip})`, () => {
      it('runs the store suite', () => {});
    });
    continue;
  }
  describe(`store on ${h.name}`, () => {
    afterEach(() => h.cleanup());
    const open = () => h.open();

    it('migrates a new database to the current schema version, and refuses one written by a newer version', async () => {
      const s = await open();
      const versions = await h.rows(s, 'SELECT version FROM schema_migrations ORDER BY version');
      expect(versions.map((r) => Number(r.version))).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
      await h.exec(s, `INSERT INTO schema_migrations (version, applied_at) VALUES (${SCHEMA_VERSION + 1}, 0)`);
      await s.close();
      await expect(h.reopen(s)).rejects.toThrow(/newer than this build/);
    });

    it('stores a request exactly as issued and consumes its challenge once', async () => {
      const s = await open();
      const req = makeRequest();
      await s.insertRequest({ request: req, createdAt: NOW, rpId: 'shop' });
      const stored = await s.getRequest(req.id);
      expect(stored?.request).toEqual(req);
      expect(stored?.status).toBe('pending');
      expect(stored?.createdAt).toEqual(NOW);
      const later = new Date(NOW.getTime() + 1000);
      expect(await s.completeRequest({ id: req.id, now: later, result: RESULT })).toBe('completed');
      expect(await s.completeRequest({ id: req.id, now: later, result: RESULT })).toBe('already-used');
      expect(await s.completeRequest({ id: 'missing', now: later, result: RESULT })).toBe('not-found');
      expect((await s.getRequest(req.id))?.result).toEqual(RESULT);
      expect((await s.getRequest(req.id))?.completedAt).toEqual(later);
      expect(await s.listSessions({ rpId: 'shop', limit: 10 })).toEqual([
        { requestId: req.id, redeemed: false, policy: 'over18', pseudonym: '42', disclosed: {}, verifiedAt: NOW.toISOString() },
      ]);
      expect(await s.listSessions({ rpId: 'other', limit: 10 })).toEqual([]);
    });

    it('does not consume an expired request', async () => {
      const s = await open();
      const req = makeRequest(60);
      await s.insertRequest({ request: req, createdAt: NOW });
      expect(await s.completeRequest({ id: req.id, now: new Date(NOW.getTime() + 60_000), result: RESULT })).toBe('expired');
      expect((await s.getRequest(req.id))?.status).toBe('pending');
      await s.recordRejection(req.id, { code: 'PROOF_INVALID', message: 'no', at: NOW.toISOString() });
      expect((await s.getRequest(req.id))?.lastError).toEqual({ code: 'PROOF_INVALID', message: 'no', at: NOW.toISOString() });
      expect(await s.purgeExpiredRequests(new Date(NOW.getTime() + 61_000))).toBe(1);
      expect(await s.getRequest(req.id)).toBeUndefined();
    });

    it('registers a nullifier once per (scope, policy); a second registration spends the challenge and rejects the request', async () => {
      const s = await open();
      const [a, b, c] = [makeRequest(), makeRequest(), makeRequest()] as [ProofRequest, ProofRequest, ProofRequest];
      for (const r of [a, b, c]) await s.insertRequest({ request: r, createdAt: NOW });
      const n = { scope: a.scope, policy: 'over18', value: '42' };
      expect(await s.completeRequest({ id: a.id, now: NOW, result: RESULT, nullifier: n })).toBe('completed');
      expect(await s.completeRequest({ id: b.id, now: NOW, result: RESULT, nullifier: n })).toBe('nullifier-used');
      const rejected = await s.getRequest(b.id);
      expect(rejected?.status).toBe('rejected');
      expect(rejected?.lastError?.code).toBe('PSEUDONYM_ALREADY_USED');
      expect(rejected?.result).toBeUndefined();
      // Another policy at the same scope is another namespace.
      expect(await s.completeRequest({ id: c.id, now: NOW, result: RESULT, nullifier: { ...n, policy: 'valid-id' } })).toBe('completed');
    });

    it('consumes a challenge and registers its nullifier together or not at all', async () => {
      const s = await open();
      const req = makeRequest();
      await s.insertRequest({ request: req, createdAt: NOW });
      const heal = await h.fault(s, 'nullifiers', 'simulated crash');
      const n = { scope: req.scope, policy: 'over18', value: '42' };
      await expect(s.completeRequest({ id: req.id, now: NOW, result: RESULT, nullifier: n })).rejects.toThrow(/simulated crash/);
      expect((await s.getRequest(req.id))?.status).toBe('pending');
      await heal();
      expect(await s.completeRequest({ id: req.id, now: NOW, result: RESULT, nullifier: n })).toBe('completed');
    });

    it('keeps the audit log append-only and hash-chained', async () => {
      const s = await open();
      const e1 = await s.appendAudit({ at: NOW, actor: 'admin', action: 'a.one', subject: 'x', details: { k: 1 } });
      const e2 = await s.appendAudit({ at: NOW, actor: 'admin', action: 'a.two' });
      expect(e1).toMatchObject({ id: 1, prevHash: AUDIT_GENESIS });
      expect(e2).toMatchObject({ id: 2, prevHash: e1.hash });
      const entries = await s.listAudit({ limit: 10 });
      expect(entries).toEqual([e1, e2]);
      let prev = AUDIT_GENESIS;
      for (const e of entries) {
        expect(e.hash).toBe(auditHash(prev, e));
        prev = e.hash;
      }
      await expect(h.exec(s, `UPDATE audit SET actor = 'mallory'`)).rejects.toThrow(/append-only/);
      await expect(h.exec(s, 'DELETE FROM audit')).rejects.toThrow(/append-only/);
      expect(await s.listAudit({ after: e1.id, limit: 10 })).toEqual([e2]);
    });

    it('applies a revocation change all or nothing, each revision after the last', async () => {
      const s = await open();
      await s.initRootHistory({ revision: 0, root: '100', publishedAt: NOW });
      await s.initRootHistory({ revision: 0, root: 'ignored', publishedAt: NOW });
      const audit = { at: NOW, actor: 'admin', action: 'serial.revoked', subject: '5' };
      await s.applyRevocationChange({ leafIndex: 0, bitmap: '32', revision: 1, root: '101', at: NOW, audit });
      expect(await s.loadRevocationLeaves()).toEqual([[0, '32']]);

      // A change must follow the stored revision.
      const skip = s.applyRevocationChange({ leafIndex: 1, bitmap: '1', revision: 5, root: '105', at: NOW, audit });
      await expect(skip).rejects.toThrow(/does not follow/);
      await expect(skip).rejects.toBeInstanceOf(RevisionConflictError);
      // A failure in the last statement (the audit entry) leaves neither the leaf nor the root behind.
      const heal = await h.fault(s, 'audit', 'disk on fire');
      await expect(s.applyRevocationChange({ leafIndex: 1, bitmap: '1', revision: 2, root: '102', at: NOW, audit })).rejects.toThrow(
        /disk on fire/,
      );
      expect(await s.loadRevocationLeaves()).toEqual([[0, '32']]);
      expect(await s.listRoots({ limit: 10 })).toEqual([
        { revision: 1, root: '101', publishedAt: NOW },
        { revision: 0, root: '100', publishedAt: NOW },
      ]);
      expect(await s.listAudit({ limit: 10 })).toHaveLength(1);

      await heal();
      await s.applyRevocationChange({ leafIndex: 0, bitmap: '0', revision: 2, root: '100', at: NOW, audit });
      expect(await s.loadRevocationLeaves()).toEqual([]);
    });

    it('allocates a serial once, up to the largest serial', async () => {
      const s = await open();
      const audit = { at: NOW, actor: 'admin', action: 'credential.issued', subject: '7' };
      expect(await s.recordIssuance({ serial: 7, keyId: 'k', at: NOW, audit })).toBe(true);
      expect(await s.recordIssuance({ serial: 7, keyId: 'k', at: NOW, audit })).toBe(false);
      const big = 252 * 2 ** 24 - 1; // above 2^31: a BIGINT column on PostgreSQL
      expect(await s.recordIssuance({ serial: big, keyId: 'k', at: NOW, audit })).toBe(true);
      expect(await s.isSerialIssued(7)).toBe(true);
      expect(await s.isSerialIssued(big)).toBe(true);
      expect(await s.isSerialIssued(8)).toBe(false);
      expect(await s.countIssuedByRange(258_048)).toEqual([
        [0, 1],
        [Math.floor(big / 258_048), 1],
      ]);
      expect(await s.listAudit({ limit: 10 })).toHaveLength(2);
    });

    it('agrees on one first issuer key when instances start together', async () => {
      const s = await open();
      const t = (await h.twin(s)) ?? s;
      const keys = [0, 1, 2, 3].map((i) => ({
        id: `k${i}`,
        publicKey: [String(i), '2'] as [string, string],
        privateKey: 'ab'.repeat(32),
        createdAt: NOW,
        active: true,
      }));
      const chosen = await Promise.all(
        keys.map((k, i) =>
          (i % 2 ? t : s).addFirstIssuerKey?.(k, { at: NOW, actor: 'system', action: 'issuer-key.created', subject: k.id }),
        ),
      );
      expect(new Set(chosen.map((k) => k?.id)).size).toBe(1);
      expect(await s.listIssuerKeys()).toEqual([chosen[0]]);
      expect(await s.listAudit({ limit: 10 })).toHaveLength(1);
    });

    it('keeps issuer keys and named secrets', async () => {
      const s = await open();
      const key = { id: 'k1', publicKey: ['1', '2'] as [string, string], privateKey: 'ab'.repeat(32), createdAt: NOW, active: true };
      await s.addIssuerKey(key, { at: NOW, actor: 'system', action: 'issuer-key.created', subject: 'k1' });
      expect(await s.listIssuerKeys()).toEqual([key]);
      expect(await s.issuerSecret('person-key', () => 'aa')).toBe('aa');
      expect(await s.issuerSecret('person-key', () => 'bb')).toBe('aa');
      await s.ping();
    });

    it('redeems a response code once, only for the owning relying party and the right code', async () => {
      const s = await open();
      const req = makeRequest();
      await s.insertRequest({ request: req, createdAt: NOW, rpId: 'shop', redirectUri: 'https://shop.example/back' });
      const hash = 'ab'.repeat(32);
      const at = new Date(NOW.getTime() + 1000);
      expect(await s.redeemResult({ id: req.id, rpId: 'shop', codeHash: hash, now: at })).toEqual({ outcome: 'invalid' }); // pending
      expect(await s.completeRequest({ id: req.id, now: at, result: RESULT, responseCodeHash: hash })).toBe('completed');
      expect(await s.redeemResult({ id: req.id, rpId: 'other', codeHash: hash, now: at })).toEqual({ outcome: 'not-found' });
      expect(await s.redeemResult({ id: req.id, rpId: 'shop', codeHash: 'cd'.repeat(32), now: at })).toEqual({ outcome: 'invalid' });
      expect(await s.redeemResult({ id: req.id, rpId: 'shop', codeHash: 'not hex', now: at })).toEqual({ outcome: 'invalid' });
      expect(await s.redeemResult({ id: req.id, rpId: 'shop', codeHash: hash, now: at })).toEqual({ outcome: 'redeemed', result: RESULT });
      expect(await s.redeemResult({ id: req.id, rpId: 'shop', codeHash: hash, now: at })).toEqual({ outcome: 'used' });
      const stored = await s.getRequest(req.id);
      expect(stored).toMatchObject({ rpId: 'shop', redirectUri: 'https://shop.example/back', responseCodeHash: hash, redeemedAt: at });
      expect((await s.listSessions({ rpId: 'shop', limit: 5 }))[0]?.redeemed).toBe(true);
    });

    it('records one issuance for a person all or nothing, and refuses one based on a stale holder record', async () => {
      const s = await open();
      await s.initRootHistory({ revision: 0, root: '100', publishedAt: NOW });
      const holder = { personKey: 'p1', holderCommitment: '5', serial: 7, attributesMac: 'm', commitmentSince: NOW, updatedAt: NOW };
      const audit = [{ at: NOW, actor: 'admin', action: 'credential.issued', subject: '7' }];
      const first = { holder, previous: undefined, newSerial: { serial: 7, keyId: 'k' }, revocations: [], audit, at: NOW };
      expect(await s.recordHolderIssuance(first)).toBe('recorded');
      expect(await s.getHolder('p1')).toEqual(holder);
      expect(await s.recordHolderIssuance(first)).toBe('conflict'); // the person is no longer new
      const rekeyed = { ...holder, holderCommitment: '6', serial: 9, commitmentSince: NOW };
      const change = {
        leafIndex: 0,
        bitmap: String(1n << 7n),
        revision: 1,
        root: '101',
        at: NOW,
        audit: { at: NOW, actor: 'admin', action: 'serial.revoked', subject: '7' },
      };
      // A failure in the middle (the audit entry) leaves the holder, the serial and the leaf untouched.
      const heal = await h.fault(s, 'audit', 'simulated crash');
      const second = { holder: rekeyed, previous: holder, newSerial: { serial: 9, keyId: 'k' }, revocations: [change], audit, at: NOW };
      await expect(s.recordHolderIssuance(second)).rejects.toThrow(/simulated crash/);
      await heal();
      expect(await s.getHolder('p1')).toEqual(holder);
      expect(await s.isSerialIssued(9)).toBe(false);
      expect(await s.loadRevocationLeaves()).toEqual([]);
      // Based on a record that is no longer the stored one: refused, nothing written.
      const stale = { ...second, previous: { ...holder, attributesMac: 'old' }, newSerial: { serial: 11, keyId: 'k' } };
      expect(await s.recordHolderIssuance(stale)).toBe('conflict');
      expect(await s.isSerialIssued(11)).toBe(false);
      expect(await s.recordHolderIssuance(second)).toBe('recorded');
      expect(await s.getHolder('p1')).toEqual(rekeyed);
      expect(await s.loadRevocationLeaves()).toEqual([[0, String(1n << 7n)]]);
      expect(await s.countIssuedByRange(258_048)).toEqual([[0, 2]]);
      // The holders table keeps a keyed hash, never an ID number.
      expect(await h.rows(s, 'SELECT * FROM holders')).toEqual([
        {
          person_key: 'p1',
          holder_commitment: '6',
          serial: 9,
          attributes_mac: 'm',
          commitment_since: NOW.getTime(),
          updated_at: NOW.getTime(),
        },
      ]);
    });

    it('keeps its rules under concurrent calls (and, on PostgreSQL, across two instances)', async () => {
      const a = await open();
      const b = (await h.twin(a)) ?? a;
      const both = (i: number) => (i % 2 === 0 ? a : b);
      // One challenge, 16 submissions at once: exactly one consumes it.
      const req = makeRequest();
      await a.insertRequest({ request: req, createdAt: NOW, rpId: 'shop' });
      const hash = 'ef'.repeat(32);
      const outcomes = await Promise.all(
        Array.from({ length: 16 }, (_, i) => both(i).completeRequest({ id: req.id, now: NOW, result: RESULT, responseCodeHash: hash })),
      );
      expect(outcomes.filter((o) => o === 'completed')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'already-used')).toHaveLength(15);
      // One response code, redeemed at once 8 times: one result.
      const redeemed = await Promise.all(
        Array.from({ length: 8 }, (_, i) => both(i).redeemResult({ id: req.id, rpId: 'shop', codeHash: hash, now: NOW })),
      );
      expect(redeemed.filter((r) => r.outcome === 'redeemed')).toHaveLength(1);
      expect(redeemed.filter((r) => r.outcome === 'used')).toHaveLength(7);
      // One nullifier from 8 requests at once: one registration.
      const reqs = Array.from({ length: 8 }, () => makeRequest());
      for (const r of reqs) await a.insertRequest({ request: r, createdAt: NOW });
      const n = { scope: req.scope, policy: 'over18', value: '77' };
      const registered = await Promise.all(
        reqs.map((r, i) => both(i).completeRequest({ id: r.id, now: NOW, result: RESULT, nullifier: n })),
      );
      expect(registered.filter((o) => o === 'completed')).toHaveLength(1);
      expect(registered.filter((o) => o === 'nullifier-used')).toHaveLength(7);
      // One serial allocated 8 times at once: once.
      const audit = { at: NOW, actor: 'admin', action: 'credential.issued', subject: '99' };
      const allocated = await Promise.all(
        Array.from({ length: 8 }, (_, i) => both(i).recordIssuance({ serial: 99, keyId: 'k', at: NOW, audit })),
      );
      expect(allocated.filter(Boolean)).toHaveLength(1);
      // The root history starts once, and revision 1 is written by exactly one of two racing changes.
      await Promise.all([0, 1, 2, 3].map((i) => both(i).initRootHistory({ revision: 0, root: `r${i}`, publishedAt: NOW })));
      const change = (root: string) => ({
        leafIndex: 0,
        bitmap: '1',
        revision: 1,
        root,
        at: NOW,
        audit: { ...audit, action: 'serial.revoked' },
      });
      const raced = await Promise.allSettled([a.applyRevocationChange(change('x')), b.applyRevocationChange(change('y'))]);
      expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(raced.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(RevisionConflictError) });
      expect((await a.listRoots({ limit: 10 })).map((r) => r.revision)).toEqual([1, 0]);
      // 40 audit appends at once from both: one chain, ids 1..n without a gap or a fork.
      await Promise.all(Array.from({ length: 40 }, (_, i) => both(i).appendAudit({ at: NOW, actor: 'admin', action: `x.${i}` })));
      const entries = await b.listAudit({ limit: 1000 });
      expect(entries.map((e) => e.id)).toEqual(Array.from({ length: entries.length }, (_, i) => i + 1));
      let prev = AUDIT_GENESIS;
      for (const e of entries) {
        expect(e.prevHash).toBe(prev);
        expect(e.hash).toBe(auditHash(prev, e));
        prev = e.hash;
      }
      expect(entries).toHaveLength(1 + 1 + 40); // the serial, the revocation, the appends
    });
  });
}

describe.skipIf('skip' in postgres)('PostgreSQL store: startup', () => {
  const made: string[] = [];
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    await dropSchemas(made);
  });

  it('migrates once when several instances start together on a new schema', async () => {
    const schema = newSchemaName();
    made.push(schema);
    const opened = await Promise.all([0, 1, 2].map(() => PostgresStore.open({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 })));
    stores.push(...opened);
    for (const s of opened) expect(await s.schemaVersion()).toBe(SCHEMA_VERSION);
    const applied = await opened[0]?.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(applied?.rows.map((r) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('openStore picks PostgreSQL for a postgres:// URL and SQLite otherwise, and refuses other URLs', async () => {
    const dir = tempDir();
    try {
      const lite = await openStore({ dataDir: dir });
      stores.push(lite);
      expect(lite).toBeInstanceOf(SqliteStore);
      const pgStore = await openStore({ databaseUrl: TEST_DATABASE_URL, dataDir: dir });
      stores.push(pgStore);
      expect(pgStore).toBeInstanceOf(PostgresStore);
      await expect(openStore({ databaseUrl: 'mysql://localhost/x', dataDir: dir })).rejects.toThrow(/postgres:\/\//);
      await expect(openStore({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none?connect_timeout=2', dataDir: dir })).rejects.toThrow();
    } finally {
      removeDir(dir);
    }
  });
});

describe('SQLite store: its own file', () => {
  const dirs: string[] = [];
  const stores: SqliteStore[] = [];
  function open(dir = tempDir()): SqliteStore {
    if (!dirs.includes(dir)) dirs.push(dir);
    const s = new SqliteStore({ dataDir: dir });
    stores.push(s);
    return s;
  }
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    for (const d of dirs.splice(0)) removeDir(d);
  });

  it('creates the data directory and database file, in WAL mode, at the current schema version', () => {
    const dir = join(tempDir(), 'nested', 'data');
    dirs.push(dir);
    const s = open(dir);
    expect(existsSync(join(dir, DATABASE_FILE))).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(s.schemaVersion).toBe(SCHEMA_VERSION);
    expect(s.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.database.pragma('synchronous', { simple: true })).toBe(2); // FULL
  });

  it('lets one store own a data directory at a time', async () => {
    const dir = tempDir();
    const first = open(dir);
    expect(() => new SqliteStore({ dataDir: dir })).toThrow(/in use by another zkid process/);
    await first.close();
    const second = open(dir);
    expect(second.schemaVersion).toBe(SCHEMA_VERSION);
  });

  it('refuses a database written by a newer schema version, synchronously at open', async () => {
    const dir = tempDir();
    const s = open(dir);
    s.database.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(SCHEMA_VERSION + 1, 0);
    await s.close();
    expect(() => new SqliteStore({ dataDir: dir })).toThrow(/newer than this build/);
  });
});
