/**
 * SQLite group commit (src/store/sqlite/engine.ts): transactions requested together share one
 * BEGIN/COMMIT (one disk sync) and still behave as if run one after another: each is rolled back
 * alone when it throws, a challenge is consumed exactly once, nothing is acknowledged before the
 * COMMIT, and a failed COMMIT fails every transaction of the group. The store's single-statement
 * writes (request inserts, rejections, purges) are groups too, not autocommits that each wait for
 * the disk on the event loop.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES, type Policy } from '../../src/policy.ts';
import { createProofRequest } from '../../src/request.ts';
import type { SqliteEngine } from '../../src/store/sqlite/engine.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

let dir: string;
let store: SqliteStore;
let engine: SqliteEngine;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zkid-group-'));
  store = new SqliteStore({ dataDir: dir });
  engine = (store as unknown as { engine: SqliteEngine }).engine;
  await engine.read(async (db) => {
    await db.run('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
    await db.run("INSERT INTO t (k, v) VALUES ('c', 0)");
  });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Statements the engine sends to SQLite through exec (BEGIN, SAVEPOINT, COMMIT, ...). */
function countExec(): { calls: string[]; restore(): void } {
  const calls: string[] = [];
  const original = engine.db.exec.bind(engine.db);
  engine.db.exec = ((sql: string) => {
    calls.push(sql);
    return original(sql);
  }) as typeof engine.db.exec;
  return { calls, restore: () => (engine.db.exec = original) };
}

const insert = (k: string) => engine.transaction((tx) => tx.run('INSERT INTO t (k, v) VALUES (?, 1)', [k]));
const keys = async () => (await engine.read((db) => db.all<{ k: string }>('SELECT k FROM t ORDER BY k'))).map((r) => r.k);

describe('SQLite group commit', () => {
  it('commits transactions requested in one turn of the event loop with one BEGIN and one COMMIT', async () => {
    const exec = countExec();
    const before = { ...engine.commits };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => insert(`k${i}`)));
    exec.restore();
    expect(results).toEqual(Array(10).fill(1));
    expect(exec.calls.filter((s) => s === 'BEGIN IMMEDIATE')).toHaveLength(1);
    expect(exec.calls.filter((s) => s === 'COMMIT')).toHaveLength(1);
    expect(engine.commits.groups - before.groups).toBe(1);
    expect(engine.commits.transactions - before.transactions).toBe(10);
    expect(await keys()).toHaveLength(11);
  });

  it('rolls back only the transaction that throws, with its own error', async () => {
    const outcomes = await Promise.allSettled([
      insert('a'),
      engine.transaction(async (tx) => {
        await tx.run("INSERT INTO t (k, v) VALUES ('b', 1)");
        throw new Error('b fails after writing');
      }),
      insert('a'), // a duplicate key: a constraint error
      insert('d'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('b fails after writing');
    expect((outcomes[2] as PromiseRejectedResult).reason.message).toMatch(/UNIQUE constraint failed/);
    expect(await keys()).toEqual(['a', 'c', 'd']);
  });

  it('runs them in order, each seeing the ones before: one of two consumptions wins', async () => {
    const consume = () =>
      engine.transaction(async (tx) => ((await tx.run("UPDATE t SET v = 1 WHERE k = 'c' AND v = 0")) === 1 ? 'won' : 'already-used'));
    expect(await Promise.all([consume(), consume(), consume()])).toEqual(['won', 'already-used', 'already-used']);
  });

  it('acknowledges nothing before the COMMIT, and a failed COMMIT fails every transaction of the group', async () => {
    const original = engine.db.exec.bind(engine.db);
    let failNext = true;
    engine.db.exec = ((sql: string) => {
      if (sql === 'COMMIT' && failNext) {
        failNext = false;
        throw new Error('disk I/O error');
      }
      return original(sql);
    }) as typeof engine.db.exec;
    let settledEarly = false;
    const group = Promise.allSettled([insert('x'), insert('y')]).then((r) => {
      settledEarly = true;
      return r;
    });
    expect(settledEarly).toBe(false);
    const outcomes = await group;
    engine.db.exec = original;
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason.message : o.value))).toEqual(['disk I/O error', 'disk I/O error']);
    expect(await keys()).toEqual(['c']);
    // The connection is usable afterwards.
    expect(await insert('z')).toBe(1);
    expect(await keys()).toEqual(['c', 'z']);
  });

  it('keeps reads out of a group: a read requested during it sees the committed rows only', async () => {
    const writes = [insert('r1'), insert('r2')];
    const read = keys();
    await Promise.all(writes);
    expect(await read).toEqual(['c', 'r1', 'r2']);
  });

  it('refuses transactions once the store is closed, also those requested while it closes', async () => {
    const pending = insert('late');
    const closing = store.close();
    await expect(pending).resolves.toBe(1);
    await closing;
    // Each one refused: none joins a group that will never run.
    await expect(insert('after')).rejects.toThrow('the store is closed');
    await expect(insert('after, again')).rejects.toThrow('the store is closed');
    store = new SqliteStore({ dataDir: dir });
    engine = (store as unknown as { engine: SqliteEngine }).engine;
    expect(await keys()).toEqual(['c', 'late']);
  });

  it('a transaction alone still commits on its own and rolls back on a throw', async () => {
    expect(await insert('solo')).toBe(1);
    await expect(
      engine.transaction(async (tx) => {
        await tx.run("INSERT INTO t (k, v) VALUES ('gone', 1)");
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await keys()).toEqual(['c', 'solo']);
  });

  it("groups the store's request inserts, rejections and purges like any transaction", async () => {
    const exec = countExec();
    const before = { ...engine.commits };
    const reqs = Array.from({ length: 12 }, () =>
      createProofRequest({
        policy: BUILTIN_POLICIES.over18 as Policy,
        serviceId: 'shop.example',
        issuers: [['1', '2']],
        roots: ['3'],
        ttlSeconds: 60,
      }),
    );
    await Promise.all(reqs.map((request) => store.insertRequest({ request, createdAt: new Date() })));
    const error = { code: 'PROOF_INVALID', message: 'no', at: new Date().toISOString() };
    await Promise.all(reqs.slice(0, 6).map((r) => store.recordRejection(r.id, error)));
    expect(await store.purgeExpiredRequests(new Date(Date.now() + 3_600_000))).toBe(12);
    exec.restore();
    expect(engine.commits.groups - before.groups).toBe(3);
    expect(engine.commits.transactions - before.transactions).toBe(12 + 6 + 1);
    expect(exec.calls.filter((s) => s === 'COMMIT')).toHaveLength(3);
  });
});
