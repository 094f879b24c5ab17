/**
 * A closed-loop HTTP load generator for the service benchmarks (service-scale, soak, faults), and
 * readers of a process's CPU time and resident memory from /proc.
 *
 * Why not autocannon here: these scenarios need each request's own outcome (which presentation got
 * a 200, which connection died when an instance was killed) and one latency sample per request
 * across two instances, so the percentiles of two targets are those of the merged samples, not a
 * mix of two histograms. `connections` loops each keep one request in flight on a keep-alive
 * connection; loop i sends to target i mod targets.length, so two instances get half the
 * connections each (what a round-robin balancer in front of them would do, without a proxy process
 * on the same two cores). Each connection is an undici Client (see `connect`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from 'undici';

export interface Shot {
  path: string;
  body: string | Buffer;
  /** default application/json */
  contentType?: string;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
}

export interface Outcome<T> {
  shot: T;
  /** HTTP status, or 0 when the connection failed (no answer: the outcome is unknown) */
  status: number;
  /** the target (index into `targets`) that answered or failed */
  target: number;
  ms: number;
  /** order in which the requests were sent (0 first): the first `connections` are the first wave, all sent at once */
  seq: number;
  /** the response body when `keepBodies` */
  body?: string;
  error?: string;
}

export interface LoadOptions<T> {
  connections: number;
  /** the next request to send, or undefined when done */
  next: () => T | undefined;
  shotOf: (t: T) => Shot;
  timeoutMs?: number;
  keepBodies?: boolean;
  /** called with every outcome as it arrives */
  onOutcome?: (o: Outcome<T>) => void;
  /** after a failed connection, the loop moves to the next target (a balancer's failover) */
  failover?: boolean;
}

export interface LoadResult<T> {
  outcomes: Outcome<T>[];
  /** from the first request sent to the last outcome, seconds */
  durationS: number;
}

/**
 * One keep-alive connection (an undici Client with one request in flight). undici rather than
 * node:http: per request the load generator shares the two cores with the service it measures,
 * and node:http's agent, request and response objects cost it about 0.1-0.35 ms of CPU a request
 * where undici's client costs a few tens of microseconds (the `loadCpuMsPerRequest` column).
 */
function connect(url: URL, timeoutMs: number): Client {
  return new Client(url.origin, { pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: timeoutMs } });
}

async function send(client: Client, shot: Shot, keepBody: boolean): Promise<{ status: number; body?: string; error?: string }> {
  try {
    const res = await client.request({
      path: shot.path,
      method: shot.method ?? 'POST',
      headers: { 'content-type': shot.contentType ?? 'application/json', ...shot.headers },
      ...(shot.method === 'GET' ? {} : { body: shot.body }),
    });
    if (keepBody) return { status: res.statusCode, body: await res.body.text() };
    await res.body.dump();
    return { status: res.statusCode };
  } catch (e) {
    const err = e as { code?: string; message: string };
    return { status: 0, error: err.code ?? err.message };
  }
}

/** Send every request `next` yields over `connections` keep-alive connections spread over `targets`. */
export async function runLoad<T>(targets: string[], o: LoadOptions<T>): Promise<LoadResult<T>> {
  if (targets.length === 0) throw new RangeError("Parameter 'targets' must name at least one URL");
  const urls = targets.map((t) => new URL(t));
  const clients: Client[] = [];
  const outcomes: Outcome<T>[] = [];
  let first = 0;
  let last = 0;
  let sent = 0;
  const loop = async (i: number) => {
    let target = i % urls.length;
    // this loop's connection to each target, opened when first used
    const mine = new Map<number, Client>();
    const clientFor = (t: number): Client => {
      let c = mine.get(t);
      if (!c) {
        c = connect(urls[t] as URL, o.timeoutMs ?? 30_000);
        mine.set(t, c);
        clients.push(c);
      }
      return c;
    };
    for (let item = o.next(); item !== undefined; item = o.next()) {
      const shot = o.shotOf(item);
      const t0 = performance.now();
      if (first === 0) first = t0;
      const seq = sent++;
      const r = await send(clientFor(target), shot, o.keepBodies === true);
      last = performance.now();
      const out: Outcome<T> = { ...r, shot: item, target, ms: last - t0, seq };
      outcomes.push(out);
      o.onOutcome?.(out);
      if (r.status === 0 && o.failover) target = (target + 1) % urls.length;
    }
  };
  try {
    await Promise.all(Array.from({ length: o.connections }, (_, i) => loop(i)));
  } finally {
    await Promise.all(clients.map((c) => c.destroy().catch(() => undefined)));
  }
  return { outcomes, durationS: last > first ? (last - first) / 1000 : 0 };
}

