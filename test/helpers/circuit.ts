/** Witness-level helpers: run the committed circuit, and edit one signal of a valid witness. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { expect } from 'vitest';
import { type Circuit, evaluate, loadCircuit } from '../../scripts/lib/r1cs.ts';
import type { ErrorCode } from '../../src/errors.ts';
import { FIELD_MODULUS } from '../../src/field.ts';
import { computeWitness, computeWitnessValues } from '../../src/prover/witness.ts';
import { build, wasm } from './zkid.ts';

export const r1cs = new Uint8Array(readFileSync(join(build.dir, 'circuit.r1cs')));

let symbols: Map<string, number> | undefined;
/** Witness index of a signal by its full name (e.g. 'main.nullifier'); -1 when optimised away. */
export function signalIndex(name: string): number {
  if (!symbols) {
    symbols = new Map();
    for (const line of readFileSync(join(build.dir, 'circuit.sym'), 'utf8').split('\n')) {
      const [, idx, , n] = line.split(',');
      if (n) symbols.set(n, Number(idx));
    }
  }
  const i = symbols.get(name);
  if (i === undefined) throw new Error(`no signal ${name} in circuit.sym`);
  return i;
}

let committed: Promise<Circuit> | undefined;
/** The committed circuit's constraint system and signal names, parsed once. */
export function committedCircuit(): Promise<Circuit> {
  committed ??= loadCircuit(join(build.dir, 'circuit.r1cs'), join(build.dir, 'circuit.sym'));
  return committed;
}

/** Values of a .wtns file (see VALUES_OFFSET below). */
export function wtnsValues(wtns: Uint8Array): bigint[] {
  const n = new DataView(wtns.buffer, wtns.byteOffset).getUint32(12 + 12 + 4 + 32, true);
  const out: bigint[] = new Array(n);
  for (let k = 0; k < n; k++) {
    let v = 0n;
    const at = VALUES_OFFSET + 32 * k;
    for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(wtns[at + i] as number);
    out[k] = v;
  }
  return out;
}

/**
 * The witness must compute AND satisfy every constraint of the committed r1cs: a witness generator
 * that runs proves nothing about the constraints. Checked with the project's R1CS evaluator on the
 * once-parsed committed circuit (it names a broken constraint; tamper.test.ts checks that it agrees
 * with snarkjs's wtns check, on the honest witness and on each tampered one). Returns the witness values.
 */
export async function expectPass(input: object): Promise<bigint[]> {
  const values = await computeWitnessValues(wasm, input as Record<string, unknown>);
  const e = evaluate(await committedCircuit(), values);
  if (!e.ok) throw new Error(`the witness computes but breaks the committed circuit's constraints: ${e.text}`);
  return values;
}

/** The witness must fail with this code (and reason text, when given). */
export async function expectFail(input: object, code: ErrorCode, reason?: string): Promise<void> {
  await expect(computeWitnessValues(wasm, input as Record<string, unknown>)).rejects.toMatchObject({
    code,
    ...(reason ? { message: expect.stringContaining(reason) } : {}),
  });
}

/** Does this .wtns satisfy every constraint of the circuit? */
export async function witnessSatisfies(wtns: Uint8Array): Promise<boolean> {
  const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
  return snarkjs.wtns.check({ type: 'mem', data: r1cs }, { type: 'mem', data: wtns }, quiet);
}

// .wtns layout (version 2, n8 = 32): magic, version, nSections (12 bytes); section 1: type, size
// (12) + n8 (4) + q (32) + nWitness (4); section 2: type, size (12); then 32-byte LE values.
const VALUES_OFFSET = 12 + 12 + 4 + 32 + 4 + 12;

const honest = new WeakMap<object, Promise<Uint8Array>>();
/** The .wtns of `input`, computed once per input object (each tampering edits a copy). */
function honestWitness(input: object): Promise<Uint8Array> {
  let w = honest.get(input);
  if (!w) {
    w = computeWitness(wasm, input as Record<string, unknown>);
    honest.set(input, w);
  }
  return w;
}

/** A valid witness for `input` with one signal set to `value`. */
export async function tamperedWitness(input: object, signal: string, value: (old: bigint) => bigint): Promise<Uint8Array> {
  const wtns = new Uint8Array(await honestWitness(input)); // a copy
  const at = VALUES_OFFSET + 32 * signalIndex(signal);
  let old = 0n;
  for (let i = 31; i >= 0; i--) old = (old << 8n) | BigInt(wtns[at + i] as number);
  let v = ((value(old) % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS;
  for (let i = 0; i < 32; i++) {
    wtns[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return wtns;
}
