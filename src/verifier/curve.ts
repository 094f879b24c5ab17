/**
 * snarkjs's shared bn128 curve engine (ffjavascript, with worker threads of its own): one place
 * that imports snarkjs on the verifier side, so modules that do not need it (the verification
 * worker threads) never load it.
 */
import * as snarkjs from 'snarkjs';

let curvePromise: Promise<any> | undefined;
/** The shared bn128 curve (snarkjs caches it on globalThis.curve_bn128). */
export function bn128(): Promise<any> {
  curvePromise ??= snarkjs.curves.getCurveFromName('bn128');
  return curvePromise;
}

/** Terminate the curve's worker threads (server shutdown, test teardown). */
export async function terminateCurve(): Promise<void> {
  const c = (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128;
  curvePromise = undefined;
  if (c) await c.terminate();
}
