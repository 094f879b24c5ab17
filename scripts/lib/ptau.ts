/**
 * Development powers of tau (NOT for production), cached outside the repo: shared by the
 * ceremony (Groth16) and the benchmarks (Groth16, PLONK, FFLONK).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { snarkLogger, step } from './progress.ts';

export const BEACON = '0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';

/** The ptau cache: ZKID_PTAU_CACHE or ~/.cache/zkid/ptau. */
export const DEFAULT_PTAU_CACHE = process.env.ZKID_PTAU_CACHE ?? join(homedir(), '.cache', 'zkid', 'ptau');

export function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return Buffer.from(b).toString('hex');
}

/** Path of the cached development ptau of 2^power (prepared for phase 2, or phase 1 only). */
export function devPtauPath(cache: string, power: number, phase2 = true): string {
  return join(cache, phase2 ? `dev-bn128-${power}.ptau` : `dev-bn128-${power}-phase1.ptau`);
}

/**
 * Create (or reuse) a development ptau of 2^power: new accumulator, one contribution, beacon and,
 * unless `phase2` is false, the phase-2 preparation (the slow step: about 11 minutes for 2^15 on
 * 2 cores). Groth16 and PLONK need the prepared file; FFLONK reads only the phase-1 powers.
 */
export async function devPtau(cache: string, power: number, { phase2 = true }: { phase2?: boolean } = {}): Promise<string> {
  mkdirSync(cache, { recursive: true });
  const final = devPtauPath(cache, power, phase2);
  if (existsSync(final)) {
    process.stderr.write(`• using cached development ptau ${final}\n`);
    return final;
  }
  const curve = await snarkjs.curves.getCurveFromName('bn128');
  // newAccumulator reports progress through logger.log (from 2^17 up).
  const base = snarkLogger();
  const log = { ...base, log: base.debug };
  const p0 = join(cache, `tmp-${power}-0.ptau`);
  const p1 = join(cache, `tmp-${power}-1.ptau`);
  const p2 = join(cache, `tmp-${power}-2.ptau`);
  const p3 = join(cache, `tmp-${power}-3.ptau`);
  await step(`powers of tau 2^${power}: new accumulator`, () => snarkjs.powersOfTau.newAccumulator(curve, power, p0, log));
  await step('powers of tau: contribution', () => snarkjs.powersOfTau.contribute(p0, p1, 'zkid dev', randomHex(64), log));
  await step('powers of tau: beacon', () => snarkjs.powersOfTau.beacon(p1, p2, 'zkid dev beacon', BEACON, 10, log));
  if (phase2) {
    await step(`powers of tau: prepare phase 2 (slow: about 11 minutes for 2^15 on 2 cores)`, () =>
      snarkjs.powersOfTau.preparePhase2(p2, p3, log),
    );
    renameSync(p3, final);
  } else {
    renameSync(p2, final);
  }
  for (const f of [p0, p1, p2]) rmSync(f, { force: true });
  return final;
}
