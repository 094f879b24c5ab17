/** Messages between the wallet page and its proving worker (structured-clone JSON). */
import type { Bucket, Credential, Presentation, ProofProgress, ProofRequest, Snapshot } from '../index.browser.ts';

/**
 * The Cache Storage cache where the proving worker keeps the prover's linear base (derived from the
 * holder's secret and credential; see prover-worker.ts); the page deletes it when it forgets them.
 */
export const BASE_CACHE = 'zkid-prover-base-v1';

export interface ProveMessage {
  type: 'prove';
  id: number;
  credential: Credential;
  /** decimal string */
  holderSecret: string;
  request: ProofRequest;
  /** the bucket or full snapshot holding the credential's serial (the worker builds the path) */
  revocation: Bucket | Snapshot;
  /** the service the holder was shown and agreed to (checked against the origin that delivered the request) */
  expectedServiceId: string;
  /** the holder agreed that this service learns who they are (identifying policies only) */
  allowIdentifying: boolean;
}

/**
 * Get ready for a request the wallet is showing (artifacts, curve engine, witness generator, the
 * key's shape check: nothing of the holder's), so the proof starts as soon as the holder agrees.
 */
export interface PrepareMessage {
  type: 'prepare';
  id: number;
  request: ProofRequest;
}

export type WorkerMessage =
  | { type: 'progress'; id: number; progress: ProofProgress }
  | { type: 'result'; id: number; presentation: Presentation; ms: number }
  /** after a result: the prover's linear base is derived and stored (see proofBaseSettled) */
  | { type: 'base-settled'; id: number }
  /** the answer to a PrepareMessage (error: the reason, which the proof will report again) */
  | { type: 'prepared'; id: number; ms: number; error?: string }
  | { type: 'error'; id: number; error: { code: string; message: string; field?: string } };
