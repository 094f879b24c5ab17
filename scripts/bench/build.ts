/**
 * Builds and development setups for the benchmark's circuits, cached outside the repository in
 * `~/.cache/zkid/bench/<circuit>-<O1|O2>-<key>/` (ZKID_BENCH_CACHE to move it), where the key
 * hashes the circuit sources, the generated main component and the compiler, circomlib and snarkjs
 * versions: a changed circuit gets a new build, an unchanged one is never rebuilt. Sweep zkeys
 * are development setups (one local contribution): never commit or deploy them.
 */
import { fork } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CIRCUITS, compile, type InstanceSpec, packageVersion, ROOT, readRegistry } from '../lib/circuits.ts';
import { sha256, sourceHashes } from '../lib/manifest.ts';
import { step } from '../lib/progress.ts';
import { devPtauPath } from '../lib/ptau.ts';
import type { ChildTask, SetupResult } from './child.ts';
import type { CircuitKind } from './fixtures.ts';
import type { Group, Protocol } from './types.ts';

export const BENCH_CACHE = process.env.ZKID_BENCH_CACHE ?? join(homedir(), '.cache', 'zkid', 'bench');
const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/** A circuit the benchmark measures. */
export interface CircuitDef {
  name: string;
  group: Group;
  kind: CircuitKind;
  spec: InstanceSpec;
}

/** A compiled circuit in the cache. */
export interface Built {
  def: CircuitDef;
  optimization: 'O1' | 'O2';
  dir: string;
  r1cs: string;
  wasm: string;
  constraints: number;
  wires: number;
  /** public inputs + public outputs */
  nPublic: number;
  compileMs: number;
}

/** Result of a setup: files to prove with, or why the protocol cannot run on this circuit. */
export type Setup =
  | { ok: true; zkey: string; vkey: string; setupMs: number; cached: boolean; ptauPower: number; plonkGates?: number }
  | { ok: false; reason: string; plonkGates?: number };

interface SetupMeta {
  ok: boolean;
  setupMs: number;
  ptauPower: number;
  /** file name of the ptau used */
  ptau?: string;
  plonkGates?: number;
  reason?: string;
  createdAt: string;
}

/** Run one task in a child process (scripts/bench/child.ts) and return its result. */
export function runChild<T>(task: ChildTask): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply: { ok: boolean; result?: unknown; error?: string } | undefined;
    child.on('message', (m) => {
      reply = m as typeof reply;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (reply?.ok) resolve(reply.result as T);
      else reject(new Error(reply?.error ?? `bench child (${task.task}) exited with ${signal ?? code} before answering`));
    });
    child.send(task);
  });
}

function cacheKey(def: CircuitDef, optimization: string): string {
  const material = {
    sources: sourceHashes(def.name, def.spec),
    circom2: packageVersion('circom2'),
    circomlib: packageVersion('circomlib'),
    snarkjs: packageVersion('snarkjs'),
    optimization,
  };
  return sha256(JSON.stringify(material)).slice(0, 16);
}

function registered(name: string): boolean {
  const r = readRegistry();
  return name in r.instances || name in (r.baselines ?? {});
}

function buildDir(def: CircuitDef, optimization: string): string {
  return join(BENCH_CACHE, `${def.name}-${optimization}-${cacheKey(def, optimization)}`);
}

/**
 * Whether a circuit's build and its setup for a protocol are already in the cache (so measuring it
 * needs no compilation, ptau or ceremony): `--quick` measures only such sweep points.
 */
export function isCached(def: CircuitDef, protocol: Protocol, optimization: 'O1' | 'O2' = 'O2'): boolean {
  const dir = buildDir(def, optimization);
  const meta = join(dir, `${protocol}.json`);
  if (!existsSync(join(dir, 'info.json')) || !existsSync(meta) || !existsSync(join(dir, `${protocol}.zkey`))) return false;
  try {
    return (JSON.parse(readFileSync(meta, 'utf8')) as SetupMeta).ok === true;
  } catch {
    return false;
  }
}

