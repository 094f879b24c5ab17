/**
 * Accepted presentations per second at several connection counts: SQLite with one service
 * process, PostgreSQL with two processes on one database, each with its default verification
 * worker threads (one per core) and with none (verification on the main thread).
 *
 * Every scenario starts from a fresh copy of the prepared fixture (scripts/bench/service-fixture.ts),
 * so each of its presentations is distinct, valid and accepted once; only the service is timed.
 * Before the timed burst, each instance is warmed up as a service that has been running a while
 * would be: SCALE_WARMUP.broken presentations with a broken proof (the full path, pairing and
 * bisection included, then 422), then SCALE_WARMUP.mismatched with a wrong challenge (the HTTP
 * path, the store's lookup and rejection record, the pool and the worker's precheck, then 422);
 * their requests stay pending. V8 optimises a process's hot functions on background threads over
 * its first few thousand requests, and with a short warm-up that work ran inside the burst (per
 * thread CPU while a fresh process answers rounds of 1,000: V8's helper threads 0.39 ms a request
 * in the first round, 0.05-0.09 from the fourth; after 400 broken proofs only, a 2,000 burst
 * spent ~0.25 ms a presentation on them and the main thread 0.49 ms, against ~0.1 and 0.37 after
 * the mismatched ones too; accepted/s 766-780 against 910-986, same code and host). The load
 * generator (scripts/bench/load.ts) keeps `connections` requests in flight; with two instances
 * half of the connections go to each (no proxy). CPU per verification is the service processes'
 * CPU time (all threads, from /proc) over the burst divided by the accepted presentations, and
 * apart the main threads' (the event loops: HTTP, JSON, the store; the rest is the verification
 * workers and V8's and libuv's helper threads); for
 * PostgreSQL, the database's processes are counted apart.
 */

import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SIGNAL } from '../../src/circuit/registry.ts';
import type { Presentation } from '../../src/request.ts';
import { step } from '../lib/progress.ts';
import {
  type Batching,
  batchingOf,
  cpuSeconds,
  fiveHundreds,
  latency,
  mainThreadCpuSeconds,
  postgresCpuSeconds,
  runLoad,
  type Shot,
  scrapeMetrics,
  statusCounts,
} from './load.ts';
import { type RunningServer, startServer } from './service.ts';
import { FIXTURE_CONFIG, type Fixture, postgresCopy, sqliteCopy } from './service-fixture.ts';
import { summarize } from './stats.ts';
import type { Latency, ScaleRow } from './types.ts';

/**
 * What each instance answers before a service-scale burst (a running service is warm): broken
 * proofs (every verification step, the batch's bisection) and presentations with a wrong
 * challenge (rejected in the worker's precheck: cheap, and they warm everything around it).
 */
export const SCALE_WARMUP = { broken: 400, mismatched: 6000 };

/** Swap A and C: both stay valid G1 points, so the proof passes every check but the pairing. */
export function breakProof(p: Presentation): Presentation {
  return { ...p, proof: { ...p.proof, pi_a: p.proof.pi_c, pi_c: p.proof.pi_a } };
}

/** The same presentation bound to another challenge: refused (CHALLENGE_MISMATCH) before any curve arithmetic. */
export function mischallenge(p: Presentation): Presentation {
  const publicSignals = [...p.publicSignals];
  publicSignals[SIGNAL.challenge] = publicSignals[SIGNAL.challenge] === '1' ? '2' : '1';
  return { ...p, publicSignals };
}

export const presentationShot = (p: Presentation): Shot => ({ path: `/v1/requests/${p.requestId}/presentation`, body: JSON.stringify(p) });

export interface Deployment {
  store: 'sqlite' | 'postgres';
  servers: RunningServer[];
  /** the PostgreSQL database's URL */
  databaseUrl?: string;
  close(): Promise<void>;
}

/**
 * The presentations with their requests' tickets (GET /v1/requests/:id/holder, 8 at a time).
 * @throws Error when a holder view fails or has no ticket (the deployment is not what it seems)
 */
export async function withTickets(url: string, presentations: Presentation[]): Promise<(Presentation & { ticket: string })[]> {
  const out: (Presentation & { ticket: string })[] = new Array(presentations.length);
  let k = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = k++; i < presentations.length; i = k++) {
        const p = presentations[i] as Presentation;
        const res = await fetch(`${url}/v1/requests/${encodeURIComponent(String(p.requestId))}/holder`);
        const view = (await res.json()) as { status?: string; ticket?: unknown };
        if (res.status !== 200 || typeof view.ticket !== 'string') {
          throw new Error(`holder view of ${p.requestId}: ${res.status} ${view.status ?? ''}, no ticket`);
        }
        out[i] = { ...p, ticket: view.ticket };
      }
    }),
  );
  return out;
}

