/**
 * generateProof: the holder's one entry point. Runs in Node and in browsers (no Node-only imports
 * on this path: artifact reading is chosen through the #read-bytes import condition).
 */
import { PINNED_ARTIFACTS } from '../circuit/pinned-artifacts.ts';
import { type CircuitParams, circuitParams } from '../circuit/registry.ts';
import { parseHolderSecret } from '../credential/holder.ts';
import { type Credential, parseCredential } from '../credential/schema.ts';
import { ZkidError } from '../errors.ts';
import { isIdentifyingPolicy, policyPrivacyProblem } from '../policy.ts';
import { type Groth16Proof, type Presentation, type ProofRequest, parseProofRequest } from '../request.ts';
import { type Bucket, witnessFromBucket } from '../revocation/bucket.ts';
import { type RevocationWitness, SNAPSHOT_FORMAT, type Snapshot, witnessFromSnapshot } from '../revocation/tree.ts';
import { type ArtifactSource, artifactStore, loadArtifact, sha256Hex } from './artifacts.ts';
import { checkStatement } from './check-statement.ts';
import {
  curve,
  deriveLinearBase,
  encodeLinearSums,
  groth16Prove,
  type LinearBase,
  type PreparedZkey,
  type ProvedLinear,
  prepareZkey,
  restoreLinearBase,
} from './groth16-prove.ts';
import {
  buildCircuitInput,
  type CircuitInput,
  type CircuitWasm,
  canonicalCircuitInput,
  computeWitness,
  prepareWitnessCalculator,
} from './witness.ts';
import { checkProvingKeyShape } from './zkey-shape.ts';

export type ProofStage = 'checking' | 'loading-artifacts' | 'witness' | 'proving' | 'done';
export interface ProofProgress {
  stage: ProofStage;
  /** overall progress from 0 to 1 */
  fraction: number;
  message: string;
}

/** A persistent store of linear bases (the sums, as bytes) by a digest of what they were computed for. */
export interface LinearBaseStore {
  get(digest: string): Promise<Uint8Array | undefined>;
  put(digest: string, bytes: Uint8Array): Promise<void>;
}

export interface GenerateProofOptions {
  credential: Credential | unknown;
  holderSecret: bigint | string;
  request: ProofRequest | unknown;
  /** a witness for the credential's serial, or a bucket or full snapshot holding it (the holder builds its own path) */
  revocation: RevocationWitness | Bucket | Snapshot;
  /**
   * where to read the circuit wasm and proving key (default: request.artifacts' URLs); the key is a
   * snarkjs zkey or the holder's compact key (zkc, src/prover/compact-zkey.ts). Their sha256 must
   * be the ones pinned in this build for request.circuit (src/circuit/pinned-artifacts.ts),
   * whatever hash the request or this option names: ARTIFACT_NOT_PINNED otherwise.
   */
  artifacts?: { wasm: ArtifactSource; zkey: ArtifactSource };
  /**
   * the holder's own pins, replacing the build's table (researchers proving their own circuit
   * builds); never take these from a request or a verifier
   */
  pinnedArtifacts?: Readonly<Record<string, { readonly wasm: string; readonly zkey: string; readonly zkc?: string }>>;
  /**
   * the service the holder means to answer (the wallet: derived from the origin that delivered the
   * request, see checkServiceOrigin; the CLI: --service). A request for any other service id is
   * refused with SERVICE_MISMATCH before anything else, so a verifier cannot ask for the
   * pseudonym another service sees.
   */
  expectedServiceId?: string;
  /**
   * the holder agreed that this service learns who they are: required for a policy that discloses
   * or constrains idNumber (IDENTIFYING_NOT_ALLOWED otherwise)
   */
  allowIdentifying?: boolean;
  onProgress?: (p: ProofProgress) => void;
  /**
   * leave this credential's linear base for later proofs in this process (default true: see
   * groth16-prove.ts); it is derived after the first proof (~0.2 s of work once the proof is out),
   * which a process that proves once (the CLI) need not do
   */
  keepLinearBase?: boolean;
  /**
   * where to keep the linear base between processes (the wallet: its own origin's Cache Storage,
   * so a new page and worker need not recompute it). It holds values derived from the secret and
   * the credential: a store no less private than the one that holds the secret, cleared with it.
   * Stored bytes are checked to be curve points; wrong ones would only give a proof that fails.
   */
  linearBaseStore?: LinearBaseStore;
  /** the current time, for the request's expiry (default: the system clock) */
  now?: Date;
}

