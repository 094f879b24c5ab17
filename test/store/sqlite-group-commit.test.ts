/**
 * SQLite group commit (src/store/sqlite/engine.ts): transactions requested together share one
 * BEGIN/COMMIT (one disk sync) and still behave as if run one after another: each is rolled back
 * alone when it throws, a challenge is consumed exactly once, nothing is acknowledged before the
 * COMMIT, and a failed COMMIT fails every transaction of the group. The disk sync: nothing is
 * acknowledged before the WAL file (that file, by its descriptor) is synced, the event loop runs
 * meanwhile, what is requested during a sync forms one group with one sync, and a failed sync
 * fails its group.
 */
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

  it('keeps reads out of a group: a read sees committed rows only, and a write once it is acknowledged', async () => {
    const writes = Promise.all([insert('r1'), insert('r2')]);
    // requested while the group is still open: it does not wait for the group, and sees none of it
    expect(await keys()).toEqual(['c']);
    await writes;
    expect(await keys()).toEqual(['c', 'r1', 'r2']);
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

  it('acknowledges nothing before the WAL file is synced, and the event loop runs meanwhile', async () => {
    const held: (() => void)[] = [];
    const synced: number[] = [];
    engine.syncFile = (fd) =>
      new Promise<void>((resolve) => {
        synced.push(fd);
        held.push(resolve);
      });
    let settled = false;
    const group = Promise.all([insert('s1'), insert('s2')]).then((r) => {
      settled = true;
      return r;
    });
    while (held.length === 0) await new Promise((r) => setTimeout(r, 1)); // timers fire: the loop is free
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    // Committed (a read sees it), not yet acknowledged.
    expect(await keys()).toEqual(['c', 's1', 's2']);
    expect(settled).toBe(false);
    held.shift()?.();
    expect(await group).toEqual([1, 1]);
    // The descriptor synced is the WAL file's.
    expect(synced).toEqual([engine.walDescriptor]);
    expect(readlinkSync(`/proc/self/fd/${synced[0]}`)).toBe(`${engine.db.name}-wal`);
  });

  it('gathers what is requested during a disk sync into one group: one COMMIT and one sync for it', async () => {
    const held: (() => void)[] = [];
    engine.syncFile = () => new Promise<void>((resolve) => held.push(resolve));
    const before = { ...engine.commits };
    const first = insert('g1');
    while (held.length === 0) await new Promise((r) => setTimeout(r, 1));
    // requested in three turns of the event loop while the first group's sync runs
    const later = [];
    for (const k of ['g2', 'g3', 'g4']) {
      later.push(insert(k));
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(held).toHaveLength(1);
    expect(engine.commits.groups - before.groups).toBe(1);
    held.shift()?.();
    expect(await first).toBe(1);
    while (held.length === 0) await new Promise((r) => setTimeout(r, 1));
    held.shift()?.();
    expect(await Promise.all(later)).toEqual([1, 1, 1]);
    expect(engine.commits.groups - before.groups).toBe(2);
    expect(engine.commits.transactions - before.transactions).toBe(4);
    expect(engine.commits.syncs - before.syncs).toBe(2);
  });

  it('fails every transaction of a group whose sync fails', async () => {
    engine.syncFile = async () => {
      throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    };
    const outcomes = await Promise.allSettled([insert('f1'), insert('f2')]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason.message : o.value))).toEqual([
      'EIO: i/o error, fdatasync',
      'EIO: i/o error, fdatasync',
    ]);
  });
});