/** One SQLite instance on a copy of the fixture, or `instances` PostgreSQL ones on a fresh database. */
export async function deploy(
  fixture: Fixture,
  o: { store: 'sqlite' | 'postgres'; instances?: number; workers?: number; pgUrl?: string },
): Promise<Deployment> {
  const config = { ...FIXTURE_CONFIG, ...(o.workers !== undefined ? { verification: { workers: o.workers } } : {}) };
  if (o.store === 'sqlite') {
    const dataDir = sqliteCopy(fixture);
    try {
      const server = await startServer({ dataDir, config });
      return {
        store: 'sqlite',
        servers: [server],
        close: async () => {
          await server.stop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    } catch (e) {
      rmSync(dataDir, { recursive: true, force: true });
      throw e;
    }
  }
  const db = await postgresCopy(fixture, o.pgUrl);
  const servers: RunningServer[] = [];
  const close = async () => {
    for (const s of servers) await s.stop();
    await db.drop();
  };
  try {
    for (let i = 0; i < (o.instances ?? 2); i++) servers.push(await startServer({ databaseUrl: db.url, config }));
  } catch (e) {
    await close();
    throw e;
  }
  return { store: 'postgres', servers, databaseUrl: db.url, close };
}

/**
 * Warm each instance up with presentations that are refused, 8 at a time (so every verification
 * worker gets batches): `broken` with a broken proof (full verification, 422 PROOF_INVALID), then
 * `mismatched` with a wrong challenge (422 CHALLENGE_MISMATCH). Their requests stay pending.
 * @throws when a warm-up presentation is answered otherwise (the deployment is not what it seems)
 */
export async function warmUp(
  d: Deployment,
  presentations: Presentation[],
  o: { broken: number; mismatched?: number } = { broken: 32 },
): Promise<void> {
  let i = 0;
  const pick = () => presentations[i++ % presentations.length] as Presentation;
  await Promise.all(
    d.servers.map(async (s) => {
      const phases: [string, string, Presentation[]][] = [
        ['broken proofs', 'PROOF_INVALID', Array.from({ length: o.broken }, () => breakProof(pick()))],
        ['wrong challenges', 'CHALLENGE_MISMATCH', Array.from({ length: o.mismatched ?? 0 }, () => mischallenge(pick()))],
      ];
      for (const [what, code, bodies] of phases) {
        let k = 0;
        const r = await runLoad([s.url], { connections: 8, next: () => bodies[k++], shotOf: presentationShot, keepBodies: true });
        const wrong = r.outcomes.filter((x) => x.status !== 422 || !x.body?.includes(`"code":"${code}"`));
        if (wrong.length) {
          throw new Error(
            `warm-up: ${wrong.length} ${what} answered ${wrong[0]?.status} ${wrong[0]?.body?.slice(0, 200)}, not 422 ${code}`,
          );
        }
      }
    }),
  );
}

async function scenario(
  fixture: Fixture,
  o: { store: 'sqlite' | 'postgres'; instances: number; connections: number; workers?: number; pgUrl?: string; tickets: boolean },
): Promise<ScaleRow> {
  // Instances on one machine share its cores: each gets its share of verification workers (the
  // README's advice for several instances per machine), not one per core each.
  const workers = o.workers ?? Math.max(1, Math.floor(availableParallelism() / o.instances));
  const label = `${o.store} × ${o.instances}, ${o.connections} connections, ${workers} verification workers`;
  const d = await step(`service-scale: ${label}: start`, () =>
    deploy(fixture, {
      store: o.store,
      instances: o.instances,
      workers,
      ...(o.pgUrl ? { pgUrl: o.pgUrl } : {}),
    }),
  );
  try {
    await warmUp(d, fixture.presentations, SCALE_WARMUP);
    // As the wallet does: each request's holder view first, and its ticket sent back with the
    // presentation (before the burst, untimed; from the first instance, and with two instances half
    // of the presentations go to the other one).
    const bodies = o.tickets
      ? await step(`service-scale: ${label}: ${fixture.presentations.length} holder views (their tickets)`, () =>
          withTickets(d.servers[0]?.url as string, fixture.presentations),
        )
      : fixture.presentations;
    // serialised before the burst: the load generator shares the cores with the service
    const shots = bodies.map(presentationShot);
    let next = 0;
    const pids = d.servers.map((s) => s.pid);
    const total = (of: (pid: number) => number) => pids.reduce((a, p) => a + of(p), 0);
    const scrape = () => Promise.all(d.servers.map((s) => scrapeMetrics(s.url)));
    const metrics0 = await scrape();
    const cpu0 = total(cpuSeconds);
    const main0 = total(mainThreadCpuSeconds);
    const db0 = o.store === 'postgres' ? postgresCpuSeconds() : undefined;
    const load0 = process.cpuUsage();
    const r = await step(`service-scale: ${label}: ${bodies.length} presentations`, () =>
      runLoad(
        d.servers.map((s) => s.url),
        { connections: o.connections, next: () => shots[next++], shotOf: (s) => s },
      ),
    );
    const cpu = total(cpuSeconds) - cpu0;
    const main = total(mainThreadCpuSeconds) - main0;
    const load = process.cpuUsage(load0);
    const db1 = o.store === 'postgres' ? postgresCpuSeconds() : undefined;
    const batching = batchingOf(metrics0, await scrape());
    const statuses = statusCounts(r.outcomes);
    const accepted = statuses['200'] ?? 0;
    const ticketNote = o.tickets ? "; with the holder view's tickets" : '; without tickets (each request read from the store)';
    const row: ScaleRow = {
      store: o.store,
      instances: o.instances,
      connections: o.connections,
      workers,
      presentations: bodies.length,
      statuses,
      durationS: r.durationS,
      acceptedPerSecond: r.durationS > 0 ? accepted / r.durationS : 0,
      latencyMs: latency(r.outcomes.map((x) => x.ms)),
      afterFirstWaveMs: latency(r.outcomes.filter((x) => x.seq >= o.connections).map((x) => x.ms)),
      cpuMsPerVerification: accepted ? (cpu * 1000) / accepted : 0,
      ...(accepted ? { eventLoopCpuMsPerVerification: (main * 1000) / accepted } : {}),
      ...(db0 !== undefined && db1 !== undefined && accepted ? { dbCpuMsPerVerification: ((db1 - db0) * 1000) / accepted } : {}),
      loadCpuMsPerRequest: (load.user + load.system) / 1000 / Math.max(1, r.outcomes.length),
      tickets: o.tickets,
      ...batching,
      note:
        o.instances > 1
          ? `${o.instances} instances on one PostgreSQL database, ${o.connections / o.instances} connections to each (no proxy)${ticketNote}`
          : `one instance, ${o.store === 'sqlite' ? 'SQLite in its data directory' : 'PostgreSQL'}${ticketNote}`,
    };
    const bad = fiveHundreds(statuses);
    process.stderr.write(
      `  ${o.tickets ? '' : 'without tickets: '}${row.acceptedPerSecond.toFixed(0)} accepted/s; p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms (after the first wave ${row.afterFirstWaveMs?.p99} ms); ${row.cpuMsPerVerification.toFixed(2)} ms CPU a verification${row.dbCpuMsPerVerification !== undefined ? ` (+ ${row.dbCpuMsPerVerification.toFixed(2)} ms PostgreSQL)` : ''}; load generator ${row.loadCpuMsPerRequest?.toFixed(2)} ms CPU a request; ${batchingText(row)}; statuses ${JSON.stringify(statuses)}${bad ? ` ✘ ${bad} 5xx` : ''}\n`,
    );
    return row;
  } finally {
    await d.close();
  }
}

/** "batches of 15.2 on average; store calls per statement: request_lookup 3.1, ..." */
export function batchingText(b: Batching): string {
  const parts = [b.meanBatch !== undefined ? `batches of ${b.meanBatch.toFixed(1)} on average` : 'no batches'];
  if (b.callsPerStatement) {
    parts.push(
      `store calls per statement: ${Object.entries(b.callsPerStatement)
        .map(([op, v]) => `${op} ${v.toFixed(1)}`)
        .join(', ')}`,
    );
  }
  return parts.join('; ');
}

export interface ScaleOptions {
  connections: number[];
  /** presentations carry their request's ticket from the holder view, as the wallet sends them (default true) */
  tickets?: boolean;
  /** also run each scenario with verification on the main thread (workers = 0) */
  noWorkersToo: boolean;
  /** rounds: each runs every scenario once (default 1); the rows give the medians */
  runs?: number;
  pgUrl?: string;
  /** every scenario's row so far, after each run (for saving partial results) */
  onRows?: (rows: ScaleRow[]) => void;
}

const median = (xs: number[]): number => summarize(xs).median;

const medianLatency = (ls: Latency[]): Latency => ({
  mean: median(ls.map((l) => l.mean)),
  p50: median(ls.map((l) => l.p50)),
  p90: median(ls.map((l) => l.p90)),
  p99: median(ls.map((l) => l.p99)),
  max: median(ls.map((l) => l.max)),
});

/**
 * One row for the runs of one scenario: each figure the median over the runs (so the figures of
 * a row may come from different runs), statuses summed, every run listed in `runs`.
 */
export function combineRuns(rows: ScaleRow[]): ScaleRow {
  const [first] = rows;
  if (!first) throw new RangeError('combineRuns needs at least one run');
  if (rows.length === 1) return first;
  const all = <T>(f: (r: ScaleRow) => T | undefined): T[] | undefined => {
    const xs = rows.map(f);
    return xs.every((x) => x !== undefined) ? (xs as T[]) : undefined;
  };
  const statuses: Record<string, number> = {};
  for (const r of rows) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const wave = all((r) => r.afterFirstWaveMs);
  const db = all((r) => r.dbCpuMsPerVerification);
  const loop = all((r) => r.eventLoopCpuMsPerVerification);
  const load = all((r) => r.loadCpuMsPerRequest);
  const batch = all((r) => r.meanBatch);
  const per = all((r) => r.callsPerStatement);
  const ops = per ? [...new Set(per.flatMap((p) => Object.keys(p)))] : [];
  return {
    ...first,
    statuses,
    durationS: median(rows.map((r) => r.durationS)),
    acceptedPerSecond: median(rows.map((r) => r.acceptedPerSecond)),
    latencyMs: medianLatency(rows.map((r) => r.latencyMs)),
    ...(wave ? { afterFirstWaveMs: medianLatency(wave) } : {}),
    cpuMsPerVerification: median(rows.map((r) => r.cpuMsPerVerification)),
    ...(loop ? { eventLoopCpuMsPerVerification: median(loop) } : {}),
    ...(db ? { dbCpuMsPerVerification: median(db) } : {}),
    ...(load ? { loadCpuMsPerRequest: median(load) } : {}),
    ...(batch ? { meanBatch: median(batch) } : {}),
    ...(per && ops.length ? { callsPerStatement: Object.fromEntries(ops.map((op) => [op, median(per.map((p) => p[op] ?? 0))])) } : {}),
    runs: rows.map((r) => ({
      acceptedPerSecond: r.acceptedPerSecond,
      p99Ms: r.latencyMs.p99,
      ...(r.afterFirstWaveMs ? { p99AfterFirstWaveMs: r.afterFirstWaveMs.p99 } : {}),
      cpuMsPerVerification: r.cpuMsPerVerification,
    })),
  };
}

/**
 * SQLite × 1 and PostgreSQL × 2 at each connection count (and workers = 0 when asked), `runs`
 * rounds of all of them (so a host that slows down for a minute slows one run of each scenario,
 * not every run of one); one row a scenario, the medians of its runs.
 */
export async function benchServiceScale(fixture: Fixture, o: ScaleOptions): Promise<ScaleRow[]> {
  const scenarios: { store: 'sqlite' | 'postgres'; instances: number; connections: number; workers?: number }[] = [];
  for (const workers of o.noWorkersToo ? [undefined, 0] : [undefined]) {
    for (const connections of o.connections) {
      for (const [store, instances] of [
        ['sqlite', 1],
        ['postgres', 2],
      ] as const) {
        scenarios.push({ store, instances, connections, ...(workers !== undefined ? { workers } : {}) });
      }
    }
  }
  const runs: ScaleRow[][] = scenarios.map(() => []);
  const combined = () => runs.filter((r) => r.length > 0).map(combineRuns);
  for (let round = 0; round < Math.max(1, o.runs ?? 1); round++) {
    for (const [i, s] of scenarios.entries()) {
      runs[i]?.push(await scenario(fixture, { ...s, tickets: o.tickets !== false, ...(o.pgUrl ? { pgUrl: o.pgUrl } : {}) }));
      o.onRows?.(combined());
    }
  }
  return combined();
}