const prepared = new Map<string, Promise<PreparedZkey>>();
const NO_STORE = {};
const shapesByStore = new WeakMap<object, Map<string, Promise<void>>>();

/**
 * The parsed key for a pinned proving key, loaded (hash-checked) and parsed once per sha256; later
 * proofs neither read nor keep its bytes.
 */
function preparedZkey(src: ArtifactSource): Promise<PreparedZkey> {
  let p = prepared.get(src.sha256);
  if (!p) {
    p = loadArtifact('zkey', src).then(prepareZkey);
    prepared.set(src.sha256, p);
    p.catch(() => prepared.delete(src.sha256));
  }
  return p;
}

/**
 * Forget the parsed keys (tests that need a key loaded again: a parsed key is found by its sha256,
 * whatever location a later call names). @internal
 */
export function forgetPreparedKeys(): void {
  prepared.clear();
}

/**
 * The key's shape check, once per key (about 0.6 s on 2 cores in Node for the default circuit).
 * It runs while the first proof is computed (its JavaScript loop on this thread, the proof's
 * FFTs and MSMs on snarkjs's worker threads), and that proof is released only if it passes.
 */
function shapeChecked(sha256: string, z: PreparedZkey): Promise<void> {
  const kept = artifactStore();
  // Remembered per artifact store: a store set later (a wallet's, a test's) gets its own answer
  // recorded, instead of this process's earlier result hiding the check from it.
  let shapes = shapesByStore.get(kept ?? NO_STORE);
  if (!shapes) {
    shapes = new Map();
    shapesByStore.set(kept ?? NO_STORE, shapes);
  }
  let p = shapes.get(sha256);
  if (!p) {
    const memo = shapes;
    p = (async () => {
      // A wallet remembers keys that passed (by sha256: the same bytes give the same answer).
      if (await kept?.isShapeChecked?.(sha256).catch(() => false)) return;
      await checkProvingKeyShape(z);
      await kept?.markShapeChecked?.(sha256).catch(() => undefined);
    })();
    memo.set(sha256, p);
    p.catch(() => memo.delete(sha256));
  }
  return p;
}

/**
 * One base at a time: the latest credential + revocation path + key proven with (by a digest of the
 * canonical input, so the map holds no secret in the clear). Proofs for other services with the
 * same credential then multiply only the values their statement changes (see groth16-prove.ts).
 * A credential's first proof is computed in full and leaves the base behind: derived from that
 * proof's sums after the proof is released (only the values where the canonical witness differs
 * are multiplied), kept here and in the caller's linearBaseStore.
 * Privacy: the base comes from the canonical statement, never from an earlier request, so a
 * proof's duration depends on its own request and on whether a base for this credential and
 * revocation path is held (in memory, or in the caller's linearBaseStore), not on what an earlier
 * service asked.
 */
let kept: { digest: string; base: Promise<LinearBase> } | undefined;
const baseCounts = { computed: 0, reused: 0, restored: 0 };
/** The latest base left behind by a proof: settled once it is derived and stored (or failed). */
let leaving: Promise<void> = Promise.resolve();

interface BaseContext {
  wasm: CircuitWasm;
  z: PreparedZkey;
  canonical: CircuitInput;
  digest: string;
  store: LinearBaseStore | undefined;
}

async function baseContext(
  wasm: CircuitWasm,
  zkeySha: string,
  z: PreparedZkey,
  input: CircuitInput,
  params: CircuitParams,
  store: LinearBaseStore | undefined,
): Promise<BaseContext> {
  const canonical = canonicalCircuitInput(input, params);
  const digest = await sha256Hex(new TextEncoder().encode(`${zkeySha}\n${JSON.stringify(canonical)}`));
  return { wasm, z, canonical, digest, store };
}

