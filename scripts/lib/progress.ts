/** Progress output for long script steps: elapsed time per step, and a snarkjs-compatible logger. */
export function step<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  process.stderr.write(`▶ ${label}\n`);
  return Promise.resolve(fn()).then((v) => {
    process.stderr.write(`✔ ${label} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    return v;
  });
}

/**
 * A logger for snarkjs: forwards its info lines and throttles its debug lines (it reports
 * progress such as "applyKeyToSection: 12/16" through debug) to one every two seconds.
 */
export function snarkLogger(prefix = '  ') {
  let last = 0;
  const out = (s: unknown) => process.stderr.write(`${prefix}${String(s)}\n`);
  return {
    info: out,
    warn: out,
    error: out,
    debug: (s: unknown) => {
      const now = Date.now();
      if (now - last > 2000) {
        last = now;
        out(s);
      }
    },
  };
}
