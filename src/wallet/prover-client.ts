/**
 * The page's side of the proving worker: one long-lived module worker next to this script
 * (assets/prover-worker.js), one proof at a time.
 */
import type { Bucket, Credential, Presentation, ProofProgress, ProofRequest, Snapshot } from '../index.browser.ts';
import { BASE_CACHE, type PrepareMessage, type ProveMessage, type WorkerMessage } from './prover-protocol.ts';

export class ProverError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = 'ProverError';
    this.code = code;
    this.field = field;
  }
}

let worker: Worker | undefined;
let nextId = 1;
let busy = false;
/** Ends the proof in flight (if any) with an error. */
let abortCurrent: ((e: ProverError) => void) | undefined;

function getWorker(): Worker {
  worker ??= new Worker(new URL('./prover-worker.js', import.meta.url), { type: 'module', name: 'zkid-prover' });
  return worker;
}

export interface ProveInput {
  credential: Credential;
  holderSecret: string;
  request: ProofRequest;
  revocation: Bucket | Snapshot;
  expectedServiceId: string;
  allowIdentifying: boolean;
  onProgress: (p: ProofProgress) => void;
}

/**
 * Let the worker get ready for a request the wallet shows (see PrepareMessage): fire and forget; a
 * failure here is reported again, with its code, by the proof itself.
 */
export function prepareInWorker(request: ProofRequest): void {
  const msg: PrepareMessage = { type: 'prepare', id: nextId++, request };
  getWorker().postMessage(msg);
}

/**
 * Prove in the worker.
 * @returns the presentation, the time the worker took (ms), and `baseSettled`: resolves once the
 *   worker has stored the prover's linear base for the next visit (or after `baseWaitMs`, or when
 *   the worker fails), so the page can wait for it before it navigates away
 * @throws ProverError with the library's code (PREDICATE_UNSATISFIED, ARTIFACT_UNAVAILABLE, ...),
 *   WORKER_FAILED when the worker itself crashed, PROVER_BUSY when a proof is already running
 */
export function proveInWorker(
  o: ProveInput,
  baseWaitMs = 3000,
): Promise<{ presentation: Presentation; ms: number; baseSettled: Promise<void> }> {
  if (busy) return Promise.reject(new ProverError('PROVER_BUSY', 'a proof is already being generated'));
  busy = true;
  const w = getWorker();
  const id = nextId++;
  let settle: () => void = () => {};
  const baseSettled = new Promise<void>((res) => {
    settle = res;
  });
  const onBase = (e: MessageEvent<WorkerMessage>) => {
    if (e.data.id === id && e.data.type === 'base-settled') settleBase();
  };
  const settleBase = () => {
    w.removeEventListener('message', onBase);
    settle();
  };
  w.addEventListener('message', onBase);
  return new Promise<{ presentation: Presentation; ms: number; baseSettled: Promise<void> }>((resolve, reject) => {
    const done = () => {
      busy = false;
      abortCurrent = undefined;
      w.removeEventListener('message', onMessage);
      w.removeEventListener('error', onError);
    };
    abortCurrent = (e) => {
      done();
      settleBase();
      reject(e);
    };
    const onMessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.id !== id) return;
      if (m.type === 'progress') o.onProgress(m.progress);
      else if (m.type === 'result') {
        done();
        setTimeout(settleBase, baseWaitMs);
        resolve({ presentation: m.presentation, ms: m.ms, baseSettled });
      } else if (m.type === 'error') {
        done();
        settleBase();
        reject(new ProverError(m.error.code, m.error.message, m.error.field));
      }
    };
    const onError = (e: ErrorEvent) => {
      done();
      settleBase();
      // A crashed worker is not reused.
      worker?.terminate();
      worker = undefined;
      reject(new ProverError('WORKER_FAILED', `the proving worker failed: ${e.message || 'could not load assets/prover-worker.js'}`));
    };
    w.addEventListener('message', onMessage);
    w.addEventListener('error', onError);
    const msg: ProveMessage = {
      type: 'prove',
      id,
      credential: o.credential,
      holderSecret: o.holderSecret,
      request: o.request,
      revocation: o.revocation,
      expectedServiceId: o.expectedServiceId,
      allowIdentifying: o.allowIdentifying,
    };
    w.postMessage(msg);
  });
}

/**
 * End the proving worker and everything it holds in memory: the loaded artifacts and, since it
 * keeps the linear part of the last credential's proofs (src/prover/groth16-prove.ts), values
 * derived from the credential and the secret, which it also keeps in Cache Storage (BASE_CACHE)
 * between visits: deleted here too. The wallet calls this when it forgets its holder; the next
 * proof starts a new worker. A proof in flight fails with PROVER_RESET.
 */
export async function resetProver(): Promise<void> {
  abortCurrent?.(new ProverError('PROVER_RESET', 'the wallet was reset while a proof was being generated'));
  worker?.terminate();
  worker = undefined;
  // ...and the base it kept between visits.
  if (typeof caches !== 'undefined') await caches.delete(BASE_CACHE);
}
