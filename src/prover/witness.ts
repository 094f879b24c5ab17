/**
 * Circuit inputs and witness computation. `buildCircuitInput` maps a credential, the holder's
 * secret, a proof request and a revocation witness onto the circuit's input signals; `computeWitness`
 * runs the circuit's wasm (its WitnessCalculator is built once per wasm and reused, after failures too).
 */
import { type WitnessCalculator, WitnessCalculatorBuilder } from 'circom_runtime';
import { encodeStatement } from '../circuit/encoding.ts';
import { type CircuitParams, circuitParams } from '../circuit/registry.ts';
import { type Credential, credentialSlots } from '../credential/schema.ts';
import { ZkidError } from '../errors.ts';
import { isCanonicalFieldElement, toDecimal } from '../field.ts';
import type { ProofRequest } from '../request.ts';
import type { RevocationWitness } from '../revocation/tree.ts';
import { sha256Hex } from './artifacts.ts';
import { witnessError } from './witness-errors.ts';

/** Input signals of ZkidPresentation, as decimal strings. */
export interface CircuitInput {
  issuerAx: string;
  issuerAy: string;
  revocationRoot: string;
  scope: string;
  challenge: string;
  setHash: string;
  request: string[];
  slots: string[];
  holderSecret: string;
  sigR8x: string;
  sigR8y: string;
  sigS: string;
  revLeaf: string;
  revSiblings: string[][];
  set: string[];
}

export function buildCircuitInput(args: {
  credential: Credential;
  holderSecret: bigint;
  request: ProofRequest;
  revocation: RevocationWitness;
  params?: CircuitParams;
}): CircuitInput {
  const { credential, holderSecret, request, revocation } = args;
  const params = args.params ?? circuitParams(request.circuit);
  const enc = encodeStatement(params, { today: request.today, disclose: request.policy.disclose, predicates: request.policy.predicates });
  const A = 1 << params.arityBits;
  if (revocation.siblings.length !== params.levels || revocation.siblings.some((s) => s.length !== A - 1)) {
    throw new ZkidError('INVALID_REVOCATION_DATA', `revocation witness does not fit circuit ${request.circuit}`, 'revocation');
  }
  return {
    issuerAx: credential.issuer.publicKey[0],
    issuerAy: credential.issuer.publicKey[1],
    revocationRoot: toDecimal(revocation.root),
    scope: request.scope,
    challenge: request.challenge,
    setHash: toDecimal(enc.setHash),
    request: enc.request.map(toDecimal),
    slots: credentialSlots(credential).map(toDecimal),
    holderSecret: toDecimal(holderSecret),
    sigR8x: credential.signature.R8[0],
    sigR8y: credential.signature.R8[1],
    sigS: credential.signature.S,
    revLeaf: toDecimal(revocation.leaf),
    revSiblings: revocation.siblings.map((l) => l.map(toDecimal)),
    set: enc.set.map(toDecimal),
  };
}

/**
 * The input the prover's linear base is computed for (generate-proof.ts): the same credential,
 * secret and revocation path, with a canonical statement (nothing disclosed, no predicates, day 0,
 * scope and challenge 0) that depends on no request. Its witness shares with a real proof's every
 * value that depends only on the credential, the secret and the path: the signature check, the
 * holder binding, the Merkle path (with the default circuit, a request of four predicates changes
 * about 1,000 of 10,533 values, a second service with the same predicates 240).
 */
export function canonicalCircuitInput(input: CircuitInput, params: CircuitParams): CircuitInput {
  const enc = encodeStatement(params, { today: 0, disclose: [], predicates: [] });
  return {
    ...input,
    scope: '0',
    challenge: '0',
    setHash: toDecimal(enc.setHash),
    request: enc.request.map(toDecimal),
    set: enc.set.map(toDecimal),
  };
}

/**
 * One WitnessCalculator per circuit wasm, built once (compiling the wasm is the expensive part)
 * and kept for the life of the process, also after a failed witness.
 */
interface Calculator {
  key: string;
  calc: WitnessCalculator;
  /** circom_runtime's error text as of this instance's last failure (see ownFailure) */
  reported: string;
  /** the last call on this instance, settled or not: calls run one after another (see run) */
  last: Promise<unknown>;
}

const calculators = new Map<string, Promise<Calculator>>();
/** Error text an instance may accumulate before it is replaced (a failure adds ~50-200 bytes). */
const MAX_REPORTED = 64 * 1024;

/**
 * A circuit's wasm named by its sha256, read only when its witness calculator is not built yet:
 * a prover that keeps the calculator need not keep (or re-hash) the wasm's 8 MB for later proofs.
 * `load` must give bytes whose sha256 is `sha256` (loadArtifact checks it).
 */
