/**
 * The benchmarks' load generator (scripts/bench/load.ts) against a small local server: every
 * request answered once with its own status and body, exactly `connections` keep-alive
 * connections spread over the targets, each request's place in the sending order, a refused
 * target reported as status 0 and, with failover, the loop moving on to the next target; and the
 * /proc CPU readers the service bench uses; the /metrics scrape that tells how the service batched.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { batchingOf, cpuSeconds, mainThreadCpuSeconds, runLoad, scrapeMetrics, statusCounts } from '../../scripts/bench/load.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server answering POST /echo/:n with status 200 + n % 3 and the body it got; counts its connections. */
async function echoServer(): Promise<{ url: string; sockets: () => number }> {
  let sockets = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = Number(req.url?.split('/')[2] ?? 0);
      res.writeHead(200 + (n % 3), { 'content-type': 'text/plain' });
      res.end(`${req.method} ${req.headers['content-type']} ${Buffer.concat(chunks).toString()}`);
    });
  });
  server.on('connection', () => sockets++);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets: () => sockets };
}

describe('runLoad', () => {
  it('answers each request once with its own status and body, over exactly `connections` connections per target', async () => {
    const [a, b] = [await echoServer(), await echoServer()];
    const items = Array.from({ length: 60 }, (_, i) => i);
    let next = 0;
    const r = await runLoad([a.url, b.url], {
      connections: 4,
      next: () => items[next++],
      shotOf: (i) => ({ path: `/echo/${i}`, body: `body ${i}` }),
      keepBodies: true,
    });
    expect(r.outcomes).toHaveLength(60);
    expect(r.outcomes.map((o) => o.shot).sort((x, y) => x - y)).toEqual(items);
    for (const o of r.outcomes) {
      expect(o.status).toBe(200 + (o.shot % 3));
      expect(o.body).toBe(`POST application/json body ${o.shot}`);
      expect(o.ms).toBeGreaterThan(0);
    }
    expect(statusCounts(r.outcomes)).toEqual({ '200': 20, '201': 20, '202': 20 });
    expect([a.sockets(), b.sockets()]).toEqual([2, 2]);
    expect(new Set(r.outcomes.map((o) => o.target))).toEqual(new Set([0, 1]));
    expect(r.durationS).toBeGreaterThan(0);
    // send order: each number once; the first wave (one request a connection) are the items 0-3
    expect(r.outcomes.map((o) => o.seq).sort((x, y) => x - y)).toEqual(items);
    expect(
      r.outcomes
        .filter((o) => o.seq < 4)
        .map((o) => o.shot)
        .sort((x, y) => x - y),
    ).toEqual([0, 1, 2, 3]);
  });

  it('reports a refused connection as status 0 and, with failover, sends the rest to the next target', async () => {
    const live = await echoServer();
    const dead = await echoServer();
    await new Promise((r) => servers.pop()?.close(r));
    let next = 0;
    const r = await runLoad([dead.url, live.url], {
      connections: 1,
      failover: true,
      next: () => (next < 5 ? next++ : undefined),
      shotOf: (i) => ({ path: `/echo/${i * 3}`, body: 'x', contentType: 'text/plain' }),
      keepBodies: true,
    });
    expect(r.outcomes.map((o) => [o.target, o.status])).toEqual([
      [0, 0],
      [1, 200],
      [1, 200],
      [1, 200],
      [1, 200],
    ]);
    expect(r.outcomes[0]?.error).toBe('ECONNREFUSED');
    expect(r.outcomes[1]?.body).toBe('POST text/plain x');
  });
});

describe('CPU time from /proc', () => {
  it("reads a process's CPU time and its main thread's apart (0 for a process that is gone)", () => {
    // spin the main thread for a while so both have ticks to show
    const until = performance.now() + 60;
    while (performance.now() < until) Math.sqrt(Math.random());
    const main = mainThreadCpuSeconds(process.pid);
    expect(main).toBeGreaterThan(0);
    expect(main).toBeLessThanOrEqual(cpuSeconds(process.pid));
    expect(mainThreadCpuSeconds(2 ** 22 + 7)).toBe(0);
  });
});

describe('batching from /metrics', () => {
  /** A server answering GET /metrics with `text`, and 503 to anything else. */
  async function metricsServer(text: () => string): Promise<string> {
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/metrics' ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(req.url === '/metrics' ? text() : '');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const exposition = (batches: number, presentations: number, lookups: [number, number], consumptions: [number, number]) =>
    [
      '# HELP zkid_verification_batches_total batches',
      '# TYPE zkid_verification_batches_total counter',
      `zkid_verification_batches_total ${batches}`,
      `zkid_verification_batched_presentations_total ${presentations}`,
      `zkid_store_coalesced_statements_total{op="request_lookup"} ${lookups[0]}`,
      `zkid_store_coalesced_calls_total{op="request_lookup"} ${lookups[1]}`,
      `zkid_store_coalesced_statements_total{op="request_consumption"} ${consumptions[0]}`,
      `zkid_store_coalesced_calls_total{op="request_consumption"} ${consumptions[1]}`,
      'zkid_http_request_duration_seconds_bucket{le="0.005",route="metrics"} 3',
      '',
    ].join('\n');

  it('reads every series with its labels, and sums the deltas of several instances', async () => {
    let a = exposition(10, 100, [50, 100], [10, 100]);
    const b = exposition(0, 0, [0, 0], [0, 0]);
    const urlA = await metricsServer(() => a);
    const urlB = await metricsServer(() => b);
    const before = await Promise.all([scrapeMetrics(urlA), scrapeMetrics(urlB)]);
    expect(before[0]?.get('zkid_store_coalesced_calls_total{op="request_lookup"}')).toBe(100);
    expect(before[0]?.get('zkid_http_request_duration_seconds_bucket{le="0.005",route="metrics"}')).toBe(3);
    expect([...(before[0]?.keys() ?? [])].some((k) => k.startsWith('#'))).toBe(false);
    // over the burst: instance A 20 batches of 300 presentations, lookups 300 in 100 statements
    a = exposition(30, 400, [150, 400], [30, 400]);
    const after = await Promise.all([scrapeMetrics(urlA), scrapeMetrics(urlB)]);
    expect(batchingOf(before, after)).toEqual({ meanBatch: 15, callsPerStatement: { request_lookup: 3, request_consumption: 15 } });
    // nothing batched, no store counters (SQLite): nothing to say
    const idle = [new Map([['zkid_verification_batches_total', 4]])];
    expect(batchingOf(idle, idle)).toEqual({});
  });

  it('fails on a /metrics that does not answer 200', async () => {
    const broken = createServer((_req, res) => {
      res.writeHead(401);
      res.end();
    });
    servers.push(broken);
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
    await expect(scrapeMetrics(`http://127.0.0.1:${(broken.address() as AddressInfo).port}`)).rejects.toThrow('GET /metrics answered 401');
  });
});