function keep(digest: string, base: Promise<LinearBase>): void {
  const entry = { digest, base };
  kept = entry;
  const drop = () => {
    if (kept === entry) kept = undefined;
  };
  base.then((b) => b.sums.catch(drop), drop);
}

/** The base held in memory or in the store for this context, if any (nothing is computed). */
async function heldBase(b: BaseContext): Promise<LinearBase | undefined> {
  const inMemory = kept?.digest === b.digest ? await kept.base.catch(() => undefined) : undefined;
  // (The key is parsed once per hash; a base from another parse of it would be refused by the prover.)
  if (inMemory?.zkey === b.z) {
    baseCounts.reused++;
    return inMemory;
  }
  const saved = b.store ? await b.store.get(b.digest).catch(() => undefined) : undefined;
  if (!saved) return undefined;
  const restored = computeWitness(b.wasm, b.canonical).then((wtns) => restoreLinearBase(b.z, wtns, saved));
  const base = await restored.catch(() => undefined);
  if (!base) return undefined;
  baseCounts.restored++;
  keep(b.digest, Promise.resolve(base));
  return base;
}

/** After a proof without a base: derive the base from its sums, keep it and store it (in the background). */
function leaveBase(b: BaseContext, proved: ProvedLinear): void {
  baseCounts.computed++;
  const base = computeWitness(b.wasm, b.canonical).then((wtns) => deriveLinearBase(b.z, wtns, proved));
  keep(b.digest, base);
  const store = b.store;
  leaving = base
    .then(async (d) => {
      await d.sums;
      if (store) await store.put(b.digest, await encodeLinearSums(d));
    })
    .catch(() => undefined);
}

/**
 * Settles when the base the last proof left behind is derived and, with a linearBaseStore, stored
 * (never rejects). The wallet waits for it, a few seconds at most, before it leaves the page.
 */
export function proofBaseSettled(): Promise<void> {
  return leaving;
}

/** Forget the kept base (the wallet ends its whole worker instead: src/wallet/prover-client.ts). */
export function forgetProofBase(): void {
  kept = undefined;
}

/**
 * How many proofs computed a new base, reused the one kept in memory, or restored one from their
 * base store, since the process started.
 */
export function proofBaseCounts(): { computed: number; reused: number; restored: number } {
  return { ...baseCounts };
}

/**
 * The artifacts to prove `request` with: the caller's or the request's, each of whose sha256 must
 * be pinned in this build (or in the holder's own pins) for request.circuit.
 * @throws ZkidError ARTIFACT_UNAVAILABLE (none named), ARTIFACT_NOT_PINNED
 */
function pinnedSources(
  request: ProofRequest,
  o: Pick<GenerateProofOptions, 'artifacts' | 'pinnedArtifacts'>,
): { wasm: ArtifactSource; zkey: ArtifactSource } {
  const sources =
    o.artifacts ??
    (request.artifacts
      ? {
          wasm: { location: request.artifacts.wasm.url, sha256: request.artifacts.wasm.sha256 },
          zkey: { location: request.artifacts.zkey.url, sha256: request.artifacts.zkey.sha256 },
        }
      : undefined);
  if (!sources) throw new ZkidError('ARTIFACT_UNAVAILABLE', 'no circuit artifacts given and the request names none', 'artifacts');
  // The request's (or caller's) hashes are a hint; the pins in the holder's build are the authority.
  const pins = (o.pinnedArtifacts ?? PINNED_ARTIFACTS)[request.circuit];
  if (!pins) {
    throw new ZkidError(
      'ARTIFACT_NOT_PINNED',
      `this build pins no artifacts for circuit ${request.circuit}: it cannot prove for it`,
      'request.circuit',
    );
  }
  // The proving key may come as the zkey or as its compact form (zkc): both are pinned.
  const trusted = { wasm: [pins.wasm], zkey: pins.zkc ? [pins.zkey, pins.zkc] : [pins.zkey] };
  for (const k of ['wasm', 'zkey'] as const) {
    if (!trusted[k].includes(sources[k].sha256)) {
      throw new ZkidError(
        'ARTIFACT_NOT_PINNED',
        `the ${k} named for circuit ${request.circuit} has sha256 ${sources[k].sha256}; this build trusts only ${trusted[k].join(' or ')}`,
        `artifacts.${k}`,
      );
    }
  }
  return sources;
}

