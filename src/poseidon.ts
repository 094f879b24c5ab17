/**
 * The one Poseidon wrapper (circomlib's parameters): hashes 1 to 16 field elements exactly as
 * circomlib's `Poseidon(n)` template does in the circuits. The default backend is poseidon-lite
 * (pure JavaScript, synchronous, browser-safe), reached through `#poseidon-lite`: in Node every
 * width at once, in browser bundles each width loaded at its first use (poseidon-lite.browser.ts:
 * loading all sixteen was most of a prover worker's start). Node processes that hash a lot (the
 * issuer's tree, the verifier) call `enableWasmPoseidon()` from poseidon-wasm.ts once at start:
 * circomlibjs's WebAssembly Poseidon, 4-7 times faster here, with identical outputs (tested).
 */
import { liteWidth } from '#poseidon-lite';
import { ZkidError } from './errors.ts';

type Hash = (inputs: bigint[]) => bigint;
/** poseidon-lite's poseidon1 .. poseidon16 as they are first used, indexed by input count - 1. */
const LITE: (Hash | undefined)[] = new Array(16);

/** The pure-JavaScript backend (always available). */
export function poseidonLite(inputs: readonly bigint[]): bigint {
  const i = inputs.length - 1;
  let f = LITE[i];
  if (!f) {
    f = liteWidth(inputs.length);
    LITE[i] = f;
  }
  return f([...inputs]);
}

let backend: (inputs: readonly bigint[]) => bigint = poseidonLite;

/** Replace the backend (it must compute the same function; see poseidon-wasm.ts). */
export function setPoseidonBackend(f: (inputs: readonly bigint[]) => bigint): void {
  backend = f;
}

/** Poseidon over 1..16 field elements (each must already be < r). */
export function poseidon(inputs: readonly bigint[]): bigint {
  if (inputs.length < 1 || inputs.length > 16) {
    throw new ZkidError('INVALID_ARGUMENT', `poseidon takes 1 to 16 inputs, got ${inputs.length}`, 'inputs');
  }
  return backend(inputs);
}
