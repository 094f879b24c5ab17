/** Timing: warm-up, N measured runs, median and spread. */
import type { Stat } from './types.ts';

/** Median, quartiles and range of a sample (linear interpolation between order statistics). */
export function summarize(samples: readonly number[]): Stat {
  if (samples.length === 0) throw new RangeError("Parameter 'samples' is empty");
  const xs = [...samples].sort((a, b) => a - b);
  const at = (q: number) => {
    const pos = (xs.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return (xs[lo] as number) + ((xs[hi] as number) - (xs[lo] as number)) * (pos - lo);
  };
  return { median: at(0.5), min: xs[0] as number, max: xs[xs.length - 1] as number, q1: at(0.25), q3: at(0.75), runs: xs.length };
}

export interface MeasureOptions {
  warmup: number;
  runs: number;
}

/**
 * Run `f` `warmup` times unmeasured, then `runs` times measured; progress on stderr.
 * @returns the summary of the measured wall times (ms)
 */
export async function measure(label: string, f: () => Promise<unknown>, o: MeasureOptions): Promise<Stat> {
  for (let i = 0; i < o.warmup; i++) {
    process.stderr.write(`\r    ${label}: warm-up ${i + 1}/${o.warmup}   `);
    await f();
  }
  const xs: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    const t0 = performance.now();
    await f();
    xs.push(performance.now() - t0);
    process.stderr.write(`\r    ${label}: ${i + 1}/${o.runs}           `);
  }
  const s = summarize(xs);
  process.stderr.write(
    `\r    ${label}: median ${s.median.toFixed(1)} ms (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)}, n=${s.runs})\n`,
  );
  return s;
}
