/**
 * Peak memory of a proof, from the kernel's high-water mark of a process's resident set (Linux:
 * `VmHWM` in /proc/<pid>/status, reset by writing 5 to /proc/<pid>/clear_refs), so each figure is
 * the peak between the reset just before a proof and its end, not a sampled guess:
 *  - Node: a plain-node child of its own (memory-child.mjs, on the compiled build in dist/) proves
 *    with the library's generateProof from the committed artifacts on disk, as the CLI does: one
 *    cold proof (artifacts read, hash-checked, zkey parsed, snarkjs's curve and worker threads
 *    started), then warm proofs in the same process. The resident set counts the whole process:
 *    the main thread and snarkjs's worker threads, the JS heap, wasm memories and buffers.
 *  - Browser: the Chromium renderer process that hosts the wallet page, its proving Web Worker and
 *    snarkjs's workers (dedicated workers live in their page's renderer), found among the
 *    browser's processes (CDP SystemInfo.getProcessInfo) as the renderer whose peak rose most
 *    during the proof. Other Chromium processes (browser, GPU, network) are not counted.
 * RSS includes shared pages (Node's or Chromium's own code), so the figure is what the proving
 * process holds, not what it alone adds; the resident set just before the proof is reported beside it.
 * For the browser, the renderer's private memory is reported too: its anonymous resident memory
 * (`RssAnon`: JS heaps, wasm memories and code, buffers; not the Chromium binary's file-backed
 * pages, which every Chromium process shares), close to what Chrome's task manager calls a tab's
 * memory footprint. The kernel keeps no high-water mark of it, so its peak is sampled every 5 ms.
 */
import { execFile, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../lib/circuits.ts';
import { Unavailable } from './service.ts';
import type { MemoryRow } from './types.ts';

const CHILD = fileURLToPath(new URL('./memory-child.mjs', import.meta.url));
const BUILD = fileURLToPath(new URL('../build.mjs', import.meta.url));
const MiB = 2 ** 20;

/** VmRSS, VmHWM and RssAnon of a process in bytes, or undefined when /proc does not have them (gone, or not Linux). */
export function residentSet(pid: number | 'self' = 'self'): { rss: number; hwm: number; anon: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    const r = { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon') };
    return Number.isFinite(r.rss) && Number.isFinite(r.hwm) && Number.isFinite(r.anon) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Reset a process's peak resident set to its current one. @returns false when the kernel does not allow it */
export function resetPeak(pid: number | 'self' = 'self'): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Whether peak resets work here (Linux 4.0+ with a writable /proc). */
export function peakResetAvailable(): boolean {
  return residentSet() !== undefined && resetPeak();
}

export interface ProofMemory {
  /** resident set just before the proof, bytes */
  before: number;
  /** peak resident set from just before the proof to its end, bytes */
  peak: number;
  /** browser: private (anonymous) resident memory just before the proof and its sampled peak, bytes */
  privateBefore?: number;
  privatePeak?: number;
  ms: number;
}

/** One row from several proofs of a kind: medians, and the largest peak. */
export function memoryRow(
  runtime: MemoryRow['runtime'],
  kind: MemoryRow['kind'],
  xs: ProofMemory[],
  measured: string,
  note: string,
): MemoryRow {
  const median = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  };
  return {
    runtime,
    kind,
    peakMiB: Math.round((median(xs.map((x) => x.peak)) / MiB) * 10) / 10,
    maxPeakMiB: Math.round((Math.max(...xs.map((x) => x.peak)) / MiB) * 10) / 10,
    beforeMiB: Math.round((median(xs.map((x) => x.before)) / MiB) * 10) / 10,
    proveMs: Math.round(median(xs.map((x) => x.ms))),
    ...(xs.every((x) => x.privatePeak !== undefined && x.privateBefore !== undefined)
      ? {
          privatePeakMiB: Math.round((median(xs.map((x) => x.privatePeak as number)) / MiB) * 10) / 10,
          maxPrivatePeakMiB: Math.round((Math.max(...xs.map((x) => x.privatePeak as number)) / MiB) * 10) / 10,
          privateBeforeMiB: Math.round((median(xs.map((x) => x.privateBefore as number)) / MiB) * 10) / 10,
        }
      : {}),
    runs: xs.length,
    measured,
    note,
  };
}

// ---- browser

/** The renderer processes of a browser (CDP SystemInfo.getProcessInfo on a browser session). */
async function rendererPids(cdp: { send(method: 'SystemInfo.getProcessInfo'): Promise<{ processInfo: { type: string; id: number }[] }> }) {
  const r = await cdp.send('SystemInfo.getProcessInfo');
  return r.processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
}

/**
 * Measure the renderer that proves: call before posting the proof (resets every renderer's peak),
 * and call the returned function after it.
 * @throws Error when the renderers' peaks cannot be reset (not Linux, or /proc not writable)
 */
export async function rendererPeak(
  cdp: Parameters<typeof rendererPids>[0],
): Promise<() => Promise<Omit<ProofMemory, 'ms'> & { pid: number }>> {
  const before = new Map<number, { rss: number; anon: number; maxAnon: number }>();
  for (const pid of await rendererPids(cdp)) {
    const m = residentSet(pid);
    if (!m) continue;
    if (!resetPeak(pid)) throw new Error(`cannot reset the peak resident set of renderer ${pid} (/proc/${pid}/clear_refs)`);
    before.set(pid, { rss: m.rss, anon: m.anon, maxAnon: m.anon });
  }
  const sample = () => {
    for (const [pid, b] of before) {
      const m = residentSet(pid);
      if (m && m.anon > b.maxAnon) b.maxAnon = m.anon;
    }
  };
  const sampler = setInterval(sample, 5);
  return async () => {
    clearInterval(sampler);
    sample();
    let best: { pid: number; before: number; peak: number; privateBefore: number; privatePeak: number } | undefined;
    for (const [pid, b] of before) {
      const m = residentSet(pid);
      if (m && (!best || m.hwm - b.rss > best.peak - best.before)) {
        best = { pid, before: b.rss, peak: m.hwm, privateBefore: b.anon, privatePeak: b.maxAnon };
      }
    }
    if (!best) throw new Error('no renderer process found');
    return best;
  };
}

// ---- Node: the parent side

export interface NodeMemoryResult {
  cold: ProofMemory;
  warm: ProofMemory[];
  /** the child's maxRSS over its whole life, bytes */
  lifetimeMaxRss: number;
}

/** IPC carries JSON: bigints travel as {"$bigint": "..."} (memory-child.mjs turns them back). */
const toWire = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? { $bigint: x.toString() } : x));

