/**
 * The SQLite store on its own: the native module loads, migrations, atomic challenge consumption,
 * nullifiers, the append-only hash-chained audit log, and all-or-nothing revocation changes.
 */

import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES, type Policy } from '../../src/policy.ts';
import { createProofRequest, type ProofRequest } from '../../src/request.ts';
import { auditHash, DATABASE_FILE, SCHEMA_VERSION, SqliteStore } from '../../src/store/sqlite.ts';
import { AUDIT_GENESIS, type VerifiedResult } from '../../src/store/store.ts';
import { removeDir, tempDir } from './helpers.ts';

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

describe('better-sqlite3', () => {
  it('loads as a native module and runs SQL', () => {
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
});

describe('SqliteStore', () => {
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

  it('refuses a database written by a newer schema version', async () => {
    const dir = tempDir();
    const s = open(dir);
    s.database.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(SCHEMA_VERSION + 1, 0);
    await s.close();
    expect(() => new SqliteStore({ dataDir: dir })).toThrow(/newer than this build/);
  });

  it('stores a request exactly as issued and consumes its challenge once', async () => {
    const s = open();
    const req = makeRequest();
    await s.insertRequest({ request: req, createdAt: NOW, rpId: 'shop' });
    const stored = await s.getRequest(req.id);
    expect(stored?.request).toEqual(req);
    expect(stored?.status).toBe('pending');
    const later = new Date(NOW.getTime() + 1000);
    expect(await s.completeRequest({ id: req.id, now: later, result: RESULT })).toBe('completed');
    expect(await s.completeRequest({ id: req.id, now: later, result: RESULT })).toBe('already-used');
    expect(await s.completeRequest({ id: 'missing', now: later, result: RESULT })).toBe('not-found');
    expect((await s.getRequest(req.id))?.result).toEqual(RESULT);
    expect(await s.listSessions({ rpId: 'shop', limit: 10 })).toEqual([
      { requestId: req.id, redeemed: false, policy: 'over18', pseudonym: '42', disclosed: {}, verifiedAt: NOW.toISOString() },
    ]);
    expect(await s.listSessions({ rpId: 'other', limit: 10 })).toEqual([]);
  });

  it('does not consume an expired request', async () => {
    const s = open();
    const req = makeRequest(60);
    await s.insertRequest({ request: req, createdAt: NOW });
    expect(await s.completeRequest({ id: req.id, now: new Date(NOW.getTime() + 60_000), result: RESULT })).toBe('expired');
    expect((await s.getRequest(req.id))?.status).toBe('pending');
    expect(await s.purgeExpiredRequests(new Date(NOW.getTime() + 61_000))).toBe(1);
    expect(await s.getRequest(req.id)).toBeUndefined();
  });

  it('registers a nullifier once per (scope, policy); a second registration spends the challenge and rejects the request', async () => {
    const s = open();
    const a = makeRequest();
    const b = makeRequest();
    const c = makeRequest();
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
    const s = open();
    const req = makeRequest();
    await s.insertRequest({ request: req, createdAt: NOW });
    s.database.exec(`CREATE TEMP TRIGGER crash BEFORE INSERT ON nullifiers BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`);
    const n = { scope: req.scope, policy: 'over18', value: '42' };
    await expect(s.completeRequest({ id: req.id, now: NOW, result: RESULT, nullifier: n })).rejects.toThrow(/simulated crash/);
    expect((await s.getRequest(req.id))?.status).toBe('pending');
    s.database.exec('DROP TRIGGER crash');
    expect(await s.completeRequest({ id: req.id, now: NOW, result: RESULT, nullifier: n })).toBe('completed');
  });

  it('keeps the audit log append-only and hash-chained', async () => {
    const s = open();
    const e1 = await s.appendAudit({ at: NOW, actor: 'admin', action: 'a.one', subject: 'x', details: { k: 1 } });
    const e2 = await s.appendAudit({ at: NOW, actor: 'admin', action: 'a.two' });
    expect(e1.prevHash).toBe(AUDIT_GENESIS);
    expect(e2.prevHash).toBe(e1.hash);
    const entries = await s.listAudit({ limit: 10 });
    expect(entries).toEqual([e1, e2]);
    let prev = AUDIT_GENESIS;
    for (const e of entries) {
      expect(e.hash).toBe(auditHash(prev, e));
      prev = e.hash;
    }
    expect(() => s.database.prepare(`UPDATE audit SET actor = 'mallory'`).run()).toThrow(/append-only/);
    expect(() => s.database.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(await s.listAudit({ after: e1.id, limit: 10 })).toEqual([e2]);
  });

  it('applies a revocation change all or nothing', async () => {
    const s = open();
    await s.initRootHistory({ revision: 0, root: '100', publishedAt: NOW });
    await s.initRootHistory({ revision: 0, root: 'ignored', publishedAt: NOW });
    const audit = { at: NOW, actor: 'admin', action: 'serial.revoked', subject: '5' };
    await s.applyRevocationChange({ leafIndex: 0, bitmap: '32', revision: 1, root: '101', at: NOW, audit });
    expect(await s.loadRevocationLeaves()).toEqual([[0, '32']]);

    // A change must follow the stored revision.
    await expect(s.applyRevocationChange({ leafIndex: 1, bitmap: '1', revision: 5, root: '105', at: NOW, audit })).rejects.toThrow(
      /does not follow/,
    );
    // A failure in the last statement (the audit entry) leaves neither the leaf nor the root behind.
    s.database.exec(`CREATE TEMP TRIGGER fail_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`);
    await expect(s.applyRevocationChange({ leafIndex: 1, bitmap: '1', revision: 2, root: '102', at: NOW, audit })).rejects.toThrow(
      /disk on fire/,
    );
    expect(await s.loadRevocationLeaves()).toEqual([[0, '32']]);
    expect((await s.listRoots({ limit: 10 })).map((r) => r.root)).toEqual(['101', '100']);
    expect(await s.listAudit({ limit: 10 })).toHaveLength(1);

    s.database.exec('DROP TRIGGER fail_audit');
    await s.applyRevocationChange({ leafIndex: 0, bitmap: '0', revision: 2, root: '100', at: NOW, audit });
    expect(await s.loadRevocationLeaves()).toEqual([]);
  });

  it('allocates a serial once', async () => {
    const s = open();
    const audit = { at: NOW, actor: 'admin', action: 'credential.issued', subject: '7' };
    expect(await s.recordIssuance({ serial: 7, keyId: 'k', at: NOW, audit })).toBe(true);
    expect(await s.recordIssuance({ serial: 7, keyId: 'k', at: NOW, audit })).toBe(false);
    expect(await s.isSerialIssued(7)).toBe(true);
    expect(await s.isSerialIssued(8)).toBe(false);
    expect(await s.listAudit({ limit: 10 })).toHaveLength(1);
  });

  it('redeems a response code once, only for the owning relying party and the right code, migrating from schema 1', async () => {
    const s = open();
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
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
    expect(JSON.stringify(stored)).not.toContain('response_code=');
  });

  it('records one issuance for a person all or nothing, and refuses one based on a stale holder record', async () => {
    const s = open();
    await s.initRootHistory({ revision: 0, root: '100', publishedAt: NOW });
    const secret1 = await s.issuerSecret('person-key', () => 'aa');
    expect(await s.issuerSecret('person-key', () => 'bb')).toBe(secret1);
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
    s.database.exec(`CREATE TEMP TRIGGER crash BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`);
    const second = { holder: rekeyed, previous: holder, newSerial: { serial: 9, keyId: 'k' }, revocations: [change], audit, at: NOW };
    await expect(s.recordHolderIssuance(second)).rejects.toThrow(/simulated crash/);
    s.database.exec('DROP TRIGGER crash');
    expect(await s.getHolder('p1')).toEqual(holder);
    expect(await s.isSerialIssued(9)).toBe(false);
    expect(await s.loadRevocationLeaves()).toEqual([]);
    expect(await s.recordHolderIssuance(second)).toBe('recorded');
    expect(await s.getHolder('p1')).toEqual(rekeyed);
    expect(await s.loadRevocationLeaves()).toEqual([[0, String(1n << 7n)]]);
    expect(await s.countIssuedByRange(258_048)).toEqual([[0, 2]]);
    // The holders table keeps a keyed hash, never an ID number.
    expect(s.database.prepare('SELECT * FROM holders').all()).toEqual([
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
});
