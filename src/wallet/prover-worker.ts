/**
 * The wallet's proving worker (bundled as assets/prover-worker.js, an ES module worker): runs the
 * library's generateProof off the page's main thread and posts its progress back. It stays alive
 * between proofs, so the artifacts (hash-checked), the parsed zkey and snarkjs's curve engine and
 * its own worker threads are reused: the second proof is the warm one. A 'prepare' message (sent
 * when the wallet shows a request) gets all of that ready before the holder agrees (prepareProof).
 */
import { generateProof, isZkidError, type LinearBaseStore, prepareProof, proofBaseSettled, setArtifactStore } from '../index.browser.ts';
import { BASE_CACHE, type PrepareMessage, type ProveMessage, type WorkerMessage } from './prover-protocol.ts';

/**
 * Circuit artifacts persist in Cache Storage keyed by their sha256 (checked again on every load):
 * the wallet's second visit downloads nothing. Without Cache Storage (an insecure context) the
 * browser's HTTP cache is all there is.
 */
const ARTIFACT_CACHE = 'zkid-artifacts-v1';
const keyOf = (sha256: string) => new URL(`/zkid-artifact/${sha256}`, self.location.href).href;
if (typeof caches !== 'undefined') {
  setArtifactStore({
    async get(sha256) {
      const hit = await (await caches.open(ARTIFACT_CACHE)).match(keyOf(sha256));
      return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    },
    async isShapeChecked(sha256) {
      return (await (await caches.open(ARTIFACT_CACHE)).match(keyOf(`${sha256}.shape-ok`))) !== undefined;
    },
    async markShapeChecked(sha256) {
      await (await caches.open(ARTIFACT_CACHE)).put(keyOf(`${sha256}.shape-ok`), new Response('ok'));
    },
    async put(sha256, bytes) {
      const body = new Blob([bytes as Uint8Array<ArrayBuffer>]);
      await (await caches.open(ARTIFACT_CACHE)).put(
        keyOf(sha256),
        new Response(body, { headers: { 'Content-Type': 'application/octet-stream' } }),
      );
    },
  });
}

/**
 * The prover's linear base (src/prover/groth16-prove.ts: the sums later proofs of the credential
 * start from) persists in a cache of its own, so a new page and worker skip its multi-
 * exponentiations. It is derived from the holder's secret and credential: it lives only on the
 * wallet's origin, next to them, holds one entry (the latest), and the wallet deletes the whole
 * cache when it forgets the holder (resetProver in prover-client.ts).
 */
const baseKey = (digest: string) => new URL(`/zkid-prover-base/${digest}`, self.location.href).href;
const linearBaseStore: LinearBaseStore | undefined =
  typeof caches === 'undefined'
    ? undefined
    : {
        async get(digest) {
          const hit = await (await caches.open(BASE_CACHE)).match(baseKey(digest));
          return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
        },
        async put(digest, bytes) {
          const cache = await caches.open(BASE_CACHE);
          for (const old of await cache.keys()) if (old.url !== baseKey(digest)) await cache.delete(old);
          await cache.put(baseKey(digest), new Response(new Blob([bytes as Uint8Array<ArrayBuffer>])));
        },
      };

const scope = self as unknown as {
  postMessage(m: WorkerMessage): void;
  addEventListener(type: 'message', f: (e: MessageEvent<ProveMessage | PrepareMessage>) => void): void;
};

scope.addEventListener('message', async (e) => {
  const m = e.data;
  if (m?.type === 'prepare') {
    const t0 = performance.now();
    prepareProof(m.request).then(
      () => scope.postMessage({ type: 'prepared', id: m.id, ms: performance.now() - t0 }),
      (err: unknown) =>
        scope.postMessage({
          type: 'prepared',
          id: m.id,
          ms: performance.now() - t0,
          error: err instanceof Error ? err.message : String(err),
        }),
    );
    return;
  }
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
      ...(linearBaseStore ? { linearBaseStore } : {}),
    });
    scope.postMessage({ type: 'result', id: m.id, presentation, ms: performance.now() - started });
    // The base this proof left behind is stored for the next visit: the page waits for it before leaving.
    await proofBaseSettled();
    scope.postMessage({ type: 'base-settled', id: m.id });
  } catch (err) {
    const error = isZkidError(err)
      ? { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) }
      : { code: 'PROOF_FAILED', message: err instanceof Error ? err.message : String(err) };
    scope.postMessage({ type: 'error', id: m.id, error });
  }
});
