/**
 * Prepared presentations for the service benchmarks, cached outside the repository.
 *
 * A presentation is bound to its request's challenge, which only the service that issued the
 * request knows, so the cache keeps the service's state with the proofs: a SQLite data directory
 * (issuer key, one enrolled holder, N pending requests) and the N presentations proved for them.
 * Each run works on a copy, so every cached presentation is accepted exactly once per scenario:
 *  - SQLite: the database file is copied into a temporary data directory;
 *  - PostgreSQL: a template database (`zkid_bench_fixture_<sha>`) is built once from the SQLite
 *    rows (migrated by the store's own code, then a plain table-by-table copy), and each run
 *    creates `CREATE DATABASE ... TEMPLATE ...` and drops it afterwards.
 * A copy moves its requests' expiry (column and request JSON) a day ahead; the proofs stay valid
 * while their `today` is within the service's date tolerance, so the bench configures
 * `dateToleranceDays: 2` and the cache is rebuilt once it is more than a day old.
 *
 * Layout: ~/.cache/zkid/bench/service-fixture/<circuit>-<zkey sha256 prefix>/{fixture.json, state/}.
 * Asked for more presentations than cached, it proves the missing ones (two child processes, so
 * both cores work); asked for fewer, it uses the first ones.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { circuitBuild } from '../../src/circuit/artifacts-node.ts';
import { addDays, todayUtc } from '../../src/dates.ts';
import { toDecimal } from '../../src/field.ts';
import type { Presentation, ProofRequest } from '../../src/request.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { DATABASE_FILE } from '../../src/store/sqlite.ts';
import { ROOT } from '../lib/circuits.ts';
import { step } from '../lib/progress.ts';
import { enrolHolder, type Holder, newRequest, startServer, Unavailable } from './service.ts';
import type { ProveJob } from './service-fixture-prove.ts';

export const DEFAULT_FIXTURE_CACHE = join(homedir(), '.cache', 'zkid', 'bench', 'service-fixture');
export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const FORMAT = 'zkid/bench-service-fixture/v1';

/** What the service under test must be configured with for the cached presentations to verify. */
export const FIXTURE_CONFIG = { requestTtlSeconds: 86_400, dateToleranceDays: 2 };

interface FixtureFile {
  format: string;
  circuit: string;
  zkeySha256: string;
  /** the requests' `today` (YYYYMMDD, UTC) */
  today: number;
  createdAt: string;
  holder: { credential: Holder['credential']; secret: string; bucket: Holder['bucket'] };
  presentations: Presentation[];
  /** wall time spent proving, seconds, and on how many proofs */
  cost: { proofs: number; proveWallS: number };
  /** the PostgreSQL template built from this fixture, when any */
  template?: { name: string; presentations: number };
}

export interface Fixture {
  dir: string;
  presentations: Presentation[];
  /** presentations proved by this call (0: all from the cache) */
  provedNow: number;
  /** the whole cache: presentations, wall seconds its proofs took, its `today` */
  cost: { proofs: number; proveWallS: number; today: number };
}

const fixtureDir = (cache: string) => {
  const build = circuitBuild();
  return { dir: join(cache, `${build.instance}-${build.manifest.artifacts.zkey.sha256.slice(0, 16)}`), build };
};
const stateDir = (dir: string) => join(dir, 'state');

function readFixture(dir: string): FixtureFile | undefined {
  try {
    const f = JSON.parse(readFileSync(join(dir, 'fixture.json'), 'utf8')) as FixtureFile;
    return f.format === FORMAT ? f : undefined;
  } catch {
    return undefined;
  }
}

function writeFixture(dir: string, f: FixtureFile): void {
  const tmp = join(dir, 'fixture.json.tmp');
  writeFileSync(tmp, JSON.stringify(f));
  renameSync(tmp, join(dir, 'fixture.json'));
}