/** Compile a circuit (or take it from the cache). */
export async function ensureBuilt(def: CircuitDef, optimization: 'O1' | 'O2' = 'O2'): Promise<Built> {
  const dir = buildDir(def, optimization);
  const infoPath = join(dir, 'info.json');
  const r1cs = join(dir, 'circuit.r1cs');
  const wasm = join(dir, 'circuit.wasm');
  if (existsSync(infoPath) && existsSync(r1cs) && existsSync(wasm)) {
    const info = JSON.parse(readFileSync(infoPath, 'utf8')) as Pick<Built, 'constraints' | 'wires' | 'nPublic' | 'compileMs'>;
    return { def, optimization, dir, r1cs, wasm, ...info };
  }
  // circom2 runs under WASI and only sees the project folder: compile there, then move to the cache.
  const tmp = join(CIRCUITS, 'build', 'tmp', 'bench', `${def.name}-${optimization}`);
  const t0 = performance.now();
  const c = await step(`compile ${def.name} (--${optimization})`, () => compile(def.name, tmp, def.spec, optimization));
  const compileMs = performance.now() - t0;
  process.stderr.write(`  ${c.constraints} constraints, ${c.wires} wires, ${c.publicInputs + c.publicOutputs} public signals\n`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(tmp, `${def.name}.r1cs`), r1cs);
  copyFileSync(join(tmp, `${def.name}_js`, `${def.name}.wasm`), wasm);
  rmSync(tmp, { recursive: true, force: true });
  // Main components of circuits outside circuits/instances.json are benchmark scaffolding.
  if (!registered(def.name)) rmSync(join(CIRCUITS, 'main', `${def.name}.circom`), { force: true });
  const info = { constraints: c.constraints, wires: c.wires, nPublic: c.publicInputs + c.publicOutputs, compileMs };
  writeFileSync(infoPath, `${JSON.stringify({ ...info, circuit: def.name, spec: def.spec, optimization }, null, 2)}\n`);
  return { def, optimization, dir, r1cs, wasm, ...info };
}

/** Bit length of n - 1: snarkjs's domain power for n rows. */
export function domainPower(n: number): number {
  return Math.max(1, Math.ceil(Math.log2(Math.max(2, n))));
}

/** The smallest ptau power PLONK needs for this many gates. */
export function plonkPtauPower(gates: number): number {
  return Math.max(3, domainPower(gates));
}

/** The smallest ptau power FFLONK needs: 9 * domain + 18 powers of tau in G1 (2^(p+1) - 1 of them in a file of power p). */
export function fflonkPtauPower(gates: number): number {
  const domain = 2 ** domainPower(gates + 2);
  return Math.ceil(Math.log2(9 * domain + 19)) - 1;
}

/** A cached development ptau of at least `minPower` (prepared, or for FFLONK also phase 1 only). */
export function cachedPtau(cache: string, minPower: number, o: { phase2: boolean }): { path: string; power: number } | undefined {
  for (let p = minPower; p <= 28; p++) {
    if (existsSync(devPtauPath(cache, p, true))) return { path: devPtauPath(cache, p, true), power: p };
    if (!o.phase2 && existsSync(devPtauPath(cache, p, false))) return { path: devPtauPath(cache, p, false), power: p };
  }
  return undefined;
}

/** A development ptau of at least `power`: from the cache, else made now (slow: see scripts/lib/ptau.ts). */
export async function ensurePtau(cache: string, power: number, o: { phase2: boolean }): Promise<{ path: string; power: number }> {
  const hit = cachedPtau(cache, power, o);
  if (hit) return hit;
  process.stderr.write(`• no cached ptau of 2^${power} or more in ${cache}: making a development one (slow, once)\n`);
  const r = await runChild<{ path: string }>({ task: 'ptau', cache, power, phase2: o.phase2 });
  return { path: r.path, power };
}

