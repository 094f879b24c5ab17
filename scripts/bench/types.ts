/**
 * The benchmark report: what `npm run bench` writes as JSON (and renders as CSV, markdown and
 * SVG). Times are milliseconds, sizes bytes, memory MiB. Every timed figure is the median of
 * `runs` measurements after `warmup` unmeasured ones; `stats` keeps the spread.
 */

export type Protocol = 'groth16' | 'plonk' | 'fflonk';

/**
 * What a row measures:
 *  - default: the committed default instance (its committed setup);
 *  - depth, slots: the parameter sweeps (revocation tree depth; predicate slots);
 *  - baseline: the default statement with a circomlib SMT for non-revocation;
 *  - component: a non-revocation component alone (bitmap tree or SMT);
 *  - protocol: the same statement under PLONK or FFLONK (and Groth16 on the same build).
 */
export type Group = 'default' | 'depth' | 'slots' | 'baseline' | 'component' | 'protocol';

export interface Stat {
  median: number;
  min: number;
  max: number;
  /** first and third quartiles */
  q1: number;
  q3: number;
  runs: number;
}

export interface ResultRow {
  group: Group;
  circuit: string;
  template: string;
  params: Record<string, number>;
  protocol: Protocol;
  /** circom optimisation of this build: O2 for Groth16, O1 for PLONK and FFLONK (far fewer gates) */
  optimization: 'O1' | 'O2';
  /** R1CS constraints of this build */
  constraints: number;
  /** PLONK gates (snarkjs's "Plonk constraints") for PLONK and FFLONK rows */
  plonkGates?: number;
  wires: number;
  /** public signals: public inputs plus outputs (what the verifier feeds its multi-exponentiation) */
  publicInputs: number;
  witnessMs: number;
  /** the prover zkid uses: its own Groth16 prover (src/prover/groth16-prove.ts); snarkjs for PLONK and FFLONK */
  proveMs: number;
  /** the verifier zkid uses: verifyPresentation (checks + mcl-wasm pairing) for Groth16; snarkjs for PLONK and FFLONK */
  verifyMs: number;
  prover: 'zkid' | 'snarkjs';
  verifier: 'zkid' | 'snarkjs';
  /** plain snarkjs (groth16.prove, groth16.verify) on the same proof, for Groth16 rows */
  snarkjsProveMs?: number;
  snarkjsVerifyMs?: number;
  /** the proof as JSON (what a presentation carries) */
  proofBytes: number;
  /** the proof as uncompressed curve points and scalars (G1 64 B, G2 128 B, Fr 32 B) */
  proofBytesBinary: number;
  zkeyBytes: number;
  vkeyBytes: number;
  wasmBytes: number;
  /** circuit-specific setup: Groth16 phase 2 (new zkey + one contribution); PLONK/FFLONK setup. null: committed setup */
  setupMs: number | null;
  /** the setup was taken from the cache (setupMs is from the run that made it) */
  setupCached: boolean;
  /** power of the powers-of-tau file the setup used */
  ptauPower: number | null;
  /** peak resident memory of the measuring process (maxRSS), including snarkjs's worker threads */
  peakRssMiB: number;
  stats: Record<string, Stat>;
  note?: string;
}

/** A circuit a protocol could not run on within the ptau budget. */
export interface SkippedRow {
  circuit: string;
  protocol: Protocol;
  plonkGates?: number;
  reason: string;
}

/** The arity chosen for a tree depth: every candidate's constraint count, the cheapest wins. */
export interface ShapeChoice {
  depth: number;
  candidates: { circuit: string; arityBits: number; levels: number; constraints: number }[];
  chosen: string;
}

export interface ServiceRow {
  /** accepted: fresh valid presentations; replayed: already-used requests (409); invalid-proof: full verification, then 422 */
  scenario: 'accepted' | 'replayed' | 'invalid-proof';
  connections: number;
  /** requests sent */
  requests: number;
  /** responses by HTTP status */
  statuses: Record<string, number>;
  durationS: number;
  /** responses with the scenario's expected status per second */
  perSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  note: string;
}

export interface BrowserRow {
  /** cold: new browser context; revisit: a new page and worker in a context that proved before; warm: the same worker again */
  kind: 'cold' | 'warm' | 'revisit';
  /** wall time in the page, from posting to the worker to the presentation */
  stat: Stat;
  /** the worker's own figure (its `ms`), median */
  workerMs: number;
  /** bytes received over the network while proving (bodies as sent, compressed), median */
  bytes?: number;
  /** of which circuit artifacts (wasm, zkey) */
  artifactBytes?: number;
  note: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  release: string;
  /** 1-minute load average when the run started (other work on the machine skews figures) */
  loadAverage: number;
  versions: Record<string, string>;
}

/** The verifier core's throughput on distinct valid presentations (one core). */
export interface VerifierRow {
  mode: 'single' | 'batch';
  batchSize: number;
  /** median wall time per presentation */
  perProofMs: number;
  proofsPerSecond: number;
  runs: number;
}

export interface Report {
  date: string;
  /** the command line that made this report, as a person would type it */
  command?: string;
  machine: Machine;
  options: { quick: boolean; runs: number; warmup: number; protocolRuns: number; protocolWarmup: number };
  /** wall time of the whole run */
  runtimeS: number;
  results: ResultRow[];
  skipped: SkippedRow[];
  shapes: ShapeChoice[];
  service: ServiceRow[];
  browser: BrowserRow[];
  verifier?: VerifierRow[];
  /** why parts did not run (service or browser unavailable, ...) */
  notes: string[];
}
