/** Messages between the wallet page and its proving worker (structured-clone JSON). */
import type { Bucket, Credential, Presentation, ProofProgress, ProofRequest } from '../index.browser.ts';

export interface ProveMessage {
  type: 'prove';
  id: number;
  credential: Credential;
  /** decimal string */
  holderSecret: string;
  request: ProofRequest;
  bucket: Bucket;
}

export type WorkerMessage =
  | { type: 'progress'; id: number; progress: ProofProgress }
  | { type: 'result'; id: number; presentation: Presentation; ms: number }
  | { type: 'error'; id: number; error: { code: string; message: string; field?: string } };
