/**
 * Benchmarks (not tests): `npm run bench [-- options]`; `--help` lists them. Offline: circuits are
 * compiled and given development setups locally, cached outside the repository (scripts/bench/build.ts).
 *
 * Measures, for the default instance and the sweeps over revocation tree depth (16, 20, 24, 32)
 * and predicate slots (1, 2, 4, 8): constraints, wires, public signals, witness, prove and verify
 * times, proof and zkey sizes, peak memory; then the circomlib-SMT baseline, the non-revocation
 * components alone, PLONK and FFLONK on the circuits that fit the powers-of-tau budget, the
 * service under autocannon and cold and warm proofs in headless Chromium. Medians and spread over
 * N runs after a warm-up, each circuit measured in a child process of its own. The service at
 * scale (service-scale: SQLite × 1 and PostgreSQL × 2 at 8 and 64 connections), a soak of mixed
 * requests and a SIGKILL mid-burst (faults) share a cache of prepared presentations
 * (scripts/bench/service-fixture.ts); --quick leaves them out unless --only names them.
 *
 * Progress goes to stderr; the results to `--out` (default bench-results/): results.json,
 * results.csv, service.csv, browser.csv, results.md, prove-vs-constraints.svg, throughput.svg;
 * `--json FILE` writes the JSON there too. The markdown is also printed to stdout.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { circuitBuild } from '../src/circuit/artifacts-node.ts';
import {
  type Built,
  type CircuitDef,
  cachedPtau,
  ensureBuilt,
  ensurePtau,
  ensureSetup,
  fflonkPtau,
  fflonkPtauPower,
  isCached,
  plonkPtauPower,
  runChild,
  type Setup,
} from './bench/build.ts';
import type { MeasureResult } from './bench/child.ts';
import { machine } from './bench/machine.ts';
import {
  baselineDef,
  bitmapComponentDef,
  DEFAULT_CIRCUIT,
  DEPTH_CANDIDATES,
  planFor,
  presentationDef,
  SLOT_INSTANCES,
  SMT_COMPONENT,
  SMT_PRESENTATION,
} from './bench/plan.ts';
import { markdown, writeReport } from './bench/report.ts';
import { Unavailable } from './bench/service.ts';
import type { Group, Protocol, Report, ResultRow, ShapeChoice } from './bench/types.ts';
import { measureVerifier } from './bench/verifier.ts';
import { ROOT } from './lib/circuits.ts';
import { step } from './lib/progress.ts';
import { DEFAULT_PTAU_CACHE } from './lib/ptau.ts';

const PARTS = [
  'default',
  'verifier',
  'depth',
  'slots',
  'baseline',
  'components',
  'protocols',
  'service',
  'service-scale',
  'soak',
  'faults',
  'browser',
] as const;
/** Parts that --quick leaves out unless --only names them (they prepare many proofs once). */
const SCALE_PARTS: readonly Part[] = ['service-scale', 'soak', 'faults'];
type Part = (typeof PARTS)[number];

