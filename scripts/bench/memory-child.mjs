/**
 * The Node memory benchmark's child (scripts/bench/memory.ts forks it): plain `node` on the
 * compiled build (dist/, `npm run build`), so the process holds what a holder's prover process
 * holds: no tsx, no benchmark harness, no fixture building. It gets `{circuit, warm, fixture}` over
 * IPC (the holder's inputs, bigints as {"$bigint": "..."}), proves once cold and `warm` times more
 * with generateProof from the artifacts on disk, and answers with each proof's resident set before
 * it and its peak (VmHWM, reset just before the proof; see memory.ts).
 *
 * Plain JavaScript because it runs without tsx: the two /proc helpers are memory.ts's, repeated.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const DIST = new URL('../../dist/', import.meta.url);
const MiB = 2 ** 20;

/** VmRSS and VmHWM of this process, bytes. */
function residentSet() {
  const s = readFileSync('/proc/self/status', 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Reset this process's peak resident set to its current one (Linux 4.0+). */
function resetPeak() {
  writeFileSync('/proc/self/clear_refs', '5');
}

const fromWire = (s) =>
  JSON.parse(s, (_k, x) =>
    x && typeof x === 'object' && typeof x.$bigint === 'string' && Object.keys(x).length === 1 ? BigInt(x.$bigint) : x,
  );

async function run(task) {
  resetPeak(); // fails here, before anything is measured, where /proc does not allow it
  const { circuitBuild } = await import(new URL('circuit/artifacts-node.js', DIST).href);
  const { generateProof } = await import(new URL('prover/generate-proof.js', DIST).href);
  const build = circuitBuild(task.circuit);
  const fixture = fromWire(task.fixture);
  const prove = async () => {
    globalThis.gc?.();
    const before = residentSet().rss;
    resetPeak();
    const t0 = performance.now();
    await generateProof({ ...fixture, artifacts: { wasm: build.wasm, zkey: build.zkey } });
    const ms = performance.now() - t0;
    return { before, peak: residentSet().hwm, ms };
  };
  const line = (label, m) =>
    process.stderr.write(
      `  ${label}: peak ${(m.peak / MiB).toFixed(0)} MiB (${(m.before / MiB).toFixed(0)} before), ${(m.ms / 1000).toFixed(1)} s\n`,
    );
  const cold = await prove();
  line('node cold proof', cold);
  const warm = [];
  for (let i = 0; i < task.warm; i++) {
    const w = await prove();
    warm.push(w);
    line(`node warm proof ${i + 1}/${task.warm}`, w);
  }
  return { cold, warm, lifetimeMaxRss: process.resourceUsage().maxRSS * 1024 };
}

process.once('message', (task) => {
  run(task)
    .then(
      (result) => new Promise((res) => process.send({ ok: true, result }, () => res())),
      (e) => new Promise((res) => process.send({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }, () => res())),
    )
    .finally(async () => {
      try {
        const { terminateCurve } = await import(new URL('verifier/curve.js', DIST).href);
        await terminateCurve();
      } finally {
        process.exit(0);
      }
    });
});