/**
 * The (pinned) artifacts, ready to prove with: snarkjs's curve engine started (its threads compile
 * their wasm), the witness calculator loaded and compiled, the key loaded and parsed, each at most
 * once per sha256 (what is ready already is neither read nor hash-checked again).
 * @returns the wasm by name, a promise settled once its calculator is built, and the key's promise
 */
function loadArtifacts(sources: { wasm: ArtifactSource; zkey: ArtifactSource }): {
  wasm: CircuitWasm;
  calculator: Promise<void>;
  key: Promise<PreparedZkey>;
} {
  curve().catch(() => undefined);
  const wasm: CircuitWasm = { sha256: sources.wasm.sha256, load: () => loadArtifact('wasm', sources.wasm) };
  const calculator = prepareWitnessCalculator(wasm);
  const key = preparedZkey(sources.zkey);
  calculator.catch(() => undefined);
  key.catch(() => undefined);
  return { wasm, calculator, key };
}

/**
 * Get ready to prove `request` before the holder decides: download and hash-check the pinned
 * artifacts, start the curve engine, compile the witness generator, parse the key and run its shape
 * check. Nothing of the holder's is used (the artifacts are public and the same for everyone), so
 * the wallet starts this while it shows the request; generateProof then finds everything ready.
 * Call it only for a request the holder may answer (the wallet: after the service-origin check).
 * @throws ZkidError INVALID_REQUEST, ARTIFACT_UNAVAILABLE, ARTIFACT_NOT_PINNED, ARTIFACT_* codes,
 *   INSECURE_PROVING_KEY
 */
export async function prepareProof(
  requestJson: ProofRequest | unknown,
  o: Pick<GenerateProofOptions, 'artifacts' | 'pinnedArtifacts'> = {},
): Promise<void> {
  const request = parseProofRequest(requestJson);
  const sources = pinnedSources(request, o);
  const { calculator, key } = loadArtifacts(sources);
  const [, z] = await Promise.all([calculator, key]);
  await shapeChecked(sources.zkey.sha256, z);
}

function isBucket(v: unknown): v is Bucket {
  return typeof v === 'object' && v !== null && (v as { format?: unknown }).format === 'zkid/revocation-bucket/v1';
}

/**
 * Prove that the credential satisfies the request.
 * @returns a presentation `{requestId, circuit, proof, publicSignals}` for the verifier
 * @throws ZkidError: input codes (INVALID_CREDENTIAL, INVALID_REQUEST, INVALID_POLICY, ...),
 *   privacy refusals (SERVICE_MISMATCH, IDENTIFYING_NOT_ALLOWED, ARTIFACT_NOT_PINNED,
 *   INSECURE_PROVING_KEY), statement codes (HOLDER_MISMATCH, CREDENTIAL_EXPIRED,
 *   CREDENTIAL_REVOKED, PREDICATE_UNSATISFIED, ...), ARTIFACT_* codes, WITNESS_FAILED or PROOF_FAILED
 * @example const presentation = await generateProof({ credential, holderSecret, request, revocation: bucket })
 */
