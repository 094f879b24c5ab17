/**
 * generateProof: the holder's one entry point. Runs in Node and in browsers (no Node-only imports
 * on this path: artifact reading is chosen through the #read-bytes import condition).
 */
import { circuitParams } from '../circuit/registry.ts';
import { parseHolderSecret } from '../credential/holder.ts';
import { type Credential, parseCredential } from '../credential/schema.ts';
import { ZkidError } from '../errors.ts';
import { type Groth16Proof, type Presentation, type ProofRequest, parseProofRequest } from '../request.ts';
import { type Bucket, witnessFromBucket } from '../revocation/bucket.ts';
import type { RevocationWitness } from '../revocation/tree.ts';
import { type ArtifactSource, loadArtifact } from './artifacts.ts';
import { checkStatement } from './check-statement.ts';
import { groth16Prove, type PreparedZkey, prepareZkey } from './groth16-prove.ts';
import { buildCircuitInput, computeWitness } from './witness.ts';

export type ProofStage = 'checking' | 'loading-artifacts' | 'witness' | 'proving' | 'done';
export interface ProofProgress {
  stage: ProofStage;
  /** overall progress from 0 to 1 */
  fraction: number;
  message: string;
}

export interface GenerateProofOptions {
  credential: Credential | unknown;
  holderSecret: bigint | string;
  request: ProofRequest | unknown;
  /** a witness for the credential's serial, or a bucket holding it (the holder builds its own path) */
  revocation: RevocationWitness | Bucket;
  /** circuit wasm and zkey; defaults to request.artifacts (URLs) */
  artifacts?: { wasm: ArtifactSource; zkey: ArtifactSource };
  onProgress?: (p: ProofProgress) => void;
  /** the current time, for the request's expiry (default: the system clock) */
  now?: Date;
}

const prepared = new Map<string, Promise<PreparedZkey>>();

/** The parsed zkey for a (hash-checked) zkey, parsed once per hash. */
function preparedZkey(sha256: string, bytes: Uint8Array): Promise<PreparedZkey> {
  let p = prepared.get(sha256);
  if (!p) {
    p = prepareZkey(bytes);
    prepared.set(sha256, p);
    p.catch(() => prepared.delete(sha256));
  }
  return p;
}

function isBucket(v: unknown): v is Bucket {
  return typeof v === 'object' && v !== null && (v as { format?: unknown }).format === 'zkid/revocation-bucket/v1';
}

/**
 * Prove that the credential satisfies the request.
 * @returns a presentation `{requestId, circuit, proof, publicSignals}` for the verifier
 * @throws ZkidError: input codes (INVALID_CREDENTIAL, INVALID_REQUEST, ...), statement codes
 *   (HOLDER_MISMATCH, CREDENTIAL_EXPIRED, CREDENTIAL_REVOKED, PREDICATE_UNSATISFIED, ...),
 *   ARTIFACT_* codes, WITNESS_FAILED or PROOF_FAILED
 * @example const presentation = await generateProof({ credential, holderSecret, request, revocation: bucket })
 */
export async function generateProof(o: GenerateProofOptions): Promise<Presentation> {
  const progress = (stage: ProofStage, fraction: number, message: string) => o.onProgress?.({ stage, fraction, message });
  progress('checking', 0, 'checking the request against the credential');
  const credential = parseCredential(o.credential);
  const holderSecret = parseHolderSecret(o.holderSecret);
  const request = parseProofRequest(o.request);
  const params = circuitParams(request.circuit);
  const revocation: RevocationWitness = isBucket(o.revocation) ? witnessFromBucket(o.revocation, BigInt(credential.serial)) : o.revocation;
  checkStatement(credential, holderSecret, request, revocation);
  if (Date.parse(request.expiresAt) <= (o.now ?? new Date()).getTime()) {
    throw new ZkidError('INVALID_REQUEST', 'the proof request has expired: ask the service for a new one', 'request.expiresAt');
  }

  const sources =
    o.artifacts ??
    (request.artifacts
      ? {
          wasm: { location: request.artifacts.wasm.url, sha256: request.artifacts.wasm.sha256 },
          zkey: { location: request.artifacts.zkey.url, sha256: request.artifacts.zkey.sha256 },
        }
      : undefined);
  if (!sources) throw new ZkidError('ARTIFACT_UNAVAILABLE', 'no circuit artifacts given and the request names none', 'artifacts');
  progress('loading-artifacts', 0.05, 'loading circuit artifacts');
  const [wasm, zkey] = await Promise.all([loadArtifact('wasm', sources.wasm), loadArtifact('zkey', sources.zkey)]);

  progress('witness', 0.25, 'computing the witness');
  const input = buildCircuitInput({ credential, holderSecret, request, revocation, params });
  const wtns = await computeWitness(wasm, input);

  progress('proving', 0.35, 'generating the Groth16 proof');
  const steps: Record<string, [number, string]> = {
    QAP: [0.4, 'evaluating the constraint polynomials'],
    FFT: [0.5, 'computing the quotient polynomial'],
    MSM: [0.75, 'multi-scalar multiplications'],
  };
  let result: { proof: Groth16Proof; publicSignals: string[] };
  try {
    const z = await preparedZkey(sources.zkey.sha256, zkey);
    result = await groth16Prove(z, wtns, (label) => {
      const [fraction, message] = steps[label] ?? [0.5, label];
      progress('proving', fraction, message);
    });
  } catch (e) {
    throw new ZkidError('PROOF_FAILED', `proving failed: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
  progress('done', 1, 'proof ready');
  return { requestId: request.id, circuit: request.circuit, proof: result.proof, publicSignals: result.publicSignals };
}