/** Prove `requests` in `workers` child processes; presentations are reported as they come. */
async function proveInChildren(
  holder: FixtureFile['holder'],
  requests: ProofRequest[],
  workers: number,
  onProof: (p: Presentation) => void,
): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'zkid-fixture-'));
  try {
    const shares = Array.from({ length: workers }, (_, w) => requests.filter((_, i) => i % workers === w)).filter((s) => s.length);
    await Promise.all(
      shares.map(
        (share, w) =>
          new Promise<void>((resolve, reject) => {
            const job: ProveJob = { ...holder, requests: share };
            const file = join(tmp, `job-${w}.json`);
            writeFileSync(file, JSON.stringify(job));
            const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bench', 'service-fixture-prove.ts'), file], {
              cwd: ROOT,
              stdio: ['ignore', 'pipe', 'pipe'],
            });
            let buf = '';
            let err = '';
            child.stdout.on('data', (d: Buffer) => {
              buf += d.toString();
              for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
                onProof(JSON.parse(buf.slice(0, i)) as Presentation);
                buf = buf.slice(i + 1);
              }
            });
            child.stderr.on('data', (d: Buffer) => {
              err = (err + d.toString()).slice(-4000);
            });
            child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`proving child ${w} exited with ${code}:\n${err}`))));
          }),
      ),
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * At least `n` prepared presentations (the first `n` of the cache are returned), proving the
 * missing ones with `workers` child processes.
 */
export async function ensureFixture(n: number, o: { cache?: string; workers?: number } = {}): Promise<Fixture> {
  const { dir, build } = fixtureDir(o.cache ?? DEFAULT_FIXTURE_CACHE);
  let f = readFixture(dir);
  const today = todayUtc();
  if (f && !(f.today === today || addDays(f.today, 1) === today)) {
    process.stderr.write(`• service fixture: its proofs are for ${f.today}, too old for ${today}: proving a new set\n`);
    f = undefined;
  }
  if (!f) rmSync(dir, { recursive: true, force: true });
  if (f && f.presentations.length >= n) {
    return { dir, presentations: f.presentations.slice(0, n), provedNow: 0, cost: { ...f.cost, today: f.today } };
  }
  mkdirSync(stateDir(dir), { recursive: true, mode: 0o700 });
  const have = f?.presentations.length ?? 0;
  const missing = n - have;
  const server = await step(`service fixture: start the service on ${stateDir(dir)}`, () =>
    startServer({ dataDir: stateDir(dir), config: FIXTURE_CONFIG }),
  );
  let fixture: FixtureFile;
  try {
    if (!f) {
      const h = await enrolHolder(server.url);
      f = {
        format: FORMAT,
        circuit: build.instance,
        zkeySha256: build.manifest.artifacts.zkey.sha256,
        today,
        createdAt: new Date().toISOString(),
        holder: { credential: h.credential, secret: toDecimal(h.secret), bucket: h.bucket },
        presentations: [],
        cost: { proofs: 0, proveWallS: 0 },
      };
      writeFixture(dir, f);
    }
    fixture = f;
    const requests: ProofRequest[] = [];
    for (let i = 0; i < missing; i++) {
      const r = await newRequest(server.url);
      if (r.today !== fixture.today) throw new Error(`the date changed while preparing (${fixture.today} → ${r.today}): run again`);
      requests.push(r);
    }
    // The service is not needed while proving; stopping it releases the database for copies.
    await server.stop();
    const t0 = performance.now();
    let saved = performance.now();
    await step(`service fixture: proving ${missing} presentations (2 child processes; ${have} cached)`, () =>
      proveInChildren(fixture.holder, requests, o.workers ?? 2, (p) => {
        fixture.presentations.push(p);
        const done = fixture.presentations.length - have;
        const elapsed = (performance.now() - t0) / 1000;
        process.stderr.write(
          `\r  ${done}/${missing}, ${(elapsed / done).toFixed(2)} s a proof, ${Math.round(((missing - done) * elapsed) / done)} s left   `,
        );
        if (performance.now() - saved > 10_000) {
          saved = performance.now();
          writeFixture(dir, { ...fixture, cost: { proofs: fixture.presentations.length, proveWallS: fixture.cost.proveWallS + elapsed } });
        }
      }),
    );
    process.stderr.write('\n');
    // Keep the order of the requests (each child proves in order; they interleave).
    const order = new Map(fixture.presentations.map((p, i) => [p.requestId, i]));
    fixture.presentations.sort((a, b) => (order.get(a.requestId) ?? 0) - (order.get(b.requestId) ?? 0));
    fixture.cost = { proofs: fixture.presentations.length, proveWallS: fixture.cost.proveWallS + (performance.now() - t0) / 1000 };
    delete fixture.template;
    writeFixture(dir, fixture);
  } finally {
    await server.stop();
  }
  return { dir, presentations: fixture.presentations.slice(0, n), provedNow: missing, cost: { ...fixture.cost, today: fixture.today } };
}

/** New expiry of a copy's pending requests: a day from now. */
const renewedExpiry = () => {
  const at = new Date(Date.now() + 86_400_000);
  return { ms: at.getTime(), iso: at.toISOString() };
};

