/**
 * The benchmark's child process: one heavy task per process (a powers of tau, a setup, or the
 * measurement of one circuit under one protocol), so that each gets a clean heap, snarkjs's
 * worker threads end with it, and its peak memory (maxRSS) is its own. The parent (scripts/bench.ts)
 * sends the task over IPC and gets the result back the same way; progress goes to stderr.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import * as snarkjs from 'snarkjs';
import { circuitParams } from '../../src/circuit/registry.ts';
import { enableWasmPoseidon } from '../../src/poseidon-wasm.ts';
import { groth16Prove, linearBase, prepareZkey } from '../../src/prover/groth16-prove.ts';
import { type CircuitInput, canonicalCircuitInput, computeWitness } from '../../src/prover/witness.ts';
import { terminateCurve } from '../../src/verifier/curve.ts';
import { snarkLogger } from '../lib/progress.ts';
import { devPtau, randomHex } from '../lib/ptau.ts';
import { type CircuitKind, fixtureFor } from './fixtures.ts';
import { binaryProofSize } from './proof-size.ts';
import { measure } from './stats.ts';
import type { Protocol, Stat } from './types.ts';

export type ChildTask =
  | { task: 'ptau'; cache: string; power: number; phase2: boolean }
  | { task: 'setup'; protocol: Protocol; r1cs: string; ptau: string; zkey: string }
  | {
      task: 'measure';
      protocol: Protocol;
      kind: CircuitKind;
      circuit: string;
      params: Record<string, number>;
      wasm: string;
      zkey: string;
      vkey: string;
      runs: number;
      warmup: number;
      /** also time plain snarkjs groth16.prove and groth16.verify */
      snarkjsToo: boolean;
    };

export interface SetupResult {
  ok: boolean;
  setupMs: number;
  plonkGates?: number;
  reason?: string;
  vkey?: unknown;
}

export interface MeasureResult {
  stats: Record<string, Stat>;
  proofBytes: number;
  proofBytesBinary: number;
  zkeyBytes: number;
  vkeyBytes: number;
  wasmBytes: number;
  peakRssMiB: number;
}

/**
 * A logger for snarkjs that also reads its "Plonk constraints: N" (PLONK) or "Constraints: N"
 * (FFLONK) line. `quiet`: info lines are throttled like progress lines (setups print hashes).
 */
function countingLogger({ quiet = false } = {}) {
  const base = snarkLogger('    ');
  let gates: number | undefined;
  const info = (s: unknown) => {
    const m = /^Plonk constraints: (\d+)/.exec(String(s)) ?? /^\s*Constraints:\s+(\d+)/.exec(String(s));
    if (m) gates = Number(m[1]);
    if (m || !quiet) base.info(s);
    else base.debug(s);
  };
  return { logger: { ...base, info, log: base.debug }, gates: () => gates };
}

async function setup(t: Extract<ChildTask, { task: 'setup' }>): Promise<SetupResult> {
  const { logger, gates } = countingLogger({ quiet: true });
  const t0 = performance.now();
  if (t.protocol === 'groth16') {
    const z0 = `${t.zkey}.0`;
    await snarkjs.zKey.newZKey(t.r1cs, t.ptau, z0, logger);
    // One contribution: a key with gamma == delta (no contribution) is refused by the verifier.
    await snarkjs.zKey.contribute(z0, t.zkey, 'zkid bench (development setup)', randomHex(64), logger);
    rmSync(z0, { force: true });
  } else if (t.protocol === 'plonk') {
    const r = await snarkjs.plonk.setup(t.r1cs, t.ptau, t.zkey, logger);
    if (r === -1) {
      rmSync(t.zkey, { force: true });
      return { ok: false, setupMs: 0, plonkGates: gates(), reason: 'circuit too big for the powers of tau' };
    }
  } else {
    try {
      await snarkjs.fflonk.setup(t.r1cs, t.ptau, t.zkey, logger);
    } catch (e) {
      rmSync(t.zkey, { force: true });
      return { ok: false, setupMs: 0, reason: e instanceof Error ? e.message : String(e) };
    }
  }
  const setupMs = performance.now() - t0;
  const vkey = await snarkjs.zKey.exportVerificationKey(t.zkey, logger);
  return { ok: true, setupMs, plonkGates: gates(), vkey };
}

