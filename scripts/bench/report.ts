/**
 * Renderings of a benchmark report: CSV (one file per table), markdown for people, and the files
 * of an output folder. Pure functions of the report, except `writeReport`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { proveChart, throughputChart } from './charts.ts';
import type { MemoryRow, Report, ResultRow, ScaleRow, ScaleRun, ServiceRow, Stat } from './types.ts';

// ---- number formatting

/** 10494 -> "10,494" */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Milliseconds: one decimal below 100, whole numbers above. */
export function ms(n: number): string {
  return n < 100 ? n.toFixed(1) : int(n);
}

/** Median with its range: "1,512 (1,480-1,560)". */
export function spread(s: Stat | undefined, fallback?: number): string {
  if (!s) return fallback === undefined ? '' : ms(fallback);
  return `${ms(s.median)} (${ms(s.min)}-${ms(s.max)})`;
}

export function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

export function seconds(msValue: number | null): string {
  return msValue === null ? 'committed' : (msValue / 1000).toFixed(1);
}

/** "ARITY_BITS=3 LEVELS=8 K=4 SET_SIZE=16" */
export function paramString(p: Record<string, number>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** Tree shape of a row: "8-ary x 8" for the bitmap tree, "SMT 32" for the baseline. */
export function treeOf(r: Pick<ResultRow, 'params'>): string {
  const p = r.params;
  if (p.ARITY_BITS !== undefined && p.LEVELS !== undefined) return `${2 ** p.ARITY_BITS}-ary x ${p.LEVELS}`;
  if (p.SMT_LEVELS !== undefined) return `SMT ${p.SMT_LEVELS}`;
  if (p.LEVELS !== undefined) return `SMT ${p.LEVELS}`;
  return '';
}

/** Index bits of the revocation tree of a row (SMT: its levels). */
export function depthOfRow(r: Pick<ResultRow, 'params'>): number {
  const p = r.params;
  if (p.ARITY_BITS !== undefined && p.LEVELS !== undefined) return p.ARITY_BITS * p.LEVELS;
  return (p.SMT_LEVELS ?? p.LEVELS ?? 0) as number;
}

// ---- CSV

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csv(header: string[], rows: unknown[][]): string {
  return `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

export function resultsCsv(rows: ResultRow[]): string {
  const header = [
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
    'proveMs',
    'proveMinMs',
    'proveMaxMs',
    'proveBaseMs',
    'proveBaseMinMs',
    'proveBaseMaxMs',
    'verifyMs',
    'verifyMinMs',
    'verifyMaxMs',
    'snarkjsProveMs',
    'snarkjsVerifyMs',
    'runs',
    'prover',
    'verifier',
    'proofBytes',
    'proofBytesBinary',
    'zkeyBytes',
    'vkeyBytes',
    'wasmBytes',
    'setupMs',
    'setupCached',
    'ptauPower',
    'peakRssMiB',
    'note',
  ];
  return csv(
    header,
    rows.map((r) => [
      r.group,
      r.circuit,
      r.protocol,
      r.optimization,
      paramString(r.params),
      r.constraints,
      r.plonkGates,
      r.wires,
      r.publicInputs,
      r.witnessMs,
      r.stats.witnessMs?.min,
      r.stats.witnessMs?.max,
      r.proveMs,
      r.stats.proveMs?.min,
      r.stats.proveMs?.max,
      r.proveBaseMs,
      r.stats.proveBaseMs?.min,
      r.stats.proveBaseMs?.max,
      r.verifyMs,
      r.stats.verifyMs?.min,
      r.stats.verifyMs?.max,
      r.snarkjsProveMs,
      r.snarkjsVerifyMs,
      r.stats.proveMs?.runs,
      r.prover,
      r.verifier,
      r.proofBytes,
      r.proofBytesBinary,
      r.zkeyBytes,
      r.vkeyBytes,
      r.wasmBytes,
      r.setupMs,
      r.setupCached,
      r.ptauPower,
      r.peakRssMiB,
      r.note,
    ]),
  );
}

function statusString(s: Record<string, number>): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
}

export function serviceCsv(rows: ServiceRow[]): string {
  return csv(
    [
      'scenario',
      'connections',
      'requests',
      'durationS',
      'perSecond',
      'latencyMeanMs',
      'latencyP50Ms',
      'latencyP90Ms',
      'latencyP99Ms',
      'latencyMaxMs',
      'statuses',
      'note',
    ],
    rows.map((r) => [
      r.scenario,
      r.connections,
      r.requests,
      r.durationS,
      r.perSecond,
      r.latencyMs.mean,
      r.latencyMs.p50,
      r.latencyMs.p90,
      r.latencyMs.p99,
      r.latencyMs.max,
      statusString(r.statuses),
      r.note,
    ]),
  );
}

export function browserCsv(report: Report): string {
  return csv(
    ['kind', 'medianMs', 'minMs', 'maxMs', 'runs', 'workerMs', 'note'],
    report.browser.map((b) => [b.kind, b.stat.median, b.stat.min, b.stat.max, b.stat.runs, b.workerMs, b.note]),
  );
}

// ---- markdown

export function table(header: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const sep = header.map((_, i) => ((align?.[i] ?? 'r') === 'l' ? '---' : '---:'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function machineLine(r: Report): string {
  const m = r.machine;
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform} ${m.release}; load average ${m.loadAverage} at start`;
}

function groth16Table(rows: ResultRow[], first: { title: string; value: (r: ResultRow) => string }): string {
  // Runs from before the linear base have no 'later prove ms'.
  const later = rows.some((r) => r.proveBaseMs !== undefined);
  const cols: [string, (r: ResultRow) => string][] = [
    [first.title, first.value],
    ['circuit', (r) => `\`${r.circuit}\``],
    ['tree', treeOf],
    ['constraints', (r) => int(r.constraints)],
    ['wires', (r) => int(r.wires)],
    ['public', (r) => String(r.publicInputs)],
    ['witness ms', (r) => ms(r.witnessMs)],
    ['prove ms', (r) => spread(r.stats.proveMs, r.proveMs)],
    ...(later
      ? [
          ['later prove ms', (r: ResultRow) => (r.proveBaseMs === undefined ? '' : spread(r.stats.proveBaseMs, r.proveBaseMs))] as [
            string,
            (r: ResultRow) => string,
          ],
        ]
      : []),
    ['snarkjs prove ms', (r) => (r.snarkjsProveMs === undefined ? '' : ms(r.snarkjsProveMs))],
    ['verify ms', (r) => spread(r.stats.verifyMs, r.verifyMs)],
    ['snarkjs verify ms', (r) => (r.snarkjsVerifyMs === undefined ? '' : ms(r.snarkjsVerifyMs))],
    ['proof B', (r) => String(r.proofBytes)],
    ['zkey MiB', (r) => mib(r.zkeyBytes)],
    ['peak RSS MiB', (r) => String(r.peakRssMiB)],
  ];
  return table(
    cols.map(([title]) => title),
    rows.map((r) => cols.map(([, value]) => value(r))),
    ['r', 'l', 'l'],
  );
}

function pct(a: number, b: number): string {
  return `${Math.round((1 - a / b) * 100)} %`;
}

export function scaleCsv(rows: ScaleRow[]): string {
  return csv(
    [
      'store',
      'instances',
      'connections',
      'workers',
      'presentations',
      'durationS',
      'acceptedPerSecond',
      'latencyP50Ms',
      'latencyP90Ms',
      'latencyP99Ms',
      'latencyMaxMs',
      'cpuMsPerVerification',
      'dbCpuMsPerVerification',
      'loadCpuMsPerRequest',
      'statuses',
      'acceptedPerSecondRuns',
      'eventLoopCpuMsPerVerification',
      'meanBatch',
      'lookupsPerStatement',
      'consumptionsPerStatement',
    ],
    rows.map((r) => [
      r.store,
      r.instances,
      r.connections,
      r.workers,
      r.presentations,
      r.durationS,
      r.acceptedPerSecond,
      r.latencyMs.p50,
      r.latencyMs.p90,
      r.latencyMs.p99,
      r.latencyMs.max,
      r.cpuMsPerVerification,
      r.dbCpuMsPerVerification ?? '',
      r.loadCpuMsPerRequest ?? '',
      statusString(r.statuses),
      (r.runs ?? []).map((x) => x.acceptedPerSecond.toFixed(1)).join(' '),
      r.eventLoopCpuMsPerVerification ?? '',
      r.meanBatch ?? '',
      r.callsPerStatement?.request_lookup ?? '',
      r.callsPerStatement?.request_consumption ?? '',
    ]),
  );
}

const fiveXX = (s: Record<string, number>) => Object.entries(s).reduce((n, [k, v]) => (/^5\d\d$/.test(k) ? n + v : n), 0);

/** The service at scale, the soak and the crash test (issue 8's targets checked in words). */
export function scaleMarkdown(r: Report): string[] {
  const out: string[] = [];
  const rows = r.serviceScale ?? [];
  if (rows.length) {
    const f = r.serviceFixture;
    out.push('### Service at scale (distinct valid presentations, each accepted once)');
    // The load generator's column only when measured (results written before it render unchanged).
    const withLoad = rows.some((x) => x.loadCpuMsPerRequest !== undefined);
    const withWave = rows.some((x) => x.afterFirstWaveMs !== undefined);
    const withLoop = rows.some((x) => x.eventLoopCpuMsPerVerification !== undefined);
    const withBatch = rows.some((x) => x.meanBatch !== undefined);
    /** "lookup 2.1, consumption 14.0": a PostgreSQL row's store calls per coalesced statement */
    const perStatement = (x: ScaleRow) =>
      x.callsPerStatement
        ? Object.entries(x.callsPerStatement)
            .map(([op, v]) => `${op.replace(/^request_/, '')} ${v.toFixed(1)}`)
            .join(', ')
        : '';
    /** a median with the runs' min-max, when the scenario ran more than once */
    const withRuns = (x: ScaleRow, value: number, of: (run: ScaleRun) => number | undefined, fmt: (v: number) => string): string => {
      const vs = (x.runs ?? []).map(of).filter((v): v is number => v !== undefined);
      return vs.length > 1 ? `${fmt(value)} (${fmt(Math.min(...vs))}-${fmt(Math.max(...vs))})` : fmt(value);
    };
    const whole = (v: number) => v.toFixed(0);
    out.push(
      table(
        [
          'store',
          'instances',
          'connections',
          'workers',
          'accepted/s',
          'p50 ms',
          'p99 ms',
          ...(withWave ? ['p99 ms after the first wave'] : []),
          'CPU ms / verification',
          ...(withLoop ? ['of it, event loop'] : []),
          ...(withLoad ? ['load generator CPU ms / request'] : []),
          ...(withBatch ? ['mean batch', 'store calls / statement'] : []),
          'statuses',
        ],
        rows.map((x) => [
          x.store,
          String(x.instances),
          String(x.connections),
          String(x.workers),
          withRuns(x, x.acceptedPerSecond, (run) => run.acceptedPerSecond, whole),
          String(x.latencyMs.p50),
          withRuns(x, x.latencyMs.p99, (run) => run.p99Ms, String),
          ...(withWave ? [x.afterFirstWaveMs ? withRuns(x, x.afterFirstWaveMs.p99, (run) => run.p99AfterFirstWaveMs, String) : ''] : []),
          `${x.cpuMsPerVerification.toFixed(2)}${x.dbCpuMsPerVerification !== undefined ? ` + ${x.dbCpuMsPerVerification.toFixed(2)} db` : ''}`,
          ...(withLoop ? [x.eventLoopCpuMsPerVerification !== undefined ? x.eventLoopCpuMsPerVerification.toFixed(2) : ''] : []),
          ...(withLoad ? [x.loadCpuMsPerRequest !== undefined ? x.loadCpuMsPerRequest.toFixed(2) : ''] : []),
          ...(withBatch ? [x.meanBatch !== undefined ? x.meanBatch.toFixed(1) : '', perStatement(x)] : []),
          statusString(x.statuses),
        ]),
        [
          'l',
          'r',
          'r',
          'r',
          'r',
          'r',
          'r',
          ...(withWave ? ['r' as const] : []),
          'r',
          ...(withLoop ? ['r' as const] : []),
          ...(withLoad ? ['r' as const] : []),
          ...(withBatch ? ['r' as const, 'l' as const] : []),
          'l',
        ],
      ),
    );
    const notes: string[] = [];
    if (f) {
      notes.push(
        `- ${f.presentations} presentations a run, from a cache of ${f.cached} proved once in ${Math.round(f.proveWallS)} s (${(f.proveWallS / Math.max(1, f.cached)).toFixed(2)} s a proof, 2 child processes; ${f.provedNow ? `${f.provedNow} proved by this run` : 'all from the cache'}); each run starts from a fresh copy of the service state.`,
      );
    }
    const rounds = Math.max(0, ...rows.map((x) => x.runs?.length ?? 0));
    if (rounds > 1) {
      notes.push(
        `- Each scenario ran ${rounds} times, in rounds (every scenario once a round, so a host that slows for a minute slows one run of each); the figures are medians over the runs, with min-max in parentheses; statuses summed.`,
      );
    }
    if (withWave) {
      notes.push(
        '- p99 after the first wave: without the first request of each connection (all sent at the same instant when the burst starts, so they queue behind one another); the steady state of a longer run.',
      );
    }
    notes.push(
      `- Two instances: half of the connections to each (no proxy). CPU: the service processes (all threads), and PostgreSQL apart ("db"), per accepted presentation${withLoop ? "; of it, the processes' main threads (the event loops: HTTP, JSON, the store; the rest is the verification workers and V8's and libuv's helper threads)" : ''}${withLoad ? "; the load generator's (the bench's own process, on the same cores) per request sent" : ''}${withBatch ? ". Mean batch: presentations per verification batch; store calls / statement: on PostgreSQL, the request lookups and challenge consumptions answered per coalesced statement (both from the instances' /metrics before and after the burst)" : ''}.`,
    );
    const best = (store: string, c: number) =>
      rows.filter((x) => x.store === store && x.connections === c).reduce((m, x) => Math.max(m, x.acceptedPerSecond), 0);
    const at64 = rows.filter((x) => x.connections === 64);
    const targets = [
      `≥ 500 accepted/s: ${rows.some((x) => x.acceptedPerSecond >= 500) ? 'met' : 'not met'}`,
      at64.length
        ? `p99 < 100 ms at 64 connections: ${at64.every((x) => x.latencyMs.p99 < 100) ? 'met' : 'not met'}${withWave ? ` (after the first wave: ${at64.every((x) => (x.afterFirstWaveMs?.p99 ?? Number.POSITIVE_INFINITY) < 100) ? 'met' : 'not met'})` : ''}`
        : '',
      `0 5xx: ${rows.every((x) => fiveXX(x.statuses) === 0) ? 'met' : 'not met'}`,
      [...new Set(rows.map((x) => x.connections))]
        .map((c) => `PostgreSQL × 2 ≥ SQLite × 1 at ${c}: ${best('postgres', c) >= best('sqlite', c) ? 'met' : 'not met'}`)
        .join('; '),
    ].filter(Boolean);
    notes.push(`- Targets: ${targets.join('; ')}.`);
    out.push(notes.join('\n'));
  }
  if (r.soak) {
    const s = r.soak;
    out.push('### Soak (one instance, SQLite, mixed requests)');
    out.push(
      table(
        ['requests', 'connections', 'seconds', '5xx', 'RSS start MiB', 'end', 'peak', 'MiB/min (2nd half)', 'memory', 'statuses'],
        [
          [
            String(s.requests),
            String(s.connections),
            s.durationS.toFixed(1),
            String(s.fiveXX),
            s.rssMiB.start.toFixed(0),
            s.rssMiB.end.toFixed(0),
            s.rssMiB.peak.toFixed(0),
            s.rssMiB.secondHalfSlopeMiBPerMin.toFixed(1),
            s.flat ? 'flat' : 'growing',
            statusString(s.statuses),
          ],
        ],
        ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
      ),
    );
    out.push([`- ${s.note}.`, ...Object.entries(s.byKind).map(([k, v]) => `- ${k}: ${statusString(v)}`)].join('\n'));
  }
  if (r.faults) {
    const x = r.faults;
    out.push('### Crash mid-burst (SIGKILL one of two instances on PostgreSQL)');
    out.push(
      table(
        [
          'result',
          'presentations',
          'killed after',
          'unanswered',
          'resent',
          'accepted',
          'verified in db',
          'duplicates',
          'accepted without result',
        ],
        [
          [
            x.passed ? 'passed' : 'FAILED',
            String(x.presentations),
            String(x.killedAfter),
            String(x.unanswered),
            statusString(x.resendStatuses),
            String(x.accepted),
            String(x.verifiedInDb),
            String(x.duplicates),
            String(x.acceptedWithoutResult),
          ],
        ],
        ['l', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'r'],
      ),
    );
    out.push(`- ${x.note}; burst statuses ${statusString(x.burstStatuses)}.`);
  }
  return out;
}

/** The browser proof's peak-memory target (issue 10): 300 MB. */
export const BROWSER_PEAK_TARGET_BYTES = 300e6;

/** Peak memory of a proof, Node and browser, and the browser target checked. */
export function memoryMarkdown(r: Report): string[] {
  const rows = r.memory ?? [];
  if (!rows.length) return [];
  const out = ['### Peak memory of a proof'];
  // Private memory columns only when some row has them (results published before them render as they were).
  const hasPrivate = rows.some((m) => m.privatePeakMiB !== undefined);
  const privateCols = (m: MemoryRow) =>
    hasPrivate ? [m.privatePeakMiB?.toFixed(0) ?? '', m.maxPrivatePeakMiB?.toFixed(0) ?? '', m.privateBeforeMiB?.toFixed(0) ?? ''] : [];
  out.push(
    table(
      [
        'runtime',
        'proof',
        'peak MiB',
        'largest MiB',
        'before the proof MiB',
        ...(hasPrivate ? ['private peak MiB', 'largest private MiB', 'private before MiB'] : []),
        'prove ms',
        'runs',
        '',
      ],
      rows.map((m) => [
        m.runtime,
        m.kind,
        m.peakMiB.toFixed(0),
        m.maxPeakMiB.toFixed(0),
        m.beforeMiB.toFixed(0),
        ...privateCols(m),
        ms(m.proveMs),
        String(m.runs),
        m.note,
      ]),
      ['l', 'l', 'r', 'r', 'r', ...(hasPrivate ? ['r', 'r', 'r'] : []), 'r', 'r', 'l'] as ('l' | 'r')[],
    ),
  );
  const measured = new Map(rows.map((m) => [m.runtime, m.measured]));
  out.push([...measured].map(([runtime, what]) => `- ${runtime}: ${what}.`).join('\n'));
  const browser = rows.filter((m) => m.runtime === 'browser');
  if (browser.length) {
    const worst = Math.max(...browser.map((m) => m.maxPeakMiB));
    const limit = BROWSER_PEAK_TARGET_BYTES / 2 ** 20;
    const mb = (mib: number) => ((mib * 2 ** 20) / 1e6).toFixed(0);
    const privates = browser.flatMap((m) => (m.maxPrivatePeakMiB === undefined ? [] : [m.maxPrivatePeakMiB]));
    const worstPrivate = privates.length ? Math.max(...privates) : undefined;
    const verdict = (v: number) => (v <= limit ? 'met' : 'not met');
    out.push(
      worstPrivate === undefined
        ? `Browser target, peak at most 300 MB (${limit.toFixed(0)} MiB): ${verdict(worst)} (largest browser peak ${worst.toFixed(0)} MiB, ${mb(worst)} MB). Resident sets include shared code pages (Node's, Chromium's), so they are what the process holds, not only what proving adds.`
        : `Browser target, peak at most 300 MB (${limit.toFixed(0)} MiB): on the resident set ${verdict(worst)} (largest browser peak ${worst.toFixed(0)} MiB, ${mb(worst)} MB); on private memory ${verdict(worstPrivate)} (largest sampled private peak ${worstPrivate.toFixed(0)} MiB, ${mb(worstPrivate)} MB). Resident sets include shared code pages (Node's, Chromium's), so they are what the process holds, not only what proving adds; private memory leaves out the file-backed pages of the Chromium binary, which every Chromium process shares.`,
    );
  }
  return out;
}

/** A cold first proof's download: artifacts raw and as sent, the key's parse time, transfer at 10 and 20 Mbit/s. */
export function artifactsMarkdown(r: Report): string[] {
  const rows = r.artifacts ?? [];
  if (!rows.length) return [];
  const mb = (n: number) => (n / 1e6).toFixed(2);
  const out = ['### What a cold first proof downloads'];
  out.push(
    table(
      ['artifact', 'MB', 'brotli (sent) MB', 'brotli q11 MB', 'gzip MB', 'parse ms (Node)', 'decode ms (Chromium)', ''],
      rows.map((a) => [
        a.artifact,
        mb(a.bytes),
        mb(a.br),
        mb(a.br11),
        mb(a.gzip),
        a.parseMs === undefined ? '' : ms(a.parseMs),
        a.browserDecodeMs === undefined ? '' : ms(a.browserDecodeMs),
        a.note,
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
  );
  const wasm = rows.find((a) => a.artifact === 'wasm');
  if (wasm) {
    const lines = rows
      .filter((a) => a !== wasm)
      .map((a) => {
        const br = wasm.br + a.br;
        const gz = wasm.gzip + a.gzip;
        const at = (mbit: number) => `${(((br * 8) / (mbit * 1e6)) * 1000 + (a.parseMs ?? 0)).toFixed(0)} ms at ${mbit} Mbit/s`;
        return `- wasm + ${a.artifact}: ${mb(br)} MB with brotli, ${mb(gz)} MB with gzip; transfer (brotli) plus parse: ${at(10)}, ${at(20)}.`;
      });
    out.push(lines.join('\n'));
  }
  out.push('Target (issue 10): a cold first proof transfers at most 8 MB (moonshot 4 MB).');
  return out;
}

export function artifactsCsv(report: Report): string {
  return csv(
    ['artifact', 'file', 'bytes', 'br', 'br11', 'gzip', 'parseMs', 'browserDecodeMs', 'note'],
    (report.artifacts ?? []).map((a) => [a.artifact, a.file, a.bytes, a.br, a.br11, a.gzip, a.parseMs, a.browserDecodeMs, a.note]),
  );
}

export function memoryCsv(report: Report): string {
  return csv(
    [
      'runtime',
      'kind',
      'peakMiB',
      'maxPeakMiB',
      'beforeMiB',
      'privatePeakMiB',
      'maxPrivatePeakMiB',
      'privateBeforeMiB',
      'proveMs',
      'runs',
      'note',
      'measured',
    ],
    (report.memory ?? []).map((m) => [
      m.runtime,
      m.kind,
      m.peakMiB,
      m.maxPeakMiB,
      m.beforeMiB,
      m.privatePeakMiB ?? '',
      m.maxPrivatePeakMiB ?? '',
      m.privateBeforeMiB ?? '',
      m.proveMs,
      m.runs,
      m.note,
      m.measured,
    ]),
  );
}

/** The report as markdown: machine, Groth16 sweeps, baseline, proof systems, service, browser. */
export function markdown(r: Report): string {
  const out: string[] = [];
  const g16 = r.results.filter((x) => x.protocol === 'groth16');
  const def = g16.find((x) => x.group === 'default');
  out.push(`Machine: ${machineLine(r)}.`);
  out.push(
    `Run of ${r.date}${r.command ? ` (\`${r.command}\`)` : r.options.quick ? ' (--quick)' : ''}: ${r.options.runs} measured runs after ${r.options.warmup} warm-up (PLONK/FFLONK: ${r.options.protocolRuns} after ${r.options.protocolWarmup}); medians, with min-max in parentheses; whole run ${Math.round(r.runtimeS / 60)} min.`,
  );
  const verifyText =
    'Verify: `verifyPresentation` (every check plus the mcl-wasm pairing) and plain `snarkjs.groth16.verify`. Proof B: the proof as JSON.';
  out.push(
    g16.some((x) => x.proveBaseMs !== undefined)
      ? `Prove: zkid's Groth16 prover (\`src/prover/groth16-prove.ts\`) and plain \`snarkjs.groth16.prove\` on the same witnesses, each timed proof for another service (its own scope and challenge; witnesses computed before the clock starts). 'prove ms': a credential's first proof (every multi-exponentiation in full); 'later prove ms': a later proof of it, with the credential's linear base kept from an earlier proof (the sums of a canonical statement's witness: only the values this statement changes are multiplied). ${verifyText}`
      : `Prove: zkid's Groth16 prover (\`src/prover/groth16-prove.ts\`) and plain \`snarkjs.groth16.prove\` on the same witness. ${verifyText}`,
  );

  const depthRows = g16.filter((x) => x.group === 'depth' || x.group === 'default').sort((a, b) => depthOfRow(a) - depthOfRow(b));
  if (depthRows.length) {
    out.push('### Revocation tree depth (K = 4 predicate slots)');
    out.push(groth16Table(depthRows, { title: 'depth', value: (x) => String(depthOfRow(x)) }));
  }
  if (r.shapes.length) {
    out.push('Tree shape per depth: every candidate compiled, the one with the fewest constraints measured.');
    out.push(
      table(
        ['depth', 'candidates (constraints)', 'chosen'],
        r.shapes.map((s) => [
          String(s.depth),
          s.candidates.map((c) => `${2 ** c.arityBits}-ary x ${c.levels}: ${int(c.constraints)}`).join('; '),
          `\`${s.chosen}\``,
        ]),
        ['r', 'l', 'l'],
      ),
    );
  }
  const slotRows = g16.filter((x) => x.group === 'slots' || x.group === 'default').sort((a, b) => (a.params.K ?? 0) - (b.params.K ?? 0));
  if (slotRows.length > 1) {
    out.push('### Predicate slots (8-ary tree, depth 24)');
    out.push(groth16Table(slotRows, { title: 'K', value: (x) => String(x.params.K) }));
  }

  const smt = g16.find((x) => x.group === 'baseline');
  const comps = g16.filter((x) => x.group === 'component');
  if (smt || comps.length) {
    out.push('### Baseline: bitmap leaves against one leaf per serial (circomlib SMTVerifier)');
    const rows = [...(def ? [def] : []), ...(smt ? [smt] : []), ...comps];
    out.push(
      table(
        ['circuit', 'non-revocation', 'constraints', 'witness ms', 'prove ms', 'verify ms', 'zkey MiB', 'peak RSS MiB'],
        rows.map((x) => [
          `\`${x.circuit}\``,
          treeOf(x),
          int(x.constraints),
          ms(x.witnessMs),
          spread(x.stats.proveMs, x.proveMs),
          spread(x.stats.verifyMs, x.verifyMs),
          mib(x.zkeyBytes),
          String(x.peakRssMiB),
        ]),
        ['l', 'l'],
      ),
    );
    const bitmapComp = comps.find((x) => x.params.ARITY_BITS === 3 && x.params.LEVELS === 8);
    const smtComp = comps.find((x) => x.template === 'SmtNonRevocation');
    const lines: string[] = [];
    if (def && smt) {
      lines.push(
        `Whole presentation, same capacity (252 x 2^24 serials): ${int(def.constraints)} constraints with bitmap leaves against ${int(smt.constraints)} with the SMT (${pct(def.constraints, smt.constraints)} fewer); prove ${ms(def.proveMs)} against ${ms(smt.proveMs)} ms.`,
      );
    }
    if (bitmapComp && smtComp) {
      lines.push(
        `Non-revocation alone: ${int(bitmapComp.constraints)} (8-ary bitmap tree, 8 levels) against ${int(smtComp.constraints)} (SMT, 32 levels): ${pct(bitmapComp.constraints, smtComp.constraints)} fewer.`,
      );
    }
    if (lines.length) out.push(lines.join(' '));
  }

  const proto = r.results.filter((x) => x.group === 'protocol' || (x.group === 'component' && x.protocol === 'groth16'));
  const protoCircuits = new Set(r.results.filter((x) => x.group === 'protocol').map((x) => x.circuit));
  if (protoCircuits.size) {
    out.push('### Proof systems on the same statement');
    out.push(
      'Groth16 rows use the `--O2` build (fewest R1CS constraints); PLONK and FFLONK rows the `--O1` build of the same circuit (`--O2` merges linear constraints into long linear combinations, each term a PLONK addition gate: about 2.5 times the gates). Setup: Groth16 phase 2 (new zkey and one contribution); PLONK/FFLONK universal setup from the ptau, no contribution.',
    );
    const rows = proto
      .filter((x) => protoCircuits.has(x.circuit))
      .sort((a, b) => a.circuit.localeCompare(b.circuit) || a.protocol.localeCompare(b.protocol));
    out.push(
      table(
        [
          'circuit',
          'protocol',
          'build',
          'constraints',
          'PLONK gates',
          'ptau',
          'setup s',
          'prove ms',
          'verify ms',
          'proof B (JSON)',
          'proof B (points)',
          'zkey MiB',
          'peak RSS MiB',
        ],
        rows.map((x) => [
          `\`${x.circuit}\``,
          x.protocol,
          x.optimization,
          int(x.constraints),
          x.plonkGates === undefined ? '' : int(x.plonkGates),
          x.ptauPower === null ? '' : `2^${x.ptauPower}`,
          seconds(x.setupMs),
          spread(x.stats.proveMs, x.proveMs),
          spread(x.stats.verifyMs, x.verifyMs),
          String(x.proofBytes),
          String(x.proofBytesBinary),
          mib(x.zkeyBytes),
          String(x.peakRssMiB),
        ]),
        ['l', 'l', 'l'],
      ),
    );
  }
  if (r.skipped.length) {
    out.push('Not run (outside the powers-of-tau budget):');
    out.push(r.skipped.map((s) => `- ${s.protocol} on \`${s.circuit}\`: ${s.reason}`).join('\n'));
  }

  if (r.service.length) {
    out.push("### Service (autocannon against `npm start`'s server)");
    out.push(
      table(
        ['scenario', 'connections', 'requests', 'per second', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'statuses'],
        r.service.map((s) => [
          s.scenario,
          String(s.connections),
          String(s.requests),
          s.perSecond.toFixed(1),
          String(s.latencyMs.p50),
          String(s.latencyMs.p90),
          String(s.latencyMs.p99),
          String(s.latencyMs.max),
          statusString(s.statuses),
        ]),
        ['l'],
      ),
    );
    out.push(r.service.map((s) => `- ${s.scenario}: ${s.note}.`).join('\n'));
  }
  out.push(...scaleMarkdown(r));
  if (r.verifier?.length) {
    const single = r.verifier.find((v) => v.mode === 'single');
    out.push('### Verifier core (one core, distinct valid presentations, every check per presentation)');
    out.push(
      table(
        ['mode', 'batch', 'ms per presentation', 'per second', 'vs single'],
        r.verifier.map((v) => [
          v.mode === 'single' ? '`verifyPresentation`' : '`verifyPresentations`',
          String(v.batchSize),
          v.perProofMs.toFixed(2),
          v.proofsPerSecond.toFixed(0),
          single ? `${(single.perProofMs / v.perProofMs).toFixed(2)}x` : '',
        ]),
        ['l', 'r', 'r', 'r', 'r'],
      ),
    );
  }
  if (r.browser.length) {
    out.push("### Browser proof (headless Chromium, the wallet's proving worker)");
    out.push(
      table(
        ['proof', 'ms in the page', 'runs', 'worker ms', 'received', 'of it artifacts', ''],
        r.browser.map((b) => [
          b.kind,
          spread(b.stat),
          String(b.stat.runs),
          ms(b.workerMs),
          b.bytes === undefined ? '' : `${(b.bytes / 1e6).toFixed(2)} MB`,
          b.artifactBytes === undefined ? '' : `${(b.artifactBytes / 1e6).toFixed(2)} MB`,
          b.note,
        ]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
      ),
    );
  }
  out.push(...memoryMarkdown(r));
  out.push(...artifactsMarkdown(r));
  if (r.notes.length) {
    out.push('### Notes');
    out.push(r.notes.map((n) => `- ${n}`).join('\n'));
  }
  return `${out.join('\n\n')}\n`;
}

/** Write report.json, the CSV files, results.md and the SVG charts into `dir`. @returns the paths written */
export function writeReport(dir: string, r: Report): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['results.json', `${JSON.stringify(r, null, 2)}\n`],
    ['results.csv', resultsCsv(r.results)],
    ['results.md', `# zkid benchmark\n\n${markdown(r)}`],
    ['prove-vs-constraints.svg', proveChart(r.results)],
  ];
  if (r.service.length) {
    files.push(['service.csv', serviceCsv(r.service)], ['throughput.svg', throughputChart(r.service)]);
  }
  if (r.serviceScale?.length) files.push(['service-scale.csv', scaleCsv(r.serviceScale)]);
  if (r.browser.length) files.push(['browser.csv', browserCsv(r)]);
  if (r.memory?.length) files.push(['memory.csv', memoryCsv(r)]);
  if (r.artifacts?.length) files.push(['artifacts.csv', artifactsCsv(r)]);
  const paths: string[] = [];
  for (const [name, text] of files) {
    const p = join(dir, name);
    writeFileSync(p, text);
    paths.push(p);
  }
  return paths;
}
