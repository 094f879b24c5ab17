/** The machine a run measured: CPU, cores, memory, Node, load, and the versions that matter. */
import { cpus, loadavg, release, totalmem } from 'node:os';
import { compilerVersion, packageVersion } from '../lib/circuits.ts';
import type { Machine } from './types.ts';

export function machine(): Machine {
  const c = cpus();
  const versions: Record<string, string> = {};
  for (const p of ['snarkjs', 'circomlib', 'mcl-wasm', 'circom2', 'autocannon', 'playwright-core']) {
    try {
      versions[p] = packageVersion(p);
    } catch {
      // not installed
    }
  }
  try {
    versions.circom = compilerVersion();
  } catch {
    // compiler unavailable
  }
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
    release: release(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    versions,
  };
}