async function measureOne(t: Extract<ChildTask, { task: 'measure' }>): Promise<MeasureResult> {
  await enableWasmPoseidon();
  const wasm = new Uint8Array(readFileSync(t.wasm));
  const zkey = new Uint8Array(readFileSync(t.zkey));
  const vkey = JSON.parse(readFileSync(t.vkey, 'utf8')) as unknown;
  const fixture = await fixtureFor(t.kind, t.circuit, t.params);
  const o = { runs: t.runs, warmup: t.warmup };
  const wtns = await computeWitness(wasm, fixture.input);
  const stats: Record<string, Stat> = {};
  stats.witnessMs = await measure('witness', () => computeWitness(wasm, fixture.input), o);

  let proof: unknown;
  let publicSignals: string[];
  if (t.protocol === 'groth16') {
    const prepared = await prepareZkey(zkey);
    // Each timed proof is for another service (its own scope and challenge), as a holder's are;
    // the witnesses are computed before the clock starts, and snarkjs proves the same ones.
    const distinct: Uint8Array[] = [];
    for (let i = 0; i < o.warmup + o.runs; i++) {
      distinct.push(await computeWitness(wasm, { ...fixture.input, scope: String(1000 + i), challenge: String(7 + i) }));
    }
    const each = (f: (w: Uint8Array) => Promise<unknown>) => {
      let i = 0;
      return () => f(distinct[i++ % distinct.length] as Uint8Array);
    };
    stats.proveMs = await measure(
      'prove (zkid prover, first proof of a credential)',
      each((w) => groth16Prove(prepared, w)),
      o,
    );
    if (t.kind === 'presentation') {
      // A later proof of the same credential: the linear base (the canonical statement's sums,
      // src/prover/generate-proof.ts) was computed by an earlier proof, before the clock starts.
      const base = await linearBase(
        prepared,
        await computeWitness(wasm, canonicalCircuitInput(fixture.input as unknown as CircuitInput, circuitParams(t.circuit))),
      );
      await base.sums;
      stats.proveBaseMs = await measure(
        'prove (zkid prover, a later proof: base kept)',
        each((w) => groth16Prove(prepared, w, undefined, base)),
        o,
      );
    }
    if (t.snarkjsToo) {
      stats.snarkjsProveMs = await measure(
        'prove (snarkjs groth16.prove)',
        each((w) => snarkjs.groth16.prove({ type: 'mem', data: zkey }, { type: 'mem', data: w })),
        o,
      );
    }
    ({ proof, publicSignals } = await groth16Prove(prepared, wtns));
  } else {
    const prover = t.protocol === 'plonk' ? snarkjs.plonk : snarkjs.fflonk;
    stats.proveMs = await measure(
      `prove (snarkjs ${t.protocol}.prove)`,
      () => prover.prove({ type: 'mem', data: zkey }, { type: 'mem', data: wtns }),
      o,
    );
    ({ proof, publicSignals } = await prover.prove({ type: 'mem', data: zkey }, { type: 'mem', data: wtns }));
  }
  if (!(await fixture.verify(t.protocol, vkey, proof, publicSignals)))
    throw new Error(`${t.circuit}: the ${t.protocol} proof does not verify`);
  stats.verifyMs = await measure(
    t.protocol === 'groth16' ? 'verify (zkid verifier)' : `verify (snarkjs ${t.protocol}.verify)`,
    async () => {
      if (!(await fixture.verify(t.protocol, vkey, proof, publicSignals))) throw new Error('verification failed');
    },
    o,
  );
  if (t.protocol === 'groth16' && t.snarkjsToo) {
    stats.snarkjsVerifyMs = await measure(
      'verify (snarkjs groth16.verify)',
      async () => {
        if (!(await snarkjs.groth16.verify(vkey, publicSignals, proof))) throw new Error('verification failed');
      },
      o,
    );
  }
  return {
    stats,
    proofBytes: JSON.stringify(proof).length,
    proofBytesBinary: binaryProofSize(proof),
    zkeyBytes: zkey.byteLength,
    vkeyBytes: statSync(t.vkey).size,
    wasmBytes: wasm.byteLength,
    // maxRSS is in KiB on Linux.
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

async function run(t: ChildTask): Promise<unknown> {
  if (t.task === 'ptau') return { path: await devPtau(t.cache, t.power, { phase2: t.phase2 }) };
  if (t.task === 'setup') return setup(t);
  return measureOne(t);
}

if (process.send) {
  process.once('message', (t: ChildTask) => {
    run(t)
      .then(
        (result) => new Promise<void>((res) => process.send?.({ ok: true, result }, () => res())),
        (e: unknown) =>
          new Promise<void>((res) =>
            process.send?.({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }, () => res()),
          ),
      )
      .finally(async () => {
        await terminateCurve();
        process.exit(0);
      });
  });
}
