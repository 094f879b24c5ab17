/**
 * A database that goes away and comes back: requests that need it answer 503 STORE_UNAVAILABLE
 * with Retry-After (a transient condition, not a 500), change nothing, and the service serves
 * again once the database is back, without a restart.
 *
 * The PostgreSQL part runs the real path: the store connects through a TCP proxy that the test
 * cuts (every connection dropped, new ones refused) and opens again on the same port. Under
 * CI=true an unreachable PostgreSQL fails the suite instead of skipping it.
 */
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type ZkidApp } from '../../src/server/app.ts';
import { ensureIssuerKey } from '../../src/server/issuer-service.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { storeUnavailable } from '../../src/store/unavailable.ts';
import { askUntil, CuttableProxy } from '../helpers/tcp-proxy.ts';
import { dropSchemas, newSchemaName, postgresRequired, TEST_DATABASE_URL } from '../store/engines.ts';
import { createRequest, expectError, fakePresentation, RP_AUTH, TestClock, testConfig } from './helpers.ts';

describe('storeUnavailable', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    [
      'PostgreSQL shutting down (57P01)',
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ],
    ['PostgreSQL starting up (57P03)', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['too many connections (53300)', Object.assign(new Error('sorry, too many clients already'), { code: '53300' })],
    ['a connection exception (08006)', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['pg: a connection that ended', new Error('Connection terminated unexpectedly')],
    ['pg-pool: no connection in time', new Error('timeout exceeded when trying to connect')],
    ['SQLite: the lock held past the busy timeout', Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })],
    [
      'every address of a host refused',
      new AggregateError([
        Object.assign(new Error('a'), { code: 'ECONNREFUSED' }),
        Object.assign(new Error('b'), { code: 'ECONNREFUSED' }),
      ]),
    ],
  ])('is true for %s', (_what, e) => {
    expect(storeUnavailable(e)).toBe(true);
  });

  it.each([
    ['a syntax error (42601)', Object.assign(new Error('syntax error'), { code: '42601' })],
    ['a unique violation (23505)', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a SQLite constraint', Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })],
    ['a plain error', new Error('boom')],
    ['an aggregate with one other cause', new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' }), new Error('b')])],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
  ])('is false for %s', (_what, e) => {
    expect(storeUnavailable(e)).toBe(false);
  });
});

const pgProblem = await postgresRequired('store outage');

describe.skipIf(pgProblem !== undefined)(`PostgreSQL going away and coming back${pgProblem ? ` (skipped: ${pgProblem})` : ''}`, () => {
  const schema = newSchemaName();
  const proxy = CuttableProxy.to(TEST_DATABASE_URL, 5432);
  let store: PostgresStore;
  let app: ZkidApp;

  beforeAll(async () => {
    await proxy.open();
    store = await PostgresStore.open({
      connectionString: proxy.url(TEST_DATABASE_URL),
      schema,
      poolSize: 4,
      // idle connections fail when the proxy cuts them: expected here, not worth a line on stderr
      onError: () => undefined,
    });
    const clock = new TestClock();
    await ensureIssuerKey(store, clock.now());
    app = await createApp({ store, config: testConfig(), clock: clock.now, logger: pino({ level: 'silent' }), publicDir: null });
  });

  afterAll(async () => {
    await app?.close();
    await proxy.cut();
    await dropSchemas([schema]);
  });

  it('answers 503 STORE_UNAVAILABLE with Retry-After while it is gone, changes nothing, and serves again when it is back', async () => {
    const { id } = (await createRequest(app, 'over18')).request;
    expect((await request(app).get(`/v1/requests/${id}/holder`)).status).toBe(200);

    await proxy.cut();
    const reads = await request(app).get(`/v1/requests/${id}/holder`);
    expectError(reads, 503, 'STORE_UNAVAILABLE');
    expect(reads.headers['retry-after']).toBe('1');
    // nothing of the database reaches the caller: the driver's text (host, port) goes to the log only
    expect(reads.body.error.message).toBe('the database cannot be reached: retry shortly');
    expect(reads.text).not.toContain(String(proxy.port));
    const presented = await request(app).post(`/v1/requests/${id}/presentation`).send(fakePresentation(id));
    expectError(presented, 503, 'STORE_UNAVAILABLE');
    expect(presented.headers['retry-after']).toBe('1');
    expectError(await request(app).post('/v1/requests').set(RP_AUTH).send({ policy: 'over18' }), 503, 'STORE_UNAVAILABLE');
    expectError(await request(app).get('/healthz'), 503, 'NOT_READY');

    await proxy.open();
    // the pool connects again on the next query
    const back = await askUntil(
      () => request(app).get(`/v1/requests/${id}/holder`),
      (r) => r.status === 200,
    );
    expect(back.status).toBe(200);
    // The presentation sent while it was gone changed nothing: the request is still pending, with no error recorded.
    expect(back.body.status).toBe('pending');
    const status = await request(app).get(`/v1/requests/${id}`).set(RP_AUTH);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ status: 'pending' });
    expect(status.body.error).toBeUndefined();
    expect((await request(app).get('/healthz')).status).toBe(200);
    // a new request is created again (createRequest asserts the 201)
    expect((await createRequest(app, 'over18')).request.id).not.toBe(id);
  }, 60_000);
});
