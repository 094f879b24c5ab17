/**
 * The PostgreSQL engine's round trips (src/store/postgres/engine.ts): statements with parameters
 * are named prepared statements, texts without parameters keep the simple protocol (several
 * statements at once, as migrations send), and a request completed without a nullifier costs one
 * autocommit UPDATE, not BEGIN / UPDATE / COMMIT; with a nullifier it stays one transaction.
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

function newRequest(): ProofRequest {
  return createProofRequest({
    policy: { name: 'over18', predicates: [{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }], disclose: [] },
    serviceId: 'shop.example',
    issuers: [['1', '2']],
    roots: ['3'],
    ttlSeconds: 600,
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
      expect(one[0]).toMatch(/^\[zkid_[0-9a-f]{24}\] UPDATE requests SET status = 'verified'/);
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
});
