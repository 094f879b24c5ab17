/**
 * The proof's progress in the holder's words, with the time left (DOM-free, unit-tested in Node).
 *
 * The library reports stages (src/prover/generate-proof.ts: checking, loading-artifacts, witness,
 * proving, then three proving phases, done). Here they become steps with a weight in
 * milliseconds: measured defaults on the reference machine, replaced by what this device took
 * the last times (the wallet keeps them, see blendStepTimes). Between two reports the bar moves
 * with the clock, never past the end of the current step's share, and the time left is the rest
 * of the current step plus the expected time of the steps still to come.
 */
import type { ProofProgress } from '../index.browser.ts';

export type StepKey = 'check' | 'load' | 'witness' | 'prepare' | 'qap' | 'fft' | 'msm';
export type StepTimes = Record<StepKey, number>;

export const STEP_ORDER: readonly StepKey[] = ['check', 'load', 'witness', 'prepare', 'qap', 'fft', 'msm'];

/**
 * Milliseconds per step of a proof as a holder makes it (the wallet page opened for a request, a
 * new worker, the proving key from Cache Storage) in headless Chromium on the reference machine
 * (2 cores). The shares are the medians of 5 such proofs measured while other work ran (load
 * average about 9: check 425, load 609, witness 1566, prepare 9, QAP 456, FFT 4548, MSM 1810 ms,
 * 9.4 s in all; runs at load 20 gave the same shares within a few points), scaled to that proof's
 * time on the quiet machine, 4.6 s (the 'revisit' row of scripts/bench/results/latest.json). A
 * device replaces them with its own times after its first proof.
 */
export const DEFAULT_STEP_MS: Readonly<StepTimes> = {
  check: 210,
  load: 300,
  witness: 760,
  prepare: 5,
  qap: 220,
  fft: 2220,
  msm: 885,
};

/** What the holder reads while a step runs. */
export const STEP_WORDS: Readonly<Record<StepKey, string>> = {
  check: 'Checking your credential',
  load: 'Getting the proving key ready',
  witness: 'Building the proof',
  prepare: 'Building the proof',
  qap: 'Building the proof',
  fft: 'Building the proof',
  msm: 'Building the proof',
};

/**
 * The step of a library progress report; `provingReports` counts the 'proving' reports before
 * this one (the first starts the prover, then the QAP, FFT and MSM phases follow).
 * @returns the step, or undefined for 'done'
 */
export function stepOf(p: Pick<ProofProgress, 'stage'>, provingReports: number): StepKey | undefined {
  switch (p.stage) {
    case 'checking':
      return 'check';
    case 'loading-artifacts':
      return 'load';
    case 'witness':
      return 'witness';
    case 'proving':
      return (['prepare', 'qap', 'fft', 'msm'] as const)[Math.min(provingReports, 3)];
    default:
      return undefined;
  }
}

/** 'about 3 s left', 'a few seconds left', 'almost done'. */
export function timeLeftWords(ms: number): string {
  if (ms < 1_000) return 'almost done';
  if (ms < 60_000) return `about ${Math.ceil(ms / 1000)} s left`;
  return `about ${Math.ceil(ms / 60_000)} min left`;
}

/** What the bar and its label show at one moment. */
export interface ProgressView {
  fraction: number;
  remainingMs: number;
  words: string;
  label: string;
}

/** One proof's progress: feed it the library's reports, read it at any moment. */
export class ProofProgressEstimate {
  readonly #expected: StepTimes;
  readonly #total: number;
  #step: StepKey = 'check';
  #stepStartedAt: number;
  #provingReports = 0;
  readonly #measured: Partial<StepTimes> = {};

  constructor(expected: StepTimes, now: number) {
    this.#expected = expected;
    this.#total = STEP_ORDER.reduce((s, k) => s + expected[k], 0);
    this.#stepStartedAt = now;
  }

  /** A report from the library (via the worker). */
  report(p: Pick<ProofProgress, 'stage'>, now: number): void {
    const next = stepOf(p, this.#provingReports);
    if (p.stage === 'proving') this.#provingReports++;
    if (next === undefined) {
      this.#finishStep(now);
      return;
    }
    if (next === this.#step) return;
    this.#finishStep(now);
    this.#step = next;
    this.#stepStartedAt = now;
  }

  #finishStep(now: number): void {
    if (this.#measured[this.#step] === undefined) this.#measured[this.#step] = Math.max(0, now - this.#stepStartedAt);
  }

  /** The bar's position, the time left and the words at `now`. */
  view(now: number): ProgressView {
    const i = STEP_ORDER.indexOf(this.#step);
    const before = STEP_ORDER.slice(0, i).reduce((s, k) => s + this.#expected[k], 0);
    const after = STEP_ORDER.slice(i + 1).reduce((s, k) => s + this.#expected[k], 0);
    const share = this.#expected[this.#step];
    const elapsed = Math.max(0, now - this.#stepStartedAt);
    // Within a step the bar follows the clock up to 95% of the step's share: a step that runs
    // long does not push the bar into the next one.
    const inStep = Math.min(elapsed, share * 0.95);
    const fraction = this.#total > 0 ? Math.min(0.99, (before + inStep) / this.#total) : 0;
    const remainingMs = after + Math.max(share - elapsed, share * 0.05);
    const words = STEP_WORDS[this.#step];
    return { fraction, remainingMs, words, label: `${words} — ${timeLeftWords(remainingMs)}` };
  }

  /** How long each step took (ms), for the steps that finished. */
  measured(): Partial<StepTimes> {
    return { ...this.#measured };
  }
}

/**
 * The step times to expect next time: each measured step moves halfway towards what it took
 * (a slow or fast outlier does not swing the estimate), unmeasured steps keep their value.
 */
export function blendStepTimes(previous: StepTimes, measured: Partial<StepTimes>): StepTimes {
  const out = { ...previous };
  for (const k of STEP_ORDER) {
    const m = measured[k];
    if (typeof m === 'number' && Number.isFinite(m) && m >= 0) out[k] = Math.round((previous[k] + m) / 2);
  }
  return out;
}

/** Stored step times, checked (anything else gives the defaults). */
export function parseStepTimes(v: unknown): StepTimes {
  const out = { ...DEFAULT_STEP_MS };
  if (typeof v !== 'object' || v === null) return out;
  for (const k of STEP_ORDER) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === 'number' && Number.isFinite(x) && x >= 0 && x < 600_000) out[k] = x;
  }
  return out;
}