/**
 * Build dist/ (`npm run build`, a few seconds), then prove in a plain-node child of its own
 * (memory-child.mjs, on the compiled library) and return its peaks. The holder's inputs are made
 * here, in the parent, so the child holds only what a holder's prover process holds.
 */
export async function measureNodeMemory(o: { circuit?: string; warm: number }): Promise<NodeMemoryResult> {
  if (!peakResetAvailable()) throw new Unavailable('peak resident sets cannot be reset here (/proc/self/clear_refs): Linux only');
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [BUILD, '--quiet'], { cwd: ROOT, timeout: 120_000 }, (e, _out, err) =>
      e ? reject(new Error(`npm run build failed: ${err || e.message}`)) : resolve(),
    ),
  );
  const [{ holderFixture }, { DEFAULT_CIRCUIT }] = await Promise.all([import('./fixtures.ts'), import('../../src/circuit/registry.ts')]);
  const circuit = o.circuit ?? DEFAULT_CIRCUIT;
  const task = { circuit, warm: o.warm, fixture: toWire(await holderFixture(circuit)) };
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], { cwd: ROOT, execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply: { ok: boolean; result?: NodeMemoryResult; error?: string } | undefined;
    child.on('message', (m) => {
      reply = m as typeof reply;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (reply?.ok && reply.result) resolve(reply.result);
      else reject(new Error(reply?.error ?? `memory child exited with ${signal ?? code} before answering`));
    });
    child.send(task);
  });
}

/** Node rows: cold and warm. */
export function nodeMemoryRows(r: NodeMemoryResult): MemoryRow[] {
  const measured =
    "peak RSS (VmHWM, reset just before each proof) of a plain-node process of its own on the compiled build (no tsx) proving with generateProof from the artifacts on disk; all its threads, snarkjs's workers included";
  const rows = [
    memoryRow('node', 'cold', [r.cold], measured, "the first proof: artifacts read, hash-checked and parsed, snarkjs's threads started"),
  ];
  if (r.warm.length) rows.push(memoryRow('node', 'warm', r.warm, measured, 'further proofs in the same process'));
  return rows;
}