const program = new Command()
  .name('bench')
  .description('zkid benchmarks: circuits, proof systems, the service and the browser prover')
  .option(
    '--quick',
    'a few minutes, no setup: the committed default instance, the sweep points depth 32 and K = 8 only when a full run has cached them, Groth16 only, a short service run',
  )
  .option('--runs <n>', 'measured runs per figure (default 9; --quick 3)')
  .option('--warmup <n>', 'unmeasured warm-up runs (default 2; --quick 1)')
  .option('--protocol-runs <n>', 'measured runs for PLONK and FFLONK (slow provers)', '5')
  .option('--out <dir>', 'output folder', 'bench-results')
  .option('--json <file>', 'also write the JSON report to this file')
  .addOption(new Option('--only <parts>', `comma-separated parts to run: ${PARTS.join(', ')}`))
  .addOption(new Option('--skip <parts>', 'comma-separated parts to leave out'))
  .option('--proofs <n>', 'valid presentations for the accepted-service scenario (default 40; --quick 10)')
  .option('--connections <n>', 'autocannon connections (the service verifies 4 at a time by default)', '4')
  .option('--duration <s>', 'seconds of each sustained service scenario (default 10; --quick 3)')
  .option(
    '--scale-proofs <n>',
    'prepared presentations each service-scale scenario sends (cached outside the repo; default 2000; --quick 64)',
  )
  .option('--scale-connections <list>', 'connection counts of the service-scale scenarios', '8,64')
  .option('--scale-runs <n>', 'rounds of the service-scale scenarios, alternating; medians reported (default 3; --quick 1)')
  .option('--scale-without-tickets', "service-scale: presentations without their holder view's ticket (the service reads each request)")
  .option('--workers-zero', 'service-scale: also run every scenario with verification on the main thread (workers = 0)')
  .option('--soak-requests <n>', 'mixed requests of the soak (default 10000; --quick 2000)')
  .option(
    '--pg-url <url>',
    'PostgreSQL for the scale and crash parts (databases are created from it and dropped)',
    'postgres://postgres@127.0.0.1:5432/test',
  )
  .option('--fixture-cache <dir>', 'cache of prepared presentations for service-scale, soak and faults')
  .option('--cold <n>', 'cold browser proofs, each in a new browser context (default 2; --quick 1)')
  .option('--warm <n>', 'warm browser proofs after the last cold one (default 5; --quick 2)')
  .option('--plonk-power <p>', 'ptau budget for PLONK: a prepared 2^p ptau (made once if not cached)', '15')
  .option('--fflonk-power <p>', 'ptau budget for FFLONK: a 2^p ptau, phase 1 suffices (made once if not cached)', '17')
  .option('--ptau-cache <dir>', 'development ptau cache', DEFAULT_PTAU_CACHE)
  .parse();

interface Opts {
  quick?: boolean;
  runs?: string;
  warmup?: string;
  protocolRuns: string;
  out: string;
  json?: string;
  only?: string;
  skip?: string;
  proofs?: string;
  connections: string;
  duration?: string;
  scaleProofs?: string;
  scaleRuns?: string;
  scaleConnections: string;
  workersZero?: boolean;
  scaleWithoutTickets?: boolean;
  soakRequests?: string;
  pgUrl: string;
  fixtureCache?: string;
  cold?: string;
  warm?: string;
  plonkPower: string;
  fflonkPower: string;
  ptauCache: string;
}
const opts = program.opts<Opts>();
const quick = opts.quick === true;
const num = (v: string | undefined, full: number, q: number, name: string) => {
  const n = Number(v ?? (quick ? q : full));
  if (!Number.isInteger(n) || n < 0) program.error(`--${name} must be a non-negative integer, got '${v}'`);
  return n;
};
const RUNS = Math.max(1, num(opts.runs, 9, 3, 'runs'));
const WARMUP = num(opts.warmup, 2, 1, 'warmup');
const PROTOCOL_RUNS = Math.max(1, num(opts.protocolRuns, 5, 5, 'protocol-runs'));
const PLONK_POWER = num(opts.plonkPower, 15, 15, 'plonk-power');
const FFLONK_POWER = num(opts.fflonkPower, 17, 17, 'fflonk-power');

function parts(): Set<Part> {
  const plan = planFor(quick);
  const list = (s: string) =>
    s.split(',').map((p) => {
      const t = p.trim() as Part;
      if (!PARTS.includes(t)) program.error(`unknown part '${p}' (parts: ${PARTS.join(', ')})`);
      return t;
    });
  let set = new Set<Part>(
    opts.only
      ? list(opts.only)
      : PARTS.filter((p) =>
          p === 'baseline'
            ? plan.baseline
            : p === 'components'
              ? plan.components
              : p === 'protocols'
                ? plan.protocols
                : !(quick && SCALE_PARTS.includes(p)),
        ),
  );
  if (opts.skip) for (const p of list(opts.skip)) set.delete(p);
  set = new Set(PARTS.filter((p) => set.has(p)));
  return set;
}

const started = performance.now();
const report: Report = {
  date: new Date().toISOString(),
  command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
  machine: machine(),
  options: { quick, runs: RUNS, warmup: WARMUP, protocolRuns: PROTOCOL_RUNS, protocolWarmup: Math.min(WARMUP, 1) },
  runtimeS: 0,
  results: [],
  skipped: [],
  shapes: [],
  service: [],
  browser: [],
  notes: [],
};
let failed = false;
const outDir = resolve(ROOT, opts.out);