export interface CircuitWasm {
  sha256: string;
  load(): Promise<Uint8Array>;
}

/** The wasm bytes themselves, or a CircuitWasm. */
export type WasmSource = Uint8Array | CircuitWasm;

async function calculatorFor(wasm: WasmSource): Promise<Calculator> {
  const key = wasm instanceof Uint8Array ? await sha256Hex(wasm) : wasm.sha256;
  let c = calculators.get(key);
  if (!c) {
    c = (async () => {
      const bytes = wasm instanceof Uint8Array ? wasm : await wasm.load();
      return { key, calc: await WitnessCalculatorBuilder(bytes), reported: '', last: Promise.resolve() as Promise<unknown> };
    })();
    calculators.set(key, c);
    c.catch(() => calculators.delete(key));
  }
  return c;
}

/**
 * circom_runtime (0.1.28) reports a failed witness as one of these kinds followed by `errStr`: the
 * error lines (assertion frames) the instance has printed SINCE IT WAS BUILT. `init()` resets the
 * signals before each witness, but errStr only grows, so a reused instance's message starts with
 * the frames of every earlier failure.
 */
const FAILURE_KINDS = [
  'Signal not found. ',
  'Too many signals set. ',
  'Signal already set. ',
  'Assert Failed. ',
  'Not enough memory. ',
  'Input signal array access exceeds the size. ',
  'Unknown error. ',
];

/**
 * The failure with only its own frames: the text that earlier failures of this instance already
 * reported is cut off the front (each failure's errStr starts with the previous one's). Errors of
 * any other shape (bad input names, ...) do not carry errStr and pass through unchanged.
 */
export function ownFailure(c: { reported: string }, e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  // calculateWitness rethrows the runtime's error as `new Error(err)`: "Error: Assert Failed. ..."
  const at = e.message.startsWith('Error: ') ? 'Error: '.length : 0;
  const kind = FAILURE_KINDS.find((k) => e.message.startsWith(k, at));
  if (kind === undefined) return e;
  const head = e.message.slice(0, at + kind.length);
  const all = e.message.slice(head.length);
  const own = all.startsWith(c.reported) ? all.slice(c.reported.length) : all;
  c.reported = all;
  return new Error(head + own);
}

/**
 * Run the calculator. Calls on one instance are chained: a witness computation awaits between
 * setting the inputs and reading the values, so two interleaved calls would mix their signals, and
 * ownFailure needs each failure's text right after the previous one's.
 */
async function run<T>(wasm: WasmSource, input: Record<string, unknown>, f: (c: WitnessCalculator) => Promise<T>): Promise<T> {
  assertCanonical(input);
  const c = await calculatorFor(wasm);
  const result = c.last.then(() =>
    f(c.calc).catch((e: unknown) => {
      const error = witnessError(ownFailure(c, e));
      // The instance's error text (and circom_runtime's console.error of all of it on every
      // failure) grows with each failure: after some hundreds, start a fresh instance.
      if (c.reported.length > MAX_REPORTED) calculators.delete(c.key);
      throw error;
    }),
  );
  c.last = result.catch(() => {}); // never rejects
  return result;
}

/** Every input must be a canonical field element: the wasm would silently reduce values >= r. */
function assertCanonical(input: Record<string, unknown>): void {
  const visit = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) visit(v[i], `${path}[${i}]`);
    } else if (!isCanonicalFieldElement(v)) {
      throw new ZkidError('INVALID_FIELD_ELEMENT', `circuit input ${path} is not a field element below r`, path);
    }
  };
  for (const [k, v] of Object.entries(input)) visit(v, k);
}

/**
 * Load and compile the circuit's witness calculator ahead of the first witness (generateProof
 * starts it while the proving key is still downloading).
 * @returns settles once it is built; rejects with the load's error (a ZkidError ARTIFACT_* for a
 *   CircuitWasm from loadArtifact), which the witness computation that follows would throw too
 */
export async function prepareWitnessCalculator(wasm: WasmSource): Promise<void> {
  await calculatorFor(wasm);
}

/** Compute the witness as a .wtns file (bytes) for snarkjs. @throws ZkidError (see witness-errors.ts) */
export function computeWitness(wasm: WasmSource, input: CircuitInput | Record<string, unknown>): Promise<Uint8Array> {
  return run(wasm, input as Record<string, unknown>, (c) => c.calculateWTNSBin(input as Record<string, unknown>, true));
}

/** Compute the witness as signal values (tests and tooling). @throws ZkidError (see witness-errors.ts) */
export function computeWitnessValues(wasm: WasmSource, input: CircuitInput | Record<string, unknown>): Promise<bigint[]> {
  return run(wasm, input as Record<string, unknown>, (c) => c.calculateWitness(input as Record<string, unknown>, true));
}
