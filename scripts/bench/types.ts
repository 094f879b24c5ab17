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
  /**
   * zkid's prover on a later proof of the same credential (presentation circuits): the linear
   * base kept from an earlier proof, each timed proof for another service (scope, challenge)
   */
  proveBaseMs?: number;
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

/** Latency percentiles of a scenario, ms (nearest rank over every request). */
export interface Latency {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** The prepared presentations the service scenarios send (scripts/bench/service-fixture.ts). */
export interface FixtureInfo {
  /** presentations used by each scenario */
  presentations: number;
  /** presentations in the cache, and the wall time their proofs took (2 child processes) */
  cached: number;
  proveWallS: number;
  /** proved by this run (0: all from the cache) */
  provedNow: number;
  /** the proofs' `today`: the cache is rebuilt once it is more than a day old */
  today: number;
}

/** Accepted presentations per second with distinct valid presentations, each accepted once. */
export interface ScaleRow {
  store: 'sqlite' | 'postgres';
  /** service processes (PostgreSQL: on one database, connections split evenly) */
  instances: number;
  connections: number;
  /** verification worker threads per instance (0: the main thread) */
  workers: number;
  presentations: number;
  statuses: Record<string, number>;
  durationS: number;
  acceptedPerSecond: number;
  latencyMs: Latency;
  /**
   * latency without the first wave (the first `connections` requests, sent at the same instant
   * when the burst starts, which queue behind one another): the steady state
   */
  afterFirstWaveMs?: Latency;
  /** CPU time (all threads) of the service processes per accepted presentation */
  cpuMsPerVerification: number;
  /** of that, the service processes' main threads (their event loops) */
  eventLoopCpuMsPerVerification?: number;
  /** CPU time of the PostgreSQL server's processes per accepted presentation */
  dbCpuMsPerVerification?: number;
  /** CPU time of the load generator (the bench's own process) per request it sent, on the same cores */
  loadCpuMsPerRequest?: number;
  /**
   * whether each presentation carried its request's ticket, read from the holder view before the
   * burst as the wallet does (the service then skips reading the request); absent in older results
   */
  tickets?: boolean;
  /** presentations per verification batch over the burst (the pool's counters in /metrics, all instances) */
  meanBatch?: number;
  /** PostgreSQL: calls answered per coalesced store statement over the burst, by operation (/metrics) */
  callsPerStatement?: Record<string, number>;
  /**
   * each run of this scenario when it ran more than once (--scale-runs; rounds alternate the
   * scenarios); the row's figures are then the medians over them, its statuses their sum
   */
  runs?: ScaleRun[];
  note: string;
}

/** One run of a service-scale scenario. */
export interface ScaleRun {
  acceptedPerSecond: number;
  p99Ms: number;
  p99AfterFirstWaveMs?: number;
  cpuMsPerVerification: number;
}

/** A long mixed run against one instance: statuses and resident memory over time. */
export interface SoakRow {
  requests: number;
  connections: number;
  durationS: number;
  statuses: Record<string, number>;
  /** statuses by kind of request: valid, replayed, invalid, malformed */
  byKind: Record<string, Record<string, number>>;
  fiveXX: number;
  latencyMs: Latency;
  /** VmRSS sampled every second */
  rssMiB: { start: number; end: number; peak: number; samples: number; slopeMiBPerMin: number; secondHalfSlopeMiBPerMin: number };
  /** the second half grew the RSS by less than 10% */
  flat: boolean;
  note: string;
}

/** SIGKILL of one of two PostgreSQL instances mid-burst: nothing accepted is lost, nothing accepted twice. */
export interface FaultRow {
  instances: number;
  presentations: number;
  connections: number;
  /** answers received when the instance was killed */
  killedAfter: number;
  burstStatuses: Record<string, number>;
  /** requests whose connection died with the instance (outcome unknown): resent to the survivor */
  unanswered: number;
  resendStatuses: Record<string, number>;
  /** distinct requests answered 200 */
  accepted: number;
  /** requests answered 200 more than once (must be 0) */
  duplicates: number;
  /** answered 200 without a stored verified result (must be 0) */
  acceptedWithoutResult: number;
  /** answered 409 on resend without a stored verified result (must be 0) */
  usedWithoutResult: number;
  /** requests of the burst verified in the database, and as the survivor's API reports them */
  verifiedInDb: number;
  verifiedByApi: number;
  fiveXX: number;
  passed: boolean;
  note: string;
}

export interface BrowserRow {
  /** cold: new browser context; revisit: a new page and worker in a context that proved before; warm: the same worker again */
  kind: 'cold' | 'warm' | 'revisit' | 'cold-prepared';
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

/** One circuit artifact as downloaded (scripts/bench/artifacts.ts). Bytes. */
export interface ArtifactRow {
  /** wasm, zkey, zkc (the holder's compact proving key), or a variant measured but not built */
  artifact: string;
  file: string;
  bytes: number;
  /** brotli quality 5, 16 MiB window: what the service sends */
  br: number;
  br11: number;
  /** gzip level 6: what the service sends to clients without brotli */
  gzip: number;
  /** Node: prepareZkey on the bytes (hash check apart), median */
  parseMs?: number;
  /** Chromium: decodeCompactZkey (the compact key only; part browser), median */
  browserDecodeMs?: number;
  note: string;
}

/**
 * Peak memory of one kind of proof (scripts/bench/memory.ts): the kernel's high-water mark of the
 * proving process's resident set (VmHWM), reset just before each proof. MiB.
 */
export interface MemoryRow {
  /** node: a process of its own proving with generateProof; browser: the renderer process of the wallet page */
  runtime: 'node' | 'browser';
  kind: 'cold' | 'warm' | 'revisit';
  /** peak resident set during the proof, median over runs */
  peakMiB: number;
  /** the largest peak over runs */
  maxPeakMiB: number;
  /** resident set just before the proof, median */
  beforeMiB: number;
  /** wall time of the measured proofs, median */
  proveMs: number;
  /** browser: the renderer's private (anonymous) resident memory, sampled peak (median, largest) and before the proof (median) */
  privatePeakMiB?: number;
  maxPrivatePeakMiB?: number;
  privateBeforeMiB?: number;
  runs: number;
  /** exactly which process and figure were measured */
  measured: string;
  /** the situation: what the proof had to do */
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
  /** peak memory of a Node proof and of a browser proof */
  memory?: MemoryRow[];
  /** what a cold first proof downloads (wasm, proving key) and the key's parse time */
  artifacts?: ArtifactRow[];
  /** the service at scale (scripts/bench/service-scale.ts), the soak and the crash test */
  serviceFixture?: FixtureInfo;
  serviceScale?: ScaleRow[];
  soak?: SoakRow;
  faults?: FaultRow;
  /** why parts did not run (service or browser unavailable, ...) */
  notes: string[];
}