/** Write what we have so far: a long run that stops halfway still leaves its figures. */
function save(): void {
  report.runtimeS = (performance.now() - started) / 1000;
  writeReport(outDir, report);
  if (opts.json) writeFileSync(resolve(opts.json), `${JSON.stringify(report, null, 2)}\n`);
}

interface MeasureTarget {
  def: CircuitDef;
  group: Group;
  protocol: Protocol;
  optimization: 'O1' | 'O2';
  wasm: string;
  constraints: number;
  wires: number;
  nPublic: number;
  setup:
    | Extract<Setup, { ok: true }>
    | { ok: true; zkey: string; vkey: string; setupMs: null; cached: false; ptauPower: number; plonkGates?: undefined };
  runs: number;
  note?: string;
}

async function measureRow(t: MeasureTarget): Promise<ResultRow> {
  const r = await step(`measure ${t.def.name} (${t.protocol}, --${t.optimization})`, () =>
    runChild<MeasureResult>({
      task: 'measure',
      protocol: t.protocol,
      kind: t.def.kind,
      circuit: t.def.name,
      params: t.def.spec.params,
      wasm: t.wasm,
      zkey: t.setup.zkey,
      vkey: t.setup.vkey,
      runs: t.runs,
      // PLONK and FFLONK proofs take tens of seconds here: one warm-up is enough for them.
      warmup: t.protocol === 'groth16' ? WARMUP : Math.min(WARMUP, 1),
      snarkjsToo: t.protocol === 'groth16' && !quick,
    }),
  );
  const row: ResultRow = {
    group: t.group,
    circuit: t.def.name,
    template: t.def.spec.template,
    params: t.def.spec.params,
    protocol: t.protocol,
    optimization: t.optimization,
    constraints: t.constraints,
    ...(t.setup.plonkGates !== undefined ? { plonkGates: t.setup.plonkGates } : {}),
    wires: t.wires,
    publicInputs: t.nPublic,
    witnessMs: r.stats.witnessMs?.median ?? NaN,
    proveMs: r.stats.proveMs?.median ?? NaN,
    ...(r.stats.proveBaseMs ? { proveBaseMs: r.stats.proveBaseMs.median } : {}),
    verifyMs: r.stats.verifyMs?.median ?? NaN,
    prover: t.protocol === 'groth16' ? 'zkid' : 'snarkjs',
    verifier: t.protocol === 'groth16' ? 'zkid' : 'snarkjs',
    ...(r.stats.snarkjsProveMs ? { snarkjsProveMs: r.stats.snarkjsProveMs.median } : {}),
    ...(r.stats.snarkjsVerifyMs ? { snarkjsVerifyMs: r.stats.snarkjsVerifyMs.median } : {}),
    proofBytes: r.proofBytes,
    proofBytesBinary: r.proofBytesBinary,
    zkeyBytes: r.zkeyBytes,
    vkeyBytes: r.vkeyBytes,
    wasmBytes: r.wasmBytes,
    setupMs: t.setup.setupMs,
    setupCached: t.setup.cached,
    ptauPower: t.setup.ptauPower,
    peakRssMiB: r.peakRssMiB,
    stats: r.stats,
    ...(t.note ? { note: t.note } : {}),
  };
  report.results.push(row);
  save();
  return row;
}

/** Groth16 on an O2 build with a cached (or new) development setup. */
async function groth16Row(def: CircuitDef, group: Group, built?: Built): Promise<ResultRow> {
  const b = built ?? (await ensureBuilt(def, 'O2'));
  const need = Math.ceil(Math.log2(b.constraints + b.nPublic + 1));
  const ptau =
    cachedPtau(opts.ptauCache, need, { phase2: true }) ?? (await ensurePtau(opts.ptauCache, Math.max(need, PLONK_POWER), { phase2: true }));
  const setup = await ensureSetup(b, 'groth16', ptau);
  if (!setup.ok) throw new Error(`groth16 setup of ${def.name} failed: ${setup.reason}`);
  return measureRow({
    def,
    group,
    protocol: 'groth16',
    optimization: 'O2',
    wasm: b.wasm,
    constraints: b.constraints,
    wires: b.wires,
    nPublic: b.nPublic,
    setup,
    runs: RUNS,
  });
}

