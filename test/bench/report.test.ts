/** The benchmark's output formats (CSV, markdown, SVG) from a fixed report: no circuits run here. */
import { describe, expect, it } from 'vitest';
import { escapeXml, linearTicks, logTicks, proveChart, shortName, throughputChart } from '../../scripts/bench/charts.ts';
import { binaryProofSize } from '../../scripts/bench/proof-size.ts';
import { csv, int, markdown, ms, resultsCsv, scaleCsv, serviceCsv, spread } from '../../scripts/bench/report.ts';
import { combineRuns } from '../../scripts/bench/service-scale.ts';
import { summarize } from '../../scripts/bench/stats.ts';
import type { Report, ResultRow, ScaleRow } from '../../scripts/bench/types.ts';

const stat = (median: number, min: number, max: number) => ({ median, min, max, q1: min, q3: max, runs: 5 });

function row(over: Partial<ResultRow>): ResultRow {
  return {
    group: 'default',
    circuit: 'presentation-d24-a8-k4-s16',
    template: 'ZkidPresentation',
    params: { ARITY_BITS: 3, LEVELS: 8, K: 4, SET_SIZE: 16 },
    protocol: 'groth16',
    optimization: 'O2',
    constraints: 10494,
    wires: 10533,
    publicInputs: 17,
    witnessMs: 61.25,
    proveMs: 1512.4,
    verifyMs: 5.04,
    prover: 'zkid',
    verifier: 'zkid',
    snarkjsProveMs: 2101,
    snarkjsVerifyMs: 16.2,
    proofBytes: 712,
    proofBytesBinary: 256,
    zkeyBytes: 7 * 2 ** 20,
    vkeyBytes: 4000,
    wasmBytes: 7870777,
    setupMs: null,
    setupCached: false,
    ptauPower: 15,
    peakRssMiB: 310,
    stats: { witnessMs: stat(61.25, 60, 70), proveMs: stat(1512.4, 1480, 1560.2), verifyMs: stat(5.04, 4.9, 6) },
    ...over,
  };
}

const REPORT: Report = {
  date: '2025-11-25T12:00:00.000Z',
  machine: {
    cpu: 'AMD EPYC',
    cores: 2,
    memoryGiB: 23,
    node: 'v20.20.2',
    platform: 'linux',
    release: '6.1',
    loadAverage: 1.5,
    versions: { snarkjs: '0.7.6' },
  },
  options: { quick: false, runs: 5, warmup: 1, protocolRuns: 3, protocolWarmup: 1 },
  runtimeS: 1800,
  results: [
    row({}),
    row({
      group: 'depth',
      circuit: 'presentation-d16-a4-k4-s16',
      params: { ARITY_BITS: 2, LEVELS: 8, K: 4, SET_SIZE: 16 },
      constraints: 9000,
      proveMs: 1300,
    }),
    row({
      group: 'slots',
      circuit: 'presentation-d24-a8-k8-s16',
      params: { ARITY_BITS: 3, LEVELS: 8, K: 8, SET_SIZE: 16 },
      constraints: 13000,
    }),
    row({
      group: 'baseline',
      circuit: 'presentation-smt-d32-k4-s16',
      template: 'ZkidPresentationSmt',
      params: { SMT_LEVELS: 32, K: 4, SET_SIZE: 16 },
      constraints: 15998,
      proveMs: 2000,
    }),
    row({
      group: 'component',
      circuit: 'revocation-d24-a8',
      template: 'BitmapNonRevocation',
      params: { ARITY_BITS: 3, LEVELS: 8 },
      constraints: 3764,
    }),
    row({ group: 'component', circuit: 'revocation-smt-d32', template: 'SmtNonRevocation', params: { LEVELS: 32 }, constraints: 9268 }),
    row({
      group: 'protocol',
      circuit: 'revocation-d24-a8',
      template: 'BitmapNonRevocation',
      params: { ARITY_BITS: 3, LEVELS: 8 },
      protocol: 'plonk',
      optimization: 'O1',
      constraints: 9995,
      plonkGates: 18044,
      proveMs: 9000,
      prover: 'snarkjs',
      verifier: 'snarkjs',
      proofBytesBinary: 768,
      setupMs: 12000,
      stats: { witnessMs: stat(70, 69, 71), proveMs: stat(9000, 8800, 9500), verifyMs: stat(12, 11, 13) },
      note: 'a "quoted", note',
    }),
  ],
  skipped: [{ circuit: 'presentation-d24-a8-k4-s16', protocol: 'plonk', plonkGates: 51458, reason: 'too big' }],
  shapes: [
    {
      depth: 16,
      candidates: [
        { circuit: 'presentation-d16-a4-k4-s16', arityBits: 2, levels: 8, constraints: 9000 },
        { circuit: 'presentation-d16-a16-k4-s16', arityBits: 4, levels: 4, constraints: 9900 },
      ],
      chosen: 'presentation-d16-a4-k4-s16',
    },
  ],
  service: [
    {
      scenario: 'accepted',
      connections: 4,
      requests: 40,
      statuses: { '200': 40 },
      durationS: 0.5,
      perSecond: 80,
      latencyMs: { mean: 40, p50: 38, p90: 60, p99: 80, max: 81 },
      note: 'fresh',
    },
    {
      scenario: 'replayed',
      connections: 4,
      requests: 9000,
      statuses: { '409': 9000 },
      durationS: 3,
      perSecond: 3000,
      latencyMs: { mean: 1, p50: 1, p90: 2, p99: 4, max: 9 },
      note: 'used',
    },
  ],
  browser: [{ kind: 'warm', stat: stat(2500, 2400, 2600), workerMs: 2490, note: 'Chromium' }],
  notes: ['service: not measured: test'],
};

