/**
 * The service under load: verified presentations per second and latency percentiles, measured
 * with autocannon against the compiled service (`dist/server/main.js`, what `npm start` runs: the
 * build made first, once per bench process) started as a child process on a free port, a
 * temporary data directory and a configuration without rate limits.
 *
 * Each accepted presentation consumes its request's challenge, so the "accepted" scenario needs as
 * many prepared proofs as requests: the holder proves `proofs` distinct requests first (about
 * 1.5 s each) and autocannon sends each exactly once. Two sustained scenarios reuse them:
 * "replayed" sends the already-used presentations again (rejected cheaply with 409, before any
 * cryptography) and "invalid-proof" sends presentations whose A and C points are swapped (valid
 * points, exact public signals, so every check runs and the pairing fails: 422, and the request
 * stays pending, so they can be repeated). The three are reported separately.
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { circuitBuild } from '../../src/circuit/artifacts-node.ts';
import { createHolderSecret, holderCommitment } from '../../src/credential/holder.ts';
import type { Credential } from '../../src/credential/schema.ts';
import { toDecimal } from '../../src/field.ts';
import { generateProof } from '../../src/prover/generate-proof.ts';
import type { Presentation, ProofRequest } from '../../src/request.ts';
import { type Bucket, bucketIndexOf } from '../../src/revocation/tree.ts';
import { DEMO_RP_KEY } from '../../src/server/config.ts';
import { ROOT } from '../lib/circuits.ts';
import { step } from '../lib/progress.ts';
import type { ServiceRow } from './types.ts';

export class Unavailable extends Error {}

export interface RunningServer {
  url: string;
  /** the service's process id (node itself: its CPU time and memory are in /proc/<pid>) */
  pid: number;
  /** SIGTERM, wait for the exit, remove the temporary data directory (not one passed in) */
  stop(): Promise<void>;
  /** SIGKILL (a crash): resolves once the process is gone */
  kill(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface StartOptions {
  /** an existing SQLite data directory (kept on stop); default: a new temporary one, removed on stop */
  dataDir?: string;
  /** postgres://...: the PostgreSQL store instead of SQLite */
  databaseUrl?: string;
  /** keys merged over the bench configuration (no rate limits, a one-hour request TTL) */
  config?: Record<string, unknown>;
  /** extra node options for the service process (e.g. --cpu-prof); default: ZKID_BENCH_NODE_ARGS, split at spaces */
  nodeArgs?: string[];
}

/** The bench's service configuration: no rate limits; `extra` merged over it. */
export function benchConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const unlimited = 1e9;
  return {
    serviceId: 'bench.example',
    demo: true,
    requestTtlSeconds: 3600,
    rateLimits: { general: unlimited, requests: unlimited, presentations: unlimited, issuer: unlimited, enrol: unlimited },
    ...extra,
  };
}

let built: Promise<void> | undefined;

/** `npm run build` once per bench process (dist/: compiled service, wallet bundle, compressed artifacts). */
function buildOnce(): Promise<void> {
  built ??= step('build the service (npm run build)', async () => {
    await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--quiet'], { cwd: ROOT, timeout: 600_000 });
  });
  return built;
}

/**
 * Start the compiled service (dist/server/main.js, as `npm start` does) on a free port, by default
 * with a temporary data directory.
 * @throws Unavailable when the service is not in this checkout or does not become healthy
 */
export async function startServer(o: StartOptions = {}): Promise<RunningServer> {
  if (!existsSync(join(ROOT, 'scripts', 'build.mjs')))
    throw new Unavailable('the production build (scripts/build.mjs) is not in this checkout');
  await buildOnce();
  const entry = join(ROOT, 'dist', 'server', 'main.js');
  const port = await freePort();
  const tempDir = mkdtempSync(join(tmpdir(), 'zkid-bench-'));
  const dataDir = o.dataDir ?? tempDir;
  const configPath = join(tempDir, 'bench-config.json');
  writeFileSync(configPath, JSON.stringify(benchConfig(o.config)));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    WALLET_PORT: '0',
    HOST: '127.0.0.1',
    ZKID_DATA_DIR: dataDir,
    ZKID_CONFIG: configPath,
    ZKID_ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  const nodeArgs = o.nodeArgs ?? (process.env.ZKID_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const url = `http://127.0.0.1:${port}`;
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    rmSync(tempDir, { recursive: true, force: true });
  };
  const stop = () => end('SIGTERM');
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Unavailable(`the service exited at start (code ${child.exitCode}):\n${log}`);
    }
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Unavailable(`the service did not answer /healthz within 90 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, pid: child.pid as number, stop, kill: () => end('SIGKILL') };
}

async function call<T>(url: string, path: string, body?: unknown, bearer?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export interface Holder {
  credential: Credential;
  secret: bigint;
  bucket: Bucket;
}

/** A demo credential from the service (POST /v1/demo/enrol) and the bucket that holds its serial. */
export async function enrolHolder(url: string): Promise<Holder> {
  const secret = createHolderSecret();
  const enrol = await call<{ credential: Credential }>(url, '/v1/demo/enrol', { holderCommitment: toDecimal(holderCommitment(secret)) });
  if (enrol.status !== 201) throw new Unavailable(`POST /v1/demo/enrol answered ${enrol.status}: ${JSON.stringify(enrol.body)}`);
  const index = bucketIndexOf(BigInt(enrol.body.credential.serial));
  const bucket = await call<Bucket>(url, `/v1/registry/buckets/${index}`);
  if (bucket.status !== 200) throw new Unavailable(`GET /v1/registry/buckets/${index} answered ${bucket.status}`);
  return { credential: enrol.body.credential, secret, bucket: bucket.body };
}

/** A fresh proof request for the over18 policy (POST /v1/requests, as the demo relying party). */
export async function newRequest(url: string): Promise<ProofRequest> {
  const r = await call<{ request: ProofRequest }>(url, '/v1/requests', { policy: 'over18' }, DEMO_RP_KEY);
  if (r.status !== 201) throw new Unavailable(`POST /v1/requests answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body.request;
}

