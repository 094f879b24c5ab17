/**
 * The wallet's proving worker (bundled as assets/prover-worker.js, an ES module worker): runs the
 * library's generateProof off the page's main thread and posts its progress back. It stays alive
 * between proofs, so the artifacts (hash-checked), the parsed zkey and snarkjs's curve engine and
 * its own worker threads are reused: the second proof is the warm one.
 */
import { generateProof, isZkidError } from '../index.browser.ts';
import type { ProveMessage, WorkerMessage } from './prover-protocol.ts';

const scope = self as unknown as {
  postMessage(m: WorkerMessage): void;
  addEventListener(type: 'message', f: (e: MessageEvent<ProveMessage>) => void): void;
};

scope.addEventListener('message', async (e) => {
  const m = e.data;
  if (m?.type !== 'prove') return;
  const started = performance.now();
  try {
    const presentation = await generateProof({
      credential: m.credential,
      holderSecret: m.holderSecret,
      request: m.request,
      revocation: m.revocation,
      // The holder's checks, repeated where the proof is made: the service shown and agreed to,
      // and consent for an identifying policy.
      expectedServiceId: m.expectedServiceId,
      allowIdentifying: m.allowIdentifying === true,
      onProgress: (progress) => scope.postMessage({ type: 'progress', id: m.id, progress }),
    });
    scope.postMessage({ type: 'result', id: m.id, presentation, ms: performance.now() - started });
  } catch (err) {
    const error = isZkidError(err)
      ? { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) }
      : { code: 'PROOF_FAILED', message: err instanceof Error ? err.message : String(err) };
    scope.postMessage({ type: 'error', id: m.id, error });
  }
});