/** A service-scale row: SQLite × 1 at 8 connections, 500 accepted/s, unless `over` says otherwise. */
const scaleRow = (over: Partial<ScaleRow>): ScaleRow => ({
  store: 'sqlite',
  instances: 1,
  connections: 8,
  workers: 2,
  presentations: 100,
  statuses: { '200': 100 },
  durationS: 0.2,
  acceptedPerSecond: 500,
  latencyMs: { mean: 10, p50: 9, p90: 14, p99: 20, max: 22 },
  cpuMsPerVerification: 3.25,
  note: 'one instance',
  ...over,
});

describe('benchmark output', () => {
  it('formats numbers, ranges and CSV cells', () => {
    expect(int(10494)).toBe('10,494');
    expect(ms(5.04)).toBe('5.0');
    expect(ms(1512.4)).toBe('1,512');
    expect(spread(stat(1512.4, 1480, 1560.2))).toBe('1,512 (1,480-1,560)');
    expect(csv(['a', 'b'], [['x,y', 'say "hi"']])).toBe('a,b\n"x,y","say ""hi"""\n');
  });

  it('summarizes a sample with its median, quartiles and range', () => {
    expect(summarize([5, 1, 3, 2, 4])).toEqual({ median: 3, min: 1, max: 5, q1: 2, q3: 4, runs: 5 });
    expect(summarize([1, 2]).median).toBe(1.5);
    expect(() => summarize([])).toThrow("Parameter 'samples' is empty");
  });

  it('writes one CSV line per result with the documented columns', () => {
    const lines = resultsCsv(REPORT.results).trimEnd().split('\n');
    expect(lines).toHaveLength(REPORT.results.length + 1);
    expect(lines[0]?.split(',').slice(0, 12)).toEqual([
      'group',
      'circuit',
      'protocol',
      'optimization',
      'params',
      'constraints',
      'plonkGates',
      'wires',
      'publicInputs',
      'witnessMs',
      'witnessMinMs',
      'witnessMaxMs',
    ]);
    expect(lines[1]).toMatch(
      /^default,presentation-d24-a8-k4-s16,groth16,O2,ARITY_BITS=3 LEVELS=8 K=4 SET_SIZE=16,10494,,10533,17,61\.25,60,70,1512\.4,/,
    );
    expect(lines[7]).toContain(',"a ""quoted"", note"');
    expect(serviceCsv(REPORT.service).split('\n')[1]).toBe('accepted,4,40,0.5,80,40,38,60,80,81,200:40,fresh');
  });

  it('renders the markdown tables, the SMT comparison and the skipped protocols', () => {
    const md = markdown(REPORT);
    expect(md).toContain('Machine: AMD EPYC, 2 cores, 23 GiB, Node v20.20.2, linux 6.1; load average 1.5 at start.');
    expect(md).toContain('### Revocation tree depth (K = 4 predicate slots)');
    expect(md).toMatch(/\| 16 \| `presentation-d16-a4-k4-s16` \| 4-ary x 8 \| 9,000 \|/);
    expect(md).toContain('| 16 | 4-ary x 8: 9,000; 16-ary x 4: 9,900 | `presentation-d16-a4-k4-s16` |');
    expect(md).toMatch(/\| 8 \| `presentation-d24-a8-k8-s16` \| 8-ary x 8 \| 13,000 \|/);
    expect(md).toContain('10,494 constraints with bitmap leaves against 15,998 with the SMT (34 % fewer)');
    expect(md).toContain('Non-revocation alone: 3,764 (8-ary bitmap tree, 8 levels) against 9,268 (SMT, 32 levels): 59 % fewer.');
    expect(md).toMatch(
      /\| `revocation-d24-a8` \| plonk \| O1 \| 9,995 \| 18,044 \| 2\^15 \| 12\.0 \| 9,000 \(8,800-9,500\) \| 12\.0 \(11\.0-13\.0\) \| 712 \| 768 \|/,
    );
    expect(md).toContain('- plonk on `presentation-d24-a8-k4-s16`: too big');
    expect(md).toContain('| accepted | 4 | 40 | 80.0 | 38 | 60 | 80 | 81 | 200:40 |');
    expect(md).toContain('| warm | 2,500 (2,400-2,600) | 5 | 2,490 |  |  | Chromium |');
    expect(md).toContain('- service: not measured: test');
    // A run from before the linear base has no 'later prove ms' column.
    expect(md).not.toContain('later prove ms');
  });

  it("adds 'later prove ms' (the linear base kept) when a run measured it", () => {
    const withBase = row({ proveBaseMs: 640.2, stats: { ...row({}).stats, proveBaseMs: stat(640.2, 600, 700) } });
    const md = markdown({ ...REPORT, results: [withBase, ...REPORT.results.slice(1)] });
    expect(md).toContain('| witness ms | prove ms | later prove ms | snarkjs prove ms |');
    expect(md).toMatch(
      /\| 24 \| `presentation-d24-a8-k4-s16` \| 8-ary x 8 \| 10,494 \| 10,533 \| 17 \| 61\.3 \| 1,512 \(1,480-1,560\) \| 640 \(600-700\) \| 2,101 \|/,
    );
    expect(md).toContain("'later prove ms': a later proof of it");
    // Rows without it (the depth sweep's others) leave the cell empty.
    expect(md).toMatch(
      /\| 16 \| `presentation-d16-a4-k4-s16` \| 4-ary x 8 \| 9,000 \| 10,533 \| 17 \| 61\.3 \| 1,512 \(1,480-1,560\) \| {2}\| 2,101 \|/,
    );
    expect(resultsCsv([withBase]).split('\n')[1]).toContain(',640.2,600,700,');
  });

  it('renders the service-at-scale, soak and crash rows and checks the targets', () => {
    const scale = scaleRow;
    const r: Report = {
      ...REPORT,
      serviceFixture: { presentations: 100, cached: 200, proveWallS: 240, provedNow: 0, today: 20261201 },
      serviceScale: [
        scale({}),
        scale({ store: 'postgres', instances: 2, acceptedPerSecond: 450, dbCpuMsPerVerification: 0.5, statuses: { '200': 99, '503': 1 } }),
      ],
      soak: {
        requests: 10000,
        connections: 32,
        durationS: 40,
        statuses: { '200': 100, '409': 3300, '422': 3300, '400': 3300 },
        byKind: { valid: { '200': 100 }, malformed: { '400': 3300 } },
        fiveXX: 0,
        latencyMs: { mean: 5, p50: 4, p90: 8, p99: 30, max: 60 },
        rssMiB: { start: 180, end: 190, peak: 200, samples: 41, slopeMiBPerMin: 1.5, secondHalfSlopeMiBPerMin: 0.2 },
        flat: true,
        note: 'mixed',
      },
      faults: {
        instances: 2,
        presentations: 100,
        connections: 16,
        killedAfter: 33,
        burstStatuses: { '200': 92, errors: 8 },
        unanswered: 8,
        resendStatuses: { '200': 5, '409': 3 },
        accepted: 97,
        duplicates: 0,
        acceptedWithoutResult: 0,
        usedWithoutResult: 0,
        verifiedInDb: 100,
        verifiedByApi: 100,
        fiveXX: 0,
        passed: true,
        note: 'SIGKILL',
      },
    };
    const md = markdown(r);
    expect(md).toContain('### Service at scale (distinct valid presentations, each accepted once)');
    expect(md).toContain('| sqlite | 1 | 8 | 2 | 500 | 9 | 20 | 3.25 | 200:100 |');
    expect(md).toContain('| postgres | 2 | 8 | 2 | 450 | 9 | 20 | 3.25 + 0.50 db | 200:99 503:1 |');
    expect(md).toContain('from a cache of 200 proved once in 240 s (1.20 s a proof');
    expect(md).toContain('- Targets: ≥ 500 accepted/s: met; 0 5xx: not met; PostgreSQL × 2 ≥ SQLite × 1 at 8: not met.');
    expect(md).toContain('| 10000 | 32 | 40.0 | 0 | 180 | 190 | 200 | 0.2 | flat | 200:100 400:3300 409:3300 422:3300 |');
    expect(md).toContain('- malformed: 400:3300');
    expect(md).toContain('| passed | 100 | 33 | 8 | 200:5 409:3 | 97 | 100 | 0 | 0 |');
    expect(scaleCsv(r.serviceScale ?? []).split('\n')[2]).toBe('postgres,2,8,2,100,0.2,450,9,14,20,22,3.25,0.5,,200:99 503:1,,,,,');
    expect(md).not.toContain('load generator');
    // The load generator's CPU gets a column of its own once a run measured it.
    const loaded = markdown({ ...r, serviceScale: [scale({ loadCpuMsPerRequest: 0.314 }), scale({ store: 'postgres', instances: 2 })] });
    expect(loaded).toContain(
      '| store | instances | connections | workers | accepted/s | p50 ms | p99 ms | CPU ms / verification | load generator CPU ms / request | statuses |',
    );
    expect(loaded).toContain('| sqlite | 1 | 8 | 2 | 500 | 9 | 20 | 3.25 | 0.31 | 200:100 |');
    expect(loaded).toContain('| postgres | 2 | 8 | 2 | 500 | 9 | 20 | 3.25 |  | 200:100 |');
    expect(loaded).toContain("the load generator's (the bench's own process, on the same cores) per request sent");
    expect(scaleCsv([scale({ loadCpuMsPerRequest: 0.314 })]).split('\n')[1]).toBe(
      'sqlite,1,8,2,100,0.2,500,9,14,20,22,3.25,,0.314,200:100,,,,,',
    );
  });

  it('combines the runs of a scenario into medians and shows their spread', () => {
    const run = (acceptedPerSecond: number, p99: number, wave: number, cpu: number, db?: number, loop?: number): ScaleRow => ({
      store: 'postgres',
      instances: 2,
      connections: 64,
      workers: 1,
      presentations: 100,
      statuses: { '200': 100 },
      durationS: 100 / acceptedPerSecond,
      acceptedPerSecond,
      latencyMs: { mean: p99 / 2, p50: p99 / 2, p90: p99 - 5, p99, max: p99 + 10 },
      afterFirstWaveMs: { mean: wave / 2, p50: wave / 2, p90: wave - 5, p99: wave, max: wave + 10 },
      cpuMsPerVerification: cpu,
      ...(db !== undefined ? { dbCpuMsPerVerification: db } : {}),
      ...(loop !== undefined ? { eventLoopCpuMsPerVerification: loop } : {}),
      note: 'two instances',
    });
    // medians per figure (the 130 ms p99 comes from the run with the lowest throughput, not the median one)
    const c = combineRuns([run(900, 96, 90, 2.0, 0.1, 0.4), run(800, 130, 120, 2.2, 0.2, 0.45), run(950, 110, 100, 1.9, 0.3, 0.35)]);
    expect(c.acceptedPerSecond).toBe(900);
    expect(c.latencyMs.p99).toBe(110);
    expect(c.afterFirstWaveMs?.p99).toBe(100);
    expect(c.cpuMsPerVerification).toBe(2.0);
    expect(c.dbCpuMsPerVerification).toBe(0.2);
    expect(c.eventLoopCpuMsPerVerification).toBe(0.4);
    expect(c.statuses).toEqual({ '200': 300 });
    expect(c.runs?.map((x) => x.acceptedPerSecond)).toEqual([900, 800, 950]);
    // an even count takes the mean of the middle two; a figure missing from one run is left out
    const even = combineRuns([run(900, 96, 90, 2.0), run(800, 130, 120, 2.2, 0.2)]);
    expect(even.acceptedPerSecond).toBe(850);
    expect(even.dbCpuMsPerVerification).toBeUndefined();
    expect(combineRuns([run(900, 96, 90, 2.0)]).runs).toBeUndefined();
    expect(() => combineRuns([])).toThrow(RangeError);

    const md = markdown({ ...REPORT, serviceScale: [c] });
    expect(md).toContain('| postgres | 2 | 64 | 1 | 900 (800-950) | 55 | 110 (96-130) | 100 (90-120) | 2.00 + 0.20 db | 0.40 | 200:300 |');
    expect(md).toContain("of it, the processes' main threads (the event loops");
    expect(md).toContain('- Each scenario ran 3 times, in rounds');
    expect(scaleCsv([c]).split('\n')[1]?.endsWith(',200:300,900.0 800.0 950.0,0.4,,,')).toBe(true);
  });

  it('shows how the service batched: presentations per verification batch and store calls per statement', () => {
    const run = (meanBatch: number, lookup?: number): ScaleRow =>
      scaleRow({
        ...(lookup !== undefined
          ? { store: 'postgres', instances: 2, callsPerStatement: { request_lookup: lookup, request_consumption: meanBatch } }
          : {}),
        connections: 64,
        workers: 1,
        meanBatch,
      });
    const pg = combineRuns([run(15, 2), run(12, 4), run(16, 3)]);
    expect(pg.meanBatch).toBe(15);
    expect(pg.callsPerStatement).toEqual({ request_lookup: 3, request_consumption: 15 });
    const md = markdown({ ...REPORT, serviceScale: [run(14.25), pg] });
    expect(md).toContain('| mean batch | store calls / statement | statuses |');
    expect(md).toContain('| sqlite | 1 | 64 | 1 | 500 | 9 | 20 | 3.25 | 14.3 |  | 200:100 |');
    expect(md).toContain('| 15.0 | lookup 3.0, consumption 15.0 | 200:300 |');
    expect(md).toContain('Mean batch: presentations per verification batch');
    expect(scaleCsv([pg]).split('\n')[1]?.endsWith(',15,3,15')).toBe(true);
  });

  it('draws the prove-time scatter and the throughput bars as SVG', () => {
    const svg = proveChart(REPORT.results);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<circle cx=/g)).toHaveLength(REPORT.results.length + 2); // points + legend (groth16, plonk)
    expect(svg).toContain('>d16-a4-k4</text>');
    expect(svg).not.toMatch(/NaN|undefined/);
    const bars = throughputChart(REPORT.service);
    expect(bars.match(/<rect x=/g)).toHaveLength(2);
    expect(bars).toContain('80.0/s, p50 38 ms, p99 80 ms, 4 connections');
    expect(proveChart([])).toContain('no results');
  });

  it('has axis ticks and escapes text', () => {
    expect(linearTicks(0, 16000)).toEqual([0, 5000, 10000, 15000, 20000]);
    expect(linearTicks(9500, 12600)).toEqual([9000, 10000, 11000, 12000, 13000]);
    expect(logTicks(100, 10000)).toEqual([100, 200, 500, 1000, 2000, 5000, 10000]);
    expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;');
    expect(shortName('presentation-smt-d32-k4-s16')).toBe('smt-d32-k4');
  });

  it('sizes proofs as curve points and scalars', () => {
    const g1 = ['1', '2', '1'];
    const g2 = [
      ['1', '2'],
      ['3', '4'],
      ['1', '0'],
    ];
    expect(binaryProofSize({ pi_a: g1, pi_b: g2, pi_c: g1, protocol: 'groth16', curve: 'bn128' })).toBe(256);
    expect(binaryProofSize({ A: g1, B: g1, eval_a: '5', protocol: 'plonk', curve: 'bn128' })).toBe(160);
  });
});
