/**
 * The PostgreSQL engine's round trips (src/store/postgres/engine.ts): statements with parameters
 * are named prepared statements, texts without parameters keep the simple protocol (several
 * statements at once, as migrations send), and a request completed without a nullifier costs one
 * autocommit UPDATE, not BEGIN / UPDATE / COMMIT; with a nullifier it stays one transaction. The
 * lookups and the consumptions of one turn of the event loop share one statement each
 * (src/store/postgres/requests.ts), with each call's outcome what it would be alone.
 * Under CI these tests run (engines.ts throws when PostgreSQL is unreachable); elsewhere they skip.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProofRequest, type ProofRequest } from '../../src/request.ts';
import type { PostgresStore } from '../../src/store/postgres.ts';
import type { SqlEngine } from '../../src/store/sql/engine.ts';
import { type EngineHarness, postgresHarness } from './engines.ts';

const found = await postgresHarness();
const harness = 'skip' in found ? undefined : (found as EngineHarness);
const suite = harness ? describe : describe.skip;

let store: PostgresStore;
/** The text of every query the pg clients send while `record` is on. */
const sent: string[] = [];
let record = false;
const original = pg.Client.prototype.query;

beforeAll(async () => {
  if (!harness) return;
  store = (await harness.open()) as PostgresStore;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text: string; name?: string };
    if (record) sent.push(typeof q === 'string' ? q : `${q.name ? `[${q.name}] ` : ''}${q.text}`);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
});
afterAll(async () => {
  pg.Client.prototype.query = original;
  await harness?.cleanup();
});

function newRequest(o: { ttlSeconds?: number; now?: Date } = {}): ProofRequest {
  return createProofRequest({
    ...o,
    policy: { name: 'over18', predicates: [{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }], disclose: [] },
    serviceId: 'shop.example',
    issuers: [['1', '2']],
    roots: ['3'],
    ttlSeconds: o.ttlSeconds ?? 600,
  });
}

const result = {
  pseudonym: '7',
  disclosed: {},
  policy: 'over18',
  issuer: ['1', '2'] as [string, string],
  root: '3',
  verifiedAt: new Date().toISOString(),
};

