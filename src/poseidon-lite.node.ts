/**
 * Node variant of `#poseidon-lite` (see poseidon.ts): every width of poseidon-lite, loaded at once
 * (a Node process pays its ~0.2 s of constant decoding once, and most switch to the wasm backend).
 */
import * as lite from 'poseidon-lite';

type Hash = (inputs: bigint[]) => bigint;

/** poseidon-lite's poseidon<n> (1 <= n <= 16). */
export function liteWidth(n: number): Hash {
  return (lite as unknown as Record<string, Hash>)[`poseidon${n}`] as Hash;
}