export function submitPresentation(url: string, p: Presentation): Promise<{ status: number; body: unknown }> {
  return call(url, `/v1/requests/${p.requestId}/presentation`, p);
}

export interface ServiceOptions {
  /** presentations for the accepted scenario (each proved for its own request) */
  proofs: number;
  connections: number;
  /** seconds of each sustained scenario */
  durationS: number;
}

async function load(
  url: string,
  scenario: ServiceRow['scenario'],
  expected: number,
  bodies: Presentation[],
  o: { connections: number; amount?: number; durationS?: number },
  note: string,
): Promise<ServiceRow> {
  const { default: autocannon } = await import('autocannon');
  let next = 0;
  // Throughput from the first request sent to the last response received (autocannon's own
  // start and finish are rounded to its one-second sampling ticks).
  let first = 0;
  let last = 0;
  const r = await step(
    `service: ${scenario} (${o.amount ? `${o.amount} requests` : `${o.durationS} s`}, ${o.connections} connections)`,
    () =>
      autocannon({
        url,
        connections: o.connections,
        pipelining: 1,
        timeout: 30,
        ...(o.amount ? { amount: o.amount } : { duration: o.durationS }),
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => {
              if (first === 0) first = performance.now();
              const p = bodies[next++ % bodies.length] as Presentation;
              return {
                ...req,
                path: `/v1/requests/${p.requestId}/presentation`,
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(p),
              };
            },
            onResponse: () => {
              last = performance.now();
            },
          },
        ],
      }),
  );
  const statuses: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statuses[code] = Number(s.count);
  if (r.errors) statuses.errors = r.errors;
  if (r.timeouts) statuses.timeouts = r.timeouts;
  const durationS = last > first ? (last - first) / 1000 : r.duration;
  const good = statuses[String(expected)] ?? 0;
  const row: ServiceRow = {
    scenario,
    connections: o.connections,
    requests: Object.values(statuses).reduce((a, b) => a + b, 0),
    statuses,
    durationS,
    perSecond: durationS > 0 ? good / durationS : 0,
    latencyMs: { mean: r.latency.mean, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    note,
  };
  process.stderr.write(
    `  ${row.perSecond.toFixed(1)}/s with status ${expected}; latency p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms; statuses ${JSON.stringify(statuses)}\n`,
  );
  return row;
}

/** Swap A and C: both stay valid G1 points, so the proof passes every check but the pairing. */
function breakProof(p: Presentation): Presentation {
  return { ...p, proof: { ...p.proof, pi_a: p.proof.pi_c, pi_c: p.proof.pi_a } };
}

/** Run the three scenarios against a running service. */
export async function benchService(url: string, o: ServiceOptions): Promise<ServiceRow[]> {
  const build = circuitBuild();
  const holder = await enrolHolder(url);
  const WARMUP = 2;
  const INVALID = Math.max(1, o.connections);
  const total = WARMUP + o.proofs + INVALID;
  const presentations: Presentation[] = [];
  await step(`service: proving ${total} presentations for distinct requests`, async () => {
    for (let i = 0; i < total; i++) {
      const request = await newRequest(url);
      presentations.push(
        await generateProof({
          credential: holder.credential,
          holderSecret: holder.secret,
          request,
          revocation: holder.bucket,
          artifacts: { wasm: build.wasm, zkey: build.zkey },
        }),
      );
      process.stderr.write(`\r  ${i + 1}/${total}   `);
    }
    process.stderr.write('\n');
  });
  const warm = presentations.slice(0, WARMUP);
  const accepted = presentations.slice(WARMUP, WARMUP + o.proofs);
  const invalid = presentations.slice(WARMUP + o.proofs).map(breakProof);
  for (const p of warm) {
    const r = await submitPresentation(url, p);
    if (r.status !== 200) throw new Error(`warm-up presentation answered ${r.status}: ${JSON.stringify(r.body)}`);
  }
  const rows: ServiceRow[] = [];
  rows.push(
    await load(
      url,
      'accepted',
      200,
      accepted,
      { connections: o.connections, amount: accepted.length },
      `${accepted.length} distinct valid presentations, each sent once (a verified presentation consumes its challenge), after ${WARMUP} warm-up ones`,
    ),
  );
  rows.push(
    await load(
      url,
      'replayed',
      409,
      [...warm, ...accepted],
      { connections: o.connections, durationS: o.durationS },
      `the ${warm.length + accepted.length} used presentations sent again in a loop: REQUEST_ALREADY_USED before any cryptography`,
    ),
  );
  rows.push(
    await load(
      url,
      'invalid-proof',
      422,
      invalid,
      { connections: o.connections, durationS: o.durationS },
      `${invalid.length} presentations with A and C swapped, in a loop: every check and the pairing run, then PROOF_INVALID; the requests stay pending`,
    ),
  );
  return rows;
}