suite(`PostgreSQL round trips${harness ? '' : ' (skipped: PostgreSQL unreachable outside CI)'}`, () => {
  it('names statements with parameters (prepared once per connection) and sends texts without them as they are', async () => {
    const engine = (store as unknown as { engine: SqlEngine }).engine;
    const names = await engine.transaction(async (tx) => {
      await tx.get('SELECT CAST(? AS INTEGER) AS x', [1]);
      await tx.run('SELECT 1; SELECT 2');
      return (await tx.all<{ name: string }>('SELECT name FROM pg_prepared_statements')).map((r) => r.name);
    });
    expect(names.some((n) => /^zkid_[0-9a-f]{24}$/.test(n))).toBe(true);
  });

  it('completes a request without a nullifier in one autocommit UPDATE; with one, in one transaction', async () => {
    const plain = newRequest();
    const unique = newRequest();
    const now = new Date();
    await store.insertRequest({ request: plain, createdAt: now });
    await store.insertRequest({ request: unique, createdAt: now });
    sent.length = 0;
    record = true;
    try {
      expect(await store.completeRequest({ id: plain.id, now, result })).toBe('completed');
      const one = sent.splice(0);
      expect(one).toHaveLength(1);
      expect(one[0]).toMatch(/^\[zkid_consume_requests\] UPDATE requests AS r\s+SET status = 'verified'/);
      expect(await store.completeRequest({ id: plain.id, now, result })).toBe('already-used');
      expect(await store.completeRequest({ id: 'no-such-request', now, result })).toBe('not-found');
      sent.length = 0;
      const nullifier = { scope: unique.scope, policy: 'over18', value: '7' };
      expect(await store.completeRequest({ id: unique.id, now, result, nullifier })).toBe('completed');
      expect(sent.map((s) => s.replace(/^\[[^\]]+\] /, '').split(' ')[0])).toEqual(['BEGIN', 'UPDATE', 'INSERT', 'COMMIT']);
    } finally {
      record = false;
    }
  });

  it('answers the lookups of one turn with one SELECT and its consumptions with one UPDATE, each as it would be alone', async () => {
    const now = new Date();
    const fresh = Array.from({ length: 24 }, () => newRequest());
    const done = newRequest();
    const expired = newRequest({ ttlSeconds: 1, now: new Date(now.getTime() - 60_000) });
    for (const r of [...fresh, done, expired]) await store.insertRequest({ request: r, createdAt: now });
    expect(await store.completeRequest({ id: done.id, now, result })).toBe('completed');
    sent.length = 0;
    record = true;
    let looked: Awaited<ReturnType<PostgresStore['getRequest']>>[];
    let outcomes: string[];
    try {
      looked = await Promise.all([
        ...fresh.map((r) => store.getRequest(r.id)),
        store.getRequest('no-such-request'),
        store.getRequest(fresh[0]?.id as string),
      ]);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatch(/^\[zkid_requests_by_ids\] SELECT \* FROM requests WHERE id = ANY/);
      sent.length = 0;
      // Each fresh request twice (one of each pair wins: the two go in separate statements, which
      // race), plus a used, an expired and a missing one.
      const calls = [...fresh, ...fresh, done, expired].map((r) =>
        store.completeRequest({ id: r.id, now, result, responseCodeHash: 'ab'.repeat(32) }),
      );
      calls.push(store.completeRequest({ id: 'no-such-request', now, result }));
      outcomes = await Promise.all(calls);
    } finally {
      record = false;
    }
    expect(looked.slice(0, 24).map((r) => r?.id)).toEqual(fresh.map((r) => r.id));
    expect(looked[24]).toBeUndefined();
    expect(looked[25]?.id).toBe(fresh[0]?.id);
    for (let i = 0; i < 24; i++) expect([outcomes[i], outcomes[24 + i]].sort()).toEqual(['already-used', 'completed']);
    expect(outcomes.slice(48)).toEqual(['already-used', 'expired', 'not-found']);
    // Two consumption statements (the repeats cannot share one with their first), and one lookup for each call the UPDATEs did not consume.
    const kinds = sent.map((s) => (s.match(/^\[([^\]]+)\]/)?.[1] ?? s).replace(/^zkid_[0-9a-f]{24}$/, 'single'));
    expect(kinds.filter((k) => k === 'zkid_consume_requests')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'single')).toHaveLength(27);
    expect(kinds).toHaveLength(29);
    for (const r of fresh) expect((await store.getRequest(r.id))?.responseCodeHash).toBe('ab'.repeat(32));
  });

  it('fails every call of a statement that fails, and consumes none of them', async () => {
    const now = new Date();
    const reqs = Array.from({ length: 4 }, () => newRequest());
    for (const r of reqs) await store.insertRequest({ request: r, createdAt: now });
    const broken = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const q = args[0] as { name?: string };
      if (q?.name === 'zkid_consume_requests') {
        // pg-pool passes a callback; answer through it as a dropped connection would
        const error = Object.assign(new Error('connection lost'), { code: '08006' });
        const callback = args.find((a) => typeof a === 'function') as ((e: Error) => void) | undefined;
        if (callback) return void setImmediate(() => callback(error));
        return Promise.reject(error);
      }
      return (broken as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Client.prototype.query;
    let settled: PromiseSettledResult<string>[];
    try {
      settled = await Promise.allSettled(reqs.map((r) => store.completeRequest({ id: r.id, now, result })));
    } finally {
      pg.Client.prototype.query = broken;
    }
    expect(settled.map((x) => (x.status === 'rejected' ? (x.reason as Error).message : x.value))).toEqual(
      reqs.map(() => 'connection lost'),
    );
    for (const r of reqs) expect((await store.getRequest(r.id))?.status).toBe('pending');
    expect(await Promise.all(reqs.map((r) => store.completeRequest({ id: r.id, now, result })))).toEqual(reqs.map(() => 'completed'));
  });

  it('consumes each challenge once when two instances submit the same 48 requests at once, in opposite orders', async () => {
    const twin = (await harness?.twin(store)) as PostgresStore;
    const now = new Date();
    const reqs = Array.from({ length: 48 }, () => newRequest());
    for (const r of reqs) await store.insertRequest({ request: r, createdAt: now });
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([
        Promise.all(reqs.map((r) => store.completeRequest({ id: r.id, now, result: { ...result, pseudonym: 'a' } }))),
        Promise.all([...reqs].reverse().map((r) => twin.completeRequest({ id: r.id, now, result: { ...result, pseudonym: 'b' } }))),
      ]);
      b.reverse();
      reqs.forEach((_, i) => {
        expect([a[i], b[i]].sort()).toEqual(round === 0 ? ['already-used', 'completed'] : ['already-used', 'already-used']);
      });
      if (round === 0) {
        // the stored result is the winner's
        for (const [i, r] of reqs.entries())
          expect((await store.getRequest(r.id))?.result?.pseudonym).toBe(a[i] === 'completed' ? 'a' : 'b');
      }
    }
  });

  it("answers an id PostgreSQL cannot hold (a NUL, from a URL's %00) as not found, without failing the others of its turn", async () => {
    const now = new Date();
    const r = newRequest();
    await store.insertRequest({ request: r, createdAt: now });
    const [bad, good] = await Promise.all([store.getRequest(`${r.id}\u0000`), store.getRequest(r.id)]);
    expect(bad).toBeUndefined();
    expect(good?.id).toBe(r.id);
    const outcomes = await Promise.all([
      store.completeRequest({ id: `\u0000${r.id}`, now, result }),
      store.completeRequest({ id: r.id, now, result }),
    ]);
    expect(outcomes).toEqual(['not-found', 'completed']);
  });
});
