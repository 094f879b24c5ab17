/**
 * Verification on every core: a pool of worker threads, each verifying batches of presentations
 * with the verifier core's random-linear-combination batch check (verifyPresentations: every
 * per-presentation check, N + 2 Miller loops and one final exponentiation per batch, bisection on failure, so each
 * presentation gets exactly the verdict it would get alone).
 *
 * Presentations wait in one queue; batches leave when `batchSize` presentations are queued or the
 * oldest has waited `batchWaitMs`, and what is queued is then shared among the free workers (at
 * most `batchSize` each). The event loop only moves messages.
 * Admission is the caller's (VerifierService caps queued + in-flight presentations and answers 503
 * with Retry-After beyond it). A worker that dies fails its batch with INTERNAL_ERROR verdicts
 * (never an acceptance) and is replaced. `close()` waits for everything queued, then stops the
 * threads. With `workers: 0` batches are verified on the main thread.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ProofRequest } from '../request.ts';
import type { VerificationKey } from '../verifier/groth16-checks.ts';
import { type Verdict, verifyPresentations } from '../verifier/verify-presentation.ts';

export interface VerifyPoolOptions {
  verificationKey: VerificationKey;
  /** worker threads; 0 verifies on the main thread */
  workers: number;
  /** most presentations in one batch */
  batchSize: number;
  /** longest a presentation waits for its batch to fill (ms) */
  batchWaitMs: number;
  logger?: Logger;
}

interface Pending {
  presentation: unknown;
  request: ProofRequest;
  resolve: (v: Verdict) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  /** the batch this worker is verifying */
  batch?: { id: number; items: Pending[] };
}

const crashed = (message: string): Verdict => ({ verified: false, code: 'INTERNAL_ERROR', message });
const WORKER_URL = new URL('./verify-worker.mjs', import.meta.url);

export class VerifyPool {
  readonly #o: VerifyPoolOptions;
  readonly #queue: Pending[] = [];
  readonly #slots: Slot[] = [];
  #timer: NodeJS.Timeout | undefined;
  #nextId = 1;
  #closing = false;
  #inline = 0;
  /** counters for /metrics and tests */
  readonly stats = { batches: 0, presentations: 0, largestBatch: 0, workerRestarts: 0 };

  constructor(o: VerifyPoolOptions) {
    this.#o = o;
    for (let i = 0; i < o.workers; i++) this.#slots.push(this.#spawn());
  }

  /** Resolves when every worker has prepared the key (rejects when one cannot start). */
  async ready(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.ready));
  }

  /** Presentations queued or being verified. */
  get pending(): number {
    return this.#queue.length + this.#slots.reduce((n, s) => n + (s.batch?.items.length ?? 0), 0) + this.#inline;
  }

  /** Verify one presentation against its stored request; never rejects. */
  verify(presentation: unknown, request: ProofRequest): Promise<Verdict> {
    if (this.#closing) return Promise.resolve(crashed('the verifier is shutting down'));
    return new Promise<Verdict>((resolve) => {
      this.#queue.push({ presentation, request, resolve });
      this.#schedule();
    });
  }

  /** Wait for everything queued or in flight, then stop the threads. Idempotent. */
  async close(): Promise<void> {
    this.#closing = true;
    while (this.pending > 0) {
      this.#dispatch(true);
      await new Promise((r) => setTimeout(r, 5));
    }
    clearTimeout(this.#timer);
    await Promise.all(this.#slots.splice(0).map((s) => s.worker.terminate()));
  }

  /** The worker threads (tests kill one to show a crash never accepts). */
  workersForTest(): Worker[] {
    return this.#slots.map((s) => s.worker);
  }

  #spawn(): Slot {
    const worker = new Worker(WORKER_URL, { workerData: { verificationKey: this.#o.verificationKey }, name: 'zkid-verify' });
    let settle!: { resolve: () => void; reject: (e: Error) => void };
    const ready = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    ready.catch(() => undefined);
    const slot: Slot = { worker, ready };
    worker.on('message', (m: { type: string; id?: number; verdicts?: Verdict[]; message?: string }) => {
      if (m.type === 'ready') settle.resolve();
      else if (m.type === 'failed') settle.reject(new Error(`verification worker could not start: ${m.message}`));
      else if (m.type === 'verdicts' && slot.batch && m.id === slot.batch.id) {
        const { items } = slot.batch;
        slot.batch = undefined;
        for (const [i, p] of items.entries()) p.resolve(m.verdicts?.[i] ?? crashed('the verifier lost a verdict'));
        this.#dispatch(true);
      }
    });
    const onDeath = (why: string) => {
      settle.reject(new Error(why));
      const batch = slot.batch;
      slot.batch = undefined;
      for (const p of batch?.items ?? []) p.resolve(crashed(`verification failed: ${why}`));
      const i = this.#slots.indexOf(slot);
      if (i < 0) return; // closing: terminated on purpose
      this.#o.logger?.error({ why }, 'verification worker died: replacing it');
      this.stats.workerRestarts++;
      this.#slots[i] = this.#spawn();
      this.#dispatch(true);
    };
    worker.on('error', (e) => onDeath(e.message));
    worker.on('exit', (code) => onDeath(`worker exited with code ${code}`));
    return slot;
  }

  #schedule(): void {
    if (this.#queue.length >= this.#o.batchSize) this.#dispatch(true);
    else this.#timer ??= setTimeout(() => this.#dispatch(true), this.#o.batchWaitMs);
  }

  /** Send queued presentations to free workers (full batches; any batch when `flush`). */
  #dispatch(flush: boolean): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#o.workers === 0) {
      while (this.#queue.length > 0 && (flush || this.#queue.length >= this.#o.batchSize)) void this.#runInline(this.#take());
    } else {
      // Once batches leave, what is queued is shared among the free workers (6 queued, 2 free: 3
      // each; at most batchSize each), so under light load both cores verify at once instead of
      // one worker taking everything while the other idles.
      let free = this.#slots.reduce((n, s) => n + (s.batch ? 0 : 1), 0);
      const go = flush || this.#queue.length >= this.#o.batchSize;
      for (const slot of this.#slots) {
        if (this.#queue.length === 0 || !go) break;
        if (slot.batch) continue;
        const items = this.#take(Math.ceil(this.#queue.length / free--));
        const id = this.#nextId++;
        slot.batch = { id, items };
        slot.worker.postMessage({
          id,
          items: items.map((p) => ({ presentation: p.presentation, request: p.request })),
          now: new Date().toISOString(),
        });
      }
    }
    // Workers are all busy (or the batch is not full yet): try again when the wait is over; a
    // worker that finishes dispatches at once, so batches grow with the load.
    if (this.#queue.length > 0) this.#timer = setTimeout(() => this.#dispatch(true), this.#o.batchWaitMs);
  }

  /** The next batch: at most batchSize presentations (and at most `share`). */
  #take(share = Number.POSITIVE_INFINITY): Pending[] {
    const items = this.#queue.splice(0, Math.min(this.#o.batchSize, share));
    this.stats.batches++;
    this.stats.presentations += items.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, items.length);
    return items;
  }

  async #runInline(items: Pending[]): Promise<void> {
    this.#inline += items.length;
    try {
      const verdicts = await verifyPresentations(
        items.map((p) => ({ presentation: p.presentation, request: p.request })),
        { verificationKey: this.#o.verificationKey, now: new Date() },
      );
      for (const [i, p] of items.entries()) p.resolve(verdicts[i] ?? crashed('the verifier lost a verdict'));
    } finally {
      this.#inline -= items.length;
    }
  }
}