/** Section types of a snarkjs binary file (ptau, zkey, r1cs): magic, version, count, then (type u32, size u64, data)*. */
export function binSections(path: string): number[] {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(12);
    readSync(fd, head, 0, 12, 0);
    const n = head.readUInt32LE(8);
    const types: number[] = [];
    let at = 12;
    const sec = Buffer.alloc(12);
    for (let i = 0; i < n; i++) {
      readSync(fd, sec, 0, 12, at);
      types.push(sec.readUInt32LE(0));
      at += 12 + Number(sec.readBigUInt64LE(4));
    }
    return types;
  } finally {
    closeSync(fd);
  }
}

/**
 * A ptau FFLONK's setup accepts. snarkjs 0.7.6's fflonk setup refuses a file without section 12
 * (the Lagrange bases that phase-2 preparation computes: 11 minutes for 2^15 here, about 4 times
 * that for 2^17) although it reads only sections 2 (tau^i G1) and 3 (tau^i G2). For a phase-1
 * file, this writes a copy next to it with an empty section 12 appended: the same powers of tau.
 */
export function fflonkPtau(ptau: string): string {
  if (binSections(ptau).includes(12)) return ptau;
  const out = ptau.replace(/\.ptau$/, '-fflonk.ptau');
  if (existsSync(out)) return out;
  const tmp = `${out}.tmp`;
  copyFileSync(ptau, tmp);
  const fd = openSync(tmp, 'r+');
  try {
    const head = Buffer.alloc(12);
    readSync(fd, head, 0, 12, 0);
    head.writeUInt32LE(head.readUInt32LE(8) + 1, 8);
    writeSync(fd, head, 0, 12, 0);
    const section = Buffer.alloc(12); // type 12, size 0
    section.writeUInt32LE(12, 0);
    writeSync(fd, section, 0, 12, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, out);
  return out;
}

/** The circuit-specific setup of a build for a protocol (or the cached one). */
export async function ensureSetup(b: Built, protocol: Protocol, ptau: { path: string; power: number }): Promise<Setup> {
  const zkey = join(b.dir, `${protocol}.zkey`);
  const vkey = join(b.dir, `${protocol}.vkey.json`);
  const metaPath = join(b.dir, `${protocol}.json`);
  if (existsSync(metaPath)) {
    const m = JSON.parse(readFileSync(metaPath, 'utf8')) as SetupMeta;
    if (m.ok && existsSync(zkey) && existsSync(vkey)) {
      return { ok: true, zkey, vkey, setupMs: m.setupMs, cached: true, ptauPower: m.ptauPower, plonkGates: m.plonkGates };
    }
    // A refusal stands until another or a larger ptau is available.
    if (!m.ok && m.ptauPower >= ptau.power && m.ptau === basename(ptau.path))
      return { ok: false, reason: m.reason ?? 'setup failed', plonkGates: m.plonkGates };
  }
  const r = await step(`${protocol} setup of ${b.def.name} (--${b.optimization}, ptau 2^${ptau.power})`, () =>
    runChild<SetupResult>({ task: 'setup', protocol, r1cs: b.r1cs, ptau: ptau.path, zkey }),
  );
  const meta: SetupMeta = {
    ok: r.ok,
    setupMs: r.setupMs,
    ptauPower: ptau.power,
    ptau: basename(ptau.path),
    createdAt: new Date().toISOString(),
    ...(r.plonkGates !== undefined ? { plonkGates: r.plonkGates } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
  };
  if (r.ok) writeFileSync(vkey, `${JSON.stringify(r.vkey)}\n`);
  writeFileSync(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
  if (!r.ok) return { ok: false, reason: r.reason ?? 'setup failed', plonkGates: r.plonkGates };
  return { ok: true, zkey, vkey, setupMs: r.setupMs, cached: false, ptauPower: ptau.power, plonkGates: r.plonkGates };
}
