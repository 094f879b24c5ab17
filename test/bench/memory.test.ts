/**
 * The benchmark's memory figures (scripts/bench/memory.ts): the /proc readings they rest on, the
 * rows made from several proofs, and their markdown with the browser target checked.
 */
import { describe, expect, it } from 'vitest';
import { memoryRow, peakResetAvailable, resetPeak, residentSet } from '../../scripts/bench/memory.ts';
import { markdown, memoryCsv, memoryMarkdown } from '../../scripts/bench/report.ts';
import type { Report } from '../../scripts/bench/types.ts';

const MiB = 2 ** 20;
const linux = process.platform === 'linux';

const report = (memory?: Report['memory']): Report => ({
  date: '2026-12-01T00:00:00.000Z',
  machine: { cpu: 'cpu', cores: 2, memoryGiB: 4, node: 'v20', platform: 'linux', release: '6', loadAverage: 0, versions: {} },
  options: { quick: true, runs: 3, warmup: 1, protocolRuns: 5, protocolWarmup: 1 },
  runtimeS: 1,
  results: [],
  skipped: [],
  shapes: [],
  service: [],
  browser: [],
  notes: [],
  ...(memory ? { memory } : {}),
});

describe('bench memory', () => {
  it.runIf(linux)('reads this process: the peak is at least the resident set, and a reset brings it down to it', () => {
    const m = residentSet();
    expect(m?.rss).toBeGreaterThan(10 * MiB);
    expect(m?.hwm).toBeGreaterThanOrEqual(m?.rss ?? Number.POSITIVE_INFINITY);
    expect(peakResetAvailable()).toBe(true);
    const grown = Buffer.alloc(64 * MiB, 1); // touched: resident
    const high = residentSet()?.hwm ?? 0;
    expect(high).toBeGreaterThan((m?.rss ?? 0) + 32 * MiB);
    expect(grown[0]).toBe(1);
    expect(resetPeak()).toBe(true);
    const after = residentSet();
    expect(after?.hwm).toBeLessThanOrEqual((after?.rss ?? 0) + 8 * MiB);
    expect(residentSet(2 ** 22 + 12345)).toBeUndefined(); // no such process
  });

  it('a row takes the median peak and before, the largest peak, and MiB to one decimal', () => {
    const r = memoryRow(
      'browser',
      'warm',
      [
        { before: 100 * MiB, peak: 200 * MiB, ms: 10 },
        { before: 120 * MiB, peak: 260 * MiB, ms: 30 },
        { before: 110 * MiB, peak: 230.04 * MiB, ms: 20 },
      ],
      'measured',
      'what',
    );
    expect(r).toEqual({
      runtime: 'browser',
      kind: 'warm',
      peakMiB: 230,
      maxPeakMiB: 260,
      beforeMiB: 110,
      proveMs: 20,
      runs: 3,
      measured: 'measured',
      note: 'what',
    });
  });

  it('renders a table, and checks the browser target (300 MB = 286 MiB) against the largest browser peak', () => {
    const node = memoryRow('node', 'cold', [{ before: 70 * MiB, peak: 400 * MiB, ms: 1 }], 'the node process', 'node note');
    const ok = memoryRow('browser', 'cold', [{ before: 150 * MiB, peak: 280 * MiB, ms: 1 }], 'the renderer', 'browser note');
    const over = memoryRow('browser', 'warm', [{ before: 150 * MiB, peak: 290 * MiB, ms: 1 }], 'the renderer', 'browser note');
    const md = memoryMarkdown(report([node, ok])).join('\n\n');
    expect(md).toContain('### Peak memory of a proof');
    expect(md).toContain('| node | cold | 400 | 400 | 70 | 1.0 | 1 | node note |');
    expect(md).toContain('- node: the node process.\n- browser: the renderer.');
    expect(md).toContain('peak at most 300 MB (286 MiB): met (largest browser peak 280 MiB, 294 MB)');
    expect(memoryMarkdown(report([node, ok, over])).join('\n')).toContain('not met (largest browser peak 290 MiB');
    expect(memoryMarkdown(report([node])).join('\n')).not.toContain('target');
    expect(markdown(report([node]))).toContain('### Peak memory of a proof');
    expect(memoryCsv(report([node]))).toBe(
      'runtime,kind,peakMiB,maxPeakMiB,beforeMiB,privatePeakMiB,maxPrivatePeakMiB,privateBeforeMiB,proveMs,runs,note,measured\nnode,cold,400,400,70,,,,1,1,node note,the node process\n',
    );
  });

  it("adds the renderer's private memory (sampled) when measured, and checks the target on both", () => {
    const row = (peak: number, privatePeak: number) =>
      memoryRow(
        'browser',
        'warm',
        [{ before: 150 * MiB, peak: peak * MiB, privateBefore: 40 * MiB, privatePeak: privatePeak * MiB, ms: 1 }],
        'the renderer',
        'n',
      );
    const md = memoryMarkdown(report([row(350, 220)])).join('\n\n');
    expect(md).toContain('| private peak MiB | largest private MiB | private before MiB |');
    expect(md).toContain('| browser | warm | 350 | 350 | 150 | 220 | 220 | 40 | 1.0 | 1 | n |');
    expect(md).toContain(
      'on the resident set not met (largest browser peak 350 MiB, 367 MB); on private memory met (largest sampled private peak 220 MiB, 231 MB)',
    );
    expect(memoryMarkdown(report([row(350, 290)])).join('\n')).toContain('on private memory not met (largest sampled private peak 290 MiB');
  });

  it('leaves a report without memory figures as it was (published results render unchanged)', () => {
    expect(memoryMarkdown(report())).toEqual([]);
    expect(markdown(report())).not.toContain('Peak memory');
  });
});