/** Run a part; a failure is recorded and the run goes on. */
async function part(name: Part, f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof Unavailable) {
      report.notes.push(`${name}: not measured: ${message}`);
    } else {
      failed = true;
      report.notes.push(`${name}: failed: ${message.split('\n')[0]}`);
    }
    process.stderr.write(`✘ ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
  save();
}

async function main(): Promise<void> {
  const run = parts();
  const plan = planFor(quick);
  process.stderr.write(
    `benchmark${quick ? ' --quick' : ''}: ${[...run].join(', ')}; ${RUNS} runs after ${WARMUP} warm-up; results in ${outDir}\n`,
  );
  const chosenShapes: string[] = [];

  if (run.has('default')) {
    await part('default', async () => {
      const build = circuitBuild();
      const m = build.manifest;
      await measureRow({
        def: presentationDef(DEFAULT_CIRCUIT, 'default'),
        group: 'default',
        protocol: 'groth16',
        optimization: 'O2',
        wasm: build.wasm.location,
        constraints: m.constraints,
        wires: m.wires,
        nPublic: m.nPublic,
        setup: { ok: true, zkey: build.zkey.location, vkey: build.vkeyPath, setupMs: null, cached: false, ptauPower: m.ptau.power },
        runs: RUNS,
        note: 'committed artifacts (development setup)',
      });
    });
    // Peak memory of a Node proof: a process of its own, a cold proof then warm ones (scripts/bench/memory.ts).
    await part('default', async () => {
      const { measureNodeMemory, nodeMemoryRows } = await import('./bench/memory.ts');
      const m = await step('memory: Node proofs in a process of their own (cold, then warm)', () =>
        measureNodeMemory({ warm: Math.min(RUNS, 3) }),
      );
      report.memory = [...(report.memory ?? []).filter((x) => x.runtime !== 'node'), ...nodeMemoryRows(m)];
    });
    // What a cold first proof downloads, and the proving key's parse time (scripts/bench/artifacts.ts).
    await part('default', async () => {
      const { measureArtifacts } = await import('./bench/artifacts.ts');
      report.artifacts = await step('artifacts: bytes as sent, proving-key parse time', () =>
        measureArtifacts({ runs: RUNS, compressedPoints: !quick }),
      );
    });
  }

  if (run.has('verifier')) {
    await part('verifier', async () => {
      report.verifier = await measureVerifier({ sizes: quick ? [16, 64] : [8, 16, 64, 256], runs: RUNS, warmup: WARMUP });
    });
  }

  if (run.has('depth')) {
    await part('depth', async () => {
      for (const depth of plan.depths) {
        const candidates = DEPTH_CANDIDATES[depth] ?? [];
        if (quick && !candidates.every((name) => isCached(presentationDef(name, 'depth'), 'groth16'))) {
          report.notes.push(`depth ${depth}: not measured by --quick (not in the cache: the full run builds it once)`);
          process.stderr.write(`• depth ${depth}: skipped (--quick measures only cached builds)\n`);
          continue;
        }
        const builds: Built[] = [];
        for (const name of candidates) builds.push(await ensureBuilt(presentationDef(name, 'depth'), 'O2'));
        const best = builds.reduce((a, b) => (b.constraints < a.constraints ? b : a));
        const choice: ShapeChoice = {
          depth,
          candidates: builds.map((b) => ({
            circuit: b.def.name,
            arityBits: b.def.spec.params.ARITY_BITS as number,
            levels: b.def.spec.params.LEVELS as number,
            constraints: b.constraints,
          })),
          chosen: best.def.name,
        };
        report.shapes.push(choice);
        chosenShapes.push(best.def.name);
        process.stderr.write(`• depth ${depth}: ${best.def.name} (${best.constraints} constraints) is the cheapest shape\n`);
        // The default instance is the depth-24 point when it wins there.
        if (best.def.name !== DEFAULT_CIRCUIT || !run.has('default'))
          await groth16Row(best.def, best.def.name === DEFAULT_CIRCUIT ? 'default' : 'depth', best);
      }
    });
  }

  if (run.has('slots')) {
    await part('slots', async () => {
      for (const k of plan.slots) {
        const name = SLOT_INSTANCES[k] as string;
        if (name === DEFAULT_CIRCUIT && run.has('default')) continue;
        if (quick && !isCached(presentationDef(name, 'slots'), 'groth16')) {
          report.notes.push(`K = ${k}: not measured by --quick (not in the cache: the full run builds it once)`);
          process.stderr.write(`• K = ${k}: skipped (--quick measures only cached builds)\n`);
          continue;
        }
        await groth16Row(presentationDef(name, 'slots'), 'slots');
      }
    });
  }

  if (run.has('baseline')) {
    await part('baseline', async () => {
      await groth16Row(baselineDef(SMT_PRESENTATION, 'baseline'), 'baseline');
    });
  }

  // Components: non-revocation alone, for each depth's chosen shape (the default's without the depth part) and the SMT.
  const shapes = chosenShapes.length ? chosenShapes : [DEFAULT_CIRCUIT];
  const componentDefs = (group: Group) => [...shapes.map((s) => bitmapComponentDef(s, group)), baselineDef(SMT_COMPONENT, group)];

  if (run.has('components')) {
    await part('components', async () => {
      for (const def of componentDefs('component')) await groth16Row(def, 'component');
    });
  }

  if (run.has('protocols')) {
    await part('protocols', async () => {
      const plonkPtau = await ensurePtau(opts.ptauCache, PLONK_POWER, { phase2: true });
      const phase1 = await ensurePtau(opts.ptauCache, FFLONK_POWER, { phase2: false });
      const fflonkReady = { ...phase1, path: fflonkPtau(phase1.path) };
      const defs = [...componentDefs('protocol'), presentationDef(DEFAULT_CIRCUIT, 'protocol')];
      for (const def of defs) {
        const b = await ensureBuilt(def, 'O1');
        let gates: number | undefined;
        for (const [protocol, ptau] of [
          ['plonk', plonkPtau],
          ['fflonk', fflonkReady],
        ] as const) {
          if (protocol === 'fflonk' && gates !== undefined && fflonkPtauPower(gates) > ptau.power) {
            report.skipped.push({
              circuit: def.name,
              protocol,
              plonkGates: gates,
              reason: `${gates.toLocaleString('en-US')} gates need a 2^${fflonkPtauPower(gates)} ptau (9 x domain + 18 powers in G1); the budget is 2^${ptau.power}`,
            });
            continue;
          }
          const setup = await ensureSetup(b, protocol, ptau);
          if (setup.plonkGates !== undefined && protocol === 'plonk') gates = setup.plonkGates;
          if (!setup.ok) {
            const g = setup.plonkGates ?? gates;
            const need =
              g === undefined
                ? ''
                : ` (${g.toLocaleString('en-US')} gates need 2^${protocol === 'plonk' ? plonkPtauPower(g) : fflonkPtauPower(g)})`;
            report.skipped.push({
              circuit: def.name,
              protocol,
              ...(g !== undefined ? { plonkGates: g } : {}),
              reason: `${setup.reason}${need}; the budget is 2^${ptau.power}`,
            });
            save();
            continue;
          }
          await measureRow({
            def,
            group: 'protocol',
            protocol,
            optimization: 'O1',
            wasm: b.wasm,
            constraints: b.constraints,
            wires: b.wires,
            nPublic: b.nPublic,
            setup: { ...setup, plonkGates: setup.plonkGates ?? gates },
            runs: PROTOCOL_RUNS,
          });
        }
      }
    });
  }

  if (run.has('service') || run.has('browser')) {
    const { startServer, benchService } = await import('./bench/service.ts');
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    await part(run.has('service') ? 'service' : 'browser', async () => {
      server = await step('start the service (dist/server/main.js)', () => startServer());
    });
    if (server) {
      const url = server.url;
      try {
        if (run.has('service')) {
          await part('service', async () => {
            report.service = await benchService(url, {
              proofs: Math.max(1, num(opts.proofs, 40, 10, 'proofs')),
              connections: Math.max(1, num(opts.connections, 4, 4, 'connections')),
              durationS: Math.max(1, num(opts.duration, 10, 3, 'duration')),
            });
          });
        }
        if (run.has('browser')) {
          await part('browser', async () => {
            const { prepareWallet, benchBrowser } = await import('./bench/browser.ts');
            await prepareWallet();
            const memory: NonNullable<Report['memory']> = [];
            report.browser = await benchBrowser(url, {
              cold: Math.max(1, num(opts.cold, 2, 1, 'cold')),
              warm: num(opts.warm, 5, 2, 'warm'),
              memory,
              onDecode: (ms, note) => {
                const zkc = report.artifacts?.find((a) => a.artifact === 'zkc');
                if (zkc) zkc.browserDecodeMs = ms;
                else report.notes.push(`compact proving key decoded in ${ms.toFixed(0)} ms (${note})`);
              },
            });
            report.memory = [...(report.memory ?? []).filter((x) => x.runtime !== 'browser'), ...memory];
          });
        }
      } finally {
        await server.stop();
      }
    }
  }

  if (SCALE_PARTS.some((p) => run.has(p))) await scaleParts(run);

  save();
  process.stdout.write(markdown(report));
  process.stderr.write(`✔ results in ${join(outDir, 'results.md')} (json, csv, svg alongside); ${Math.round(report.runtimeS)} s\n`);
}

/** service-scale, soak and faults: one cache of prepared presentations for all three. */
async function scaleParts(run: Set<Part>): Promise<void> {
  const { ensureFixture, DEFAULT_FIXTURE_CACHE } = await import('./bench/service-fixture.ts');
  const proofs = Math.max(8, num(opts.scaleProofs, 2000, 64, 'scale-proofs'));
  const first = SCALE_PARTS.find((p) => run.has(p)) as Part;
  let fixture: Awaited<ReturnType<typeof ensureFixture>> | undefined;
  await part(first, async () => {
    fixture = await ensureFixture(proofs, { cache: opts.fixtureCache ? resolve(opts.fixtureCache) : DEFAULT_FIXTURE_CACHE });
    report.serviceFixture = {
      presentations: fixture.presentations.length,
      cached: fixture.cost.proofs,
      proveWallS: fixture.cost.proveWallS,
      provedNow: fixture.provedNow,
      today: fixture.cost.today,
    };
    process.stderr.write(
      `• service fixture: ${fixture.cost.proofs} presentations cached in ${fixture.dir} (proved in ${Math.round(fixture.cost.proveWallS)} s); ${fixture.provedNow} proved now\n`,
    );
  });
  if (!fixture) return;
  const f = fixture;
  if (run.has('service-scale')) {
    await part('service-scale', async () => {
      const { benchServiceScale } = await import('./bench/service-scale.ts');
      const connections = opts.scaleConnections.split(',').map((c) => {
        const n = Number(c.trim());
        if (!Number.isInteger(n) || n < 1) program.error(`--scale-connections must list positive integers, got '${opts.scaleConnections}'`);
        return n;
      });
      report.serviceScale = [];
      await benchServiceScale(f, {
        connections,
        noWorkersToo: opts.workersZero === true,
        tickets: opts.scaleWithoutTickets !== true,
        runs: Math.max(1, num(opts.scaleRuns, 3, 1, 'scale-runs')),
        pgUrl: opts.pgUrl,
        onRows: (rows) => {
          report.serviceScale = rows;
          save();
        },
      });
    });
  }
  if (run.has('soak')) {
    await part('soak', async () => {
      const { benchSoak } = await import('./bench/soak.ts');
      report.soak = await benchSoak(f, { requests: Math.max(100, num(opts.soakRequests, 10_000, 2000, 'soak-requests')), connections: 32 });
      if (report.soak.fiveXX > 0) throw new Error(`soak: ${report.soak.fiveXX} responses were 5xx`);
    });
  }
  if (run.has('faults')) {
    await part('faults', async () => {
      const { benchFaults } = await import('./bench/faults.ts');
      report.faults = await benchFaults({ ...f, presentations: f.presentations.slice(0, 500) }, { connections: 16, pgUrl: opts.pgUrl });
      if (!report.faults.passed) throw new Error('faults: the crash check failed (see the row)');
    });
  }
}

main()
  .catch((e) => {
    failed = true;
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  })
  .finally(() => {
    process.exit(failed ? 1 : 0);
  });
