/**
 * Node: switch the Poseidon backend to circomlibjs's WebAssembly implementation (4-7 times faster
 * than poseidon-lite on the reference machine). Browser bundles do not import this file.
 */
import { buildPoseidon } from 'circomlibjs';
import { setPoseidonBackend } from './poseidon.ts';

let enabled: Promise<void> | undefined;

/** Build the wasm Poseidon once and make `poseidon()` use it. Safe to call repeatedly. */
export function enableWasmPoseidon(): Promise<void> {
  enabled ??= buildPoseidon().then((p) => {
    setPoseidonBackend((inputs) => p.F.toObject(p(inputs as bigint[])) as bigint);
  });
  return enabled;
}