export async function generateProof(o: GenerateProofOptions): Promise<Presentation> {
  const progress = (stage: ProofStage, fraction: number, message: string) => o.onProgress?.({ stage, fraction, message });
  progress('checking', 0, 'checking the request against the credential');
  const credential = parseCredential(o.credential);
  const holderSecret = parseHolderSecret(o.holderSecret);
  const request = parseProofRequest(o.request);
  // The holder's privacy checks come before anything is loaded or computed.
  if (o.expectedServiceId !== undefined && request.serviceId !== o.expectedServiceId) {
    throw new ZkidError(
      'SERVICE_MISMATCH',
      `the request is for service '${request.serviceId}', not '${o.expectedServiceId}': a service may only ask for its own pseudonym`,
      'request.serviceId',
    );
  }
  const policyProblem = policyPrivacyProblem(request.policy);
  if (policyProblem) throw new ZkidError('INVALID_POLICY', `${policyProblem.field}: ${policyProblem.message}`, policyProblem.field);
  if (isIdentifyingPolicy(request.policy) && o.allowIdentifying !== true) {
    throw new ZkidError(
      'IDENTIFYING_NOT_ALLOWED',
      `policy '${request.policy.name}' lets ${request.serviceId} learn who you are (your ID number): prove it only with your explicit consent (allowIdentifying)`,
      'request.policy',
    );
  }
  const params = circuitParams(request.circuit);
  const revocation: RevocationWitness = isBucket(o.revocation)
    ? witnessFromBucket(o.revocation, BigInt(credential.serial))
    : (o.revocation as { format?: unknown }).format === SNAPSHOT_FORMAT
      ? witnessFromSnapshot(o.revocation, BigInt(credential.serial))
      : (o.revocation as RevocationWitness);
  checkStatement(credential, holderSecret, request, revocation);
  if (Date.parse(request.expiresAt) <= (o.now ?? new Date()).getTime()) {
    throw new ZkidError('INVALID_REQUEST', 'the proof request has expired: ask the service for a new one', 'request.expiresAt');
  }

  const sources = pinnedSources(request, o);
  progress('loading-artifacts', 0.05, 'loading circuit artifacts');
  // The key loads and parses (once per key) while the witness is computed.
  const { wasm, calculator, key: zkeyReady } = loadArtifacts(sources);
  await calculator;
  progress('witness', 0.25, 'computing the witness');
  const input = buildCircuitInput({ credential, holderSecret, request, revocation, params });
  const wtns = await computeWitness(wasm, input);

  const steps: Record<string, [number, string]> = {
    QAP: [0.4, 'evaluating the constraint polynomials'],
    FFT: [0.5, 'computing the quotient polynomial'],
    MSM: [0.75, 'multi-scalar multiplications'],
  };
  let result: { proof: Groth16Proof; publicSignals: string[]; linear: ProvedLinear };
  let z: PreparedZkey;
  try {
    z = await zkeyReady;
  } catch (e) {
    if (e instanceof ZkidError) throw e;
    throw new ZkidError('INSECURE_PROVING_KEY', `the proving key cannot be read: ${e instanceof Error ? e.message : String(e)}`, 'zkey', {
      cause: e,
    });
  }
  const shape = shapeChecked(sources.zkey.sha256, z);
  shape.catch(() => undefined);
  progress('proving', 0.35, 'generating the Groth16 proof');
  let ctx: BaseContext | undefined;
  let base: LinearBase | undefined;
  try {
    ctx = o.keepLinearBase === false ? undefined : await baseContext(wasm, sources.zkey.sha256, z, input, params, o.linearBaseStore);
    // No base held (a credential's first proof here): computed in full, and the base derived after.
    base = ctx ? await heldBase(ctx).catch(() => undefined) : undefined;
    result = await groth16Prove(
      z,
      wtns,
      (label) => {
        const [fraction, message] = steps[label] ?? [0.5, label];
        progress('proving', fraction, message);
      },
      base,
    );
  } catch (e) {
    await shape; // a malformed key explains a failed proof better than the failure itself
    throw new ZkidError('PROOF_FAILED', `proving failed: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
  // No proof leaves this function unless the key passed its shape check (INSECURE_PROVING_KEY).
  await shape;
  if (ctx && !base) leaveBase(ctx, result.linear);
  progress('done', 1, 'proof ready');
  return { requestId: request.id, circuit: request.circuit, proof: result.proof, publicSignals: result.publicSignals };
}
