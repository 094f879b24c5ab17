/**
 * A verification worker thread (started by verify-pool.ts through verify-worker.mjs): prepares the
 * pairing engine and the verification key once (with its table for batches), then verifies batches of presentations with the
 * verifier core's batch path (verifyPresentations) and posts the verdicts back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { VerificationKey } from '../verifier/groth16-checks.ts';
import { prepareVerifier } from '../verifier/groth16-mcl.ts';
import { type BatchItem, verifyPresentations } from '../verifier/verify-presentation.ts';

export interface BatchMessage {
  id: number;
  items: BatchItem[];
  /** ISO time the service checks the requests' expiry against */
  now: string;
}

const port = parentPort;
if (!port) throw new Error('verify-worker must run as a worker thread');
const vk = (workerData as { verificationKey: VerificationKey }).verificationKey;

// No snarkjs or circomlibjs here (their web-worker polyfill misreads a worker thread as its own):
// Poseidon is poseidon-lite, used only for the per-request statement encoding, which is cached.
const ready = prepareVerifier(vk, { batch: true });
ready.then(
  () => port.postMessage({ type: 'ready' }),
  (e: unknown) => port.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) }),
);

port.on('message', async (m: BatchMessage) => {
  await ready;
  // verifyPresentations never throws: every item gets a verdict.
  const verdicts = await verifyPresentations(m.items, { verificationKey: vk, now: new Date(m.now) });
  port.postMessage({ type: 'verdicts', id: m.id, verdicts });
});