/** A copy of the fixture's SQLite data directory, its requests renewed; remove it with `rmSync`. */
export function sqliteCopy(fixture: Fixture): string {
  const target = mkdtempSync(join(tmpdir(), 'zkid-bench-sqlite-'));
  const src = new Database(join(stateDir(fixture.dir), DATABASE_FILE), { readonly: true, fileMustExist: true });
  try {
    src.prepare('VACUUM INTO ?').run(join(target, DATABASE_FILE));
  } finally {
    src.close();
  }
  const db = new Database(join(target, DATABASE_FILE));
  try {
    const e = renewedExpiry();
    db.prepare(`UPDATE requests SET expires_at = ?, request_json = json_set(request_json, '$.expiresAt', ?) WHERE status = 'pending'`).run(
      e.ms,
      e.iso,
    );
  } finally {
    db.close();
  }
  return target;
}

async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
  } catch (e) {
    throw new Unavailable(
      `PostgreSQL at ${url.replace(/\/\/[^@]*@/, '//')} is not reachable: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

const dbUrl = (adminUrl: string, name: string) => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.href;
};

/** Build (or reuse) the PostgreSQL template database holding the fixture's rows. */
async function ensureTemplate(fixture: Fixture, adminUrl: string): Promise<string> {
  const f = readFixture(fixture.dir);
  if (!f) throw new Error(`no fixture in ${fixture.dir}`);
  const name = `zkid_bench_fixture_${f.zkeySha256.slice(0, 12)}`;
  const exists = await withClient(
    adminUrl,
    async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1,
  );
  if (exists && f.template?.name === name && f.template.presentations === f.presentations.length) return name;
  await step(`service fixture: PostgreSQL template ${name} from the SQLite rows`, async () => {
    await withClient(adminUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.query(`CREATE DATABASE ${name}`);
    });
    // The store's own migrations create the schema; then every table's rows are copied as they are.
    const store = await openPostgresStore({ connectionString: dbUrl(adminUrl, name) });
    await store.close();
    const src = new Database(join(stateDir(fixture.dir), DATABASE_FILE), { readonly: true, fileMustExist: true });
    try {
      await withClient(dbUrl(adminUrl, name), async (c) => {
        const tables = src
          .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`)
          .all() as { name: string }[];
        await c.query('BEGIN');
        for (const { name: table } of tables) {
          const rows = src.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
          for (const row of rows) {
            const cols = Object.keys(row);
            await c.query(
              `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
              cols.map((k) => row[k]),
            );
          }
        }
        await c.query('COMMIT');
      });
    } finally {
      src.close();
    }
  });
  writeFixture(fixture.dir, { ...f, template: { name, presentations: f.presentations.length } });
  return name;
}

let runs = 0;

/** A fresh PostgreSQL database with the fixture's rows, requests renewed; `drop` removes it. */
export async function postgresCopy(fixture: Fixture, adminUrl: string = DEFAULT_PG_URL): Promise<{ url: string; drop(): Promise<void> }> {
  const template = await ensureTemplate(fixture, adminUrl);
  const name = `zkid_bench_run_${process.pid}_${++runs}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = dbUrl(adminUrl, name);
  const e = renewedExpiry();
  await withClient(url, (c) =>
    c.query(
      `UPDATE requests SET expires_at = $1, request_json = jsonb_set(request_json::jsonb, '{expiresAt}', to_jsonb($2::text))::text WHERE status = 'pending'`,
      [e.ms, e.iso],
    ),
  );
  return {
    url,
    // A failed drop is reported, not thrown: it must not hide the error that ended the scenario.
    drop: async () => {
      try {
        await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      } catch (e) {
        process.stderr.write(`⚠ could not drop database ${name} (drop it by hand): ${e instanceof Error ? e.message : String(e)}\n`);
      }
    },
  };
}

/** The statuses of requests in a PostgreSQL database (for the fault check). */
export function requestStatuses(url: string, ids: string[]): Promise<Map<string, { status: string; hasResult: boolean }>> {
  return withClient(url, async (c) => {
    const r = await c.query<{ id: string; status: string; has_result: boolean }>(
      'SELECT id, status, result_json IS NOT NULL AS has_result FROM requests WHERE id = ANY($1)',
      [ids],
    );
    return new Map(r.rows.map((x) => [x.id, { status: x.status, hasResult: x.has_result }]));
  });
}