/** Latency percentiles (nearest rank) of a sample, ms. */
export function latency(ms: number[]): { mean: number; p50: number; p90: number; p99: number; max: number } {
  if (ms.length === 0) return { mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    mean: r(s.reduce((a, b) => a + b, 0) / s.length),
    p50: r(at(0.5)),
    p90: r(at(0.9)),
    p99: r(at(0.99)),
    max: r(s[s.length - 1] as number),
  };
}

/** Responses by status ("0" counted as "errors": no answer). */
export function statusCounts(outcomes: { status: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of outcomes) {
    const k = o.status === 0 ? 'errors' : String(o.status);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

export const fiveHundreds = (statuses: Record<string, number>): number =>
  Object.entries(statuses).reduce((n, [k, v]) => (/^5\d\d$/.test(k) ? n + v : n), 0);

const TICKS = 100; // USER_HZ: Linux reports /proc CPU times in 1/100 s on every architecture it exports to user space

function statFields(pid: number, tid?: number): string[] | undefined {
  try {
    const s = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: split after its closing parenthesis.
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

// fields after the name start at field 3 (state): utime is field 14, stime 15
const userAndSystem = (f: string[] | undefined): number => (f ? (Number(f[11]) + Number(f[12])) / TICKS : 0);

/** CPU time (user + system, all threads) a process has used, seconds; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  return userAndSystem(statFields(pid));
}

/**
 * CPU time of a process's main thread alone (for a Node process: its event loop; its worker
 * threads and V8's and libuv's helper threads are the rest), seconds; 0 when it is gone.
 */
export function mainThreadCpuSeconds(pid: number): number {
  return userAndSystem(statFields(pid, pid));
}

/**
 * CPU time of every PostgreSQL process visible here (the server shares this machine), seconds:
 * each one's own time plus, for the postmaster, the time of backends that have exited.
 * undefined when no postgres process is visible (a remote server).
 */
export function postgresCpuSeconds(): number | undefined {
  let total = 0;
  let seen = false;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${name}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm !== 'postgres' && comm !== 'postmaster') continue;
    const f = statFields(Number(name));
    if (!f) continue;
    seen = true;
    total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
  }
  return seen ? total : undefined;
}

/** Resident memory of a process (VmRSS), MiB; undefined when it is gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The counters of a service's /metrics (Prometheus text): each series, with its labels as
 * exposed, to its value. Histograms' and gauges' series come too; comments do not.
 */
export async function scrapeMetrics(baseUrl: string): Promise<Map<string, number>> {
  const res = await fetch(new URL('/metrics', baseUrl));
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    const v = Number(line.slice(at + 1));
    if (at > 0 && Number.isFinite(v)) out.set(line.slice(0, at), v);
  }
  return out;
}

/** How the service batched over a burst: from two scrapes of /metrics per instance (before, after). */
export interface Batching {
  /** presentations per verification batch (the pool's counters, all instances) */
  meanBatch?: number;
  /** PostgreSQL: calls per coalesced statement, by operation (request_lookup, request_consumption) */
  callsPerStatement?: Record<string, number>;
}

export function batchingOf(before: Map<string, number>[], after: Map<string, number>[]): Batching {
  const delta = (series: string) =>
    after.reduce((n, a, i) => n + (a.get(series) ?? 0) - ((before[i] as Map<string, number>).get(series) ?? 0), 0);
  const batches = delta('zkid_verification_batches_total');
  const out: Batching = batches > 0 ? { meanBatch: delta('zkid_verification_batched_presentations_total') / batches } : {};
  const ops = new Set(
    after.flatMap((a) => [...a.keys()].map((k) => /^zkid_store_coalesced_statements_total\{op="([^"]+)"\}$/.exec(k)?.[1])),
  );
  ops.delete(undefined);
  const per: Record<string, number> = {};
  for (const op of ops) {
    const statements = delta(`zkid_store_coalesced_statements_total{op="${op}"}`);
    if (statements > 0) per[op as string] = delta(`zkid_store_coalesced_calls_total{op="${op}"}`) / statements;
  }
  return Object.keys(per).length ? { ...out, callsPerStatement: per } : out;
}
