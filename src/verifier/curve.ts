/**
 * snarkjs's shared bn128 curve engine (ffjavascript, with worker threads of its own): the one
 * accessor for the prover, the proving-key shape check and the verifier, so modules that do not
 * need it (the verification worker threads) never load it.
 *
 * ffjavascript keeps the engine on globalThis.curve_bn128 and sets it to null when the engine is
 * terminated; a promise memoised here would then hand out a dead engine (its thread pool gone: the
 * next multiplication never settles). So the memo is dropped whenever the global no longer holds
 * the engine it resolved to, whoever terminated it.
 */
import * as snarkjs from 'snarkjs';

type Engine = { terminate(): Promise<void> };
const slot = globalThis as { curve_bn128?: Engine | null };
let pending: Promise<any> | undefined;
let built: Engine | undefined;

/** The shared bn128 curve (built once per process, again after a termination). */
export function bn128(): Promise<any> {
  if (built && slot.curve_bn128 !== built) {
    pending = undefined;
    built = undefined;
  }
  if (!pending) {
    const p: Promise<any> = snarkjs.curves.getCurveFromName('bn128').then((c: Engine) => {
      if (pending === p) built = c;
      return c;
    });
    p.catch(() => {
      if (pending === p) pending = undefined;
    });
    pending = p;
  }
  return pending;
}

/** Terminate the curve's worker threads (server shutdown, test teardown). */
export async function terminateCurve(): Promise<void> {
  const c = slot.curve_bn128;
  pending = undefined;
  built = undefined;
  if (c) await c.terminate();
}
