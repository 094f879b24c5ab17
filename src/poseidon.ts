/**
 * The one Poseidon wrapper (circomlib's parameters): hashes 1 to 16 field elements exactly as
 * circomlib's `Poseidon(n)` template does in the circuits. The default backend is poseidon-lite
 * (pure JavaScript, synchronous, browser-safe). Node processes that hash a lot (the issuer's tree,
 * the verifier) call `enableWasmPoseidon()` from poseidon-wasm.ts once at start: circomlibjs's
 * WebAssembly Poseidon, 4-7 times faster here, with identical outputs (tested).
 */
import {
  poseidon1,
  poseidon2,
  poseidon3,
  poseidon4,
  poseidon5,
  poseidon6,
  poseidon7,
  poseidon8,
  poseidon9,
  poseidon10,
  poseidon11,
  poseidon12,
  poseidon13,
  poseidon14,
  poseidon15,
  poseidon16,
} from 'poseidon-lite';
import { ZkidError } from './errors.ts';

type Hash = (inputs: bigint[]) => bigint;
const LITE: Hash[] = [
  poseidon1,
  poseidon2,
  poseidon3,
  poseidon4,
  poseidon5,
  poseidon6,
  poseidon7,
  poseidon8,
  poseidon9,
  poseidon10,
  poseidon11,
  poseidon12,
  poseidon13,
  poseidon14,
  poseidon15,
  poseidon16,
] as Hash[];

/** The pure-JavaScript backend (always available). */
export function poseidonLite(inputs: readonly bigint[]): bigint {
  return (LITE[inputs.length - 1] as Hash)([...inputs]);
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
