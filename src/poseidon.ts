/**
 * The one Poseidon wrapper (circomlib's parameters, via poseidon-lite): hashes 1 to 16 field
 * elements, exactly as circomlib's `Poseidon(n)` template does in the circuits.
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
const BY_ARITY: Hash[] = [
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

/** Poseidon over 1..16 field elements (each must already be < r). */
export function poseidon(inputs: readonly bigint[]): bigint {
  const h = BY_ARITY[inputs.length - 1];
  if (!h) throw new ZkidError('INVALID_ARGUMENT', `poseidon takes 1 to 16 inputs, got ${inputs.length}`, 'inputs');
  return h([...inputs]);
}
