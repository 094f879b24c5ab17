/**
 * The issuer's revocation tree, kept in memory and persisted through the store: every change
 * writes the changed leaf, the new root (with its publication time) and an audit entry in one
 * transaction. On start the tree is rebuilt from the stored leaves and checked against the latest
 * stored root (RevocationTree.fromSnapshot recomputes it), so a damaged store stops the service
 * instead of publishing a wrong root.
 *
 * Accepted roots ("the recent window"): the current root, plus earlier roots that were still
 * current less than `maxAgeSeconds` ago, at most `count` distinct roots. A holder whose revocation
 * data is a little old still proves against a root the verifier accepts; a revocation takes
 * effect for everyone at most `maxAgeSeconds` (or `count - 1` later changes) after it is made.
 */
import { toDecimal } from '../field.ts';
import {
  type Bucket,
  bucketIndexOf,
  DEFAULT_BUCKET_BITS,
  DEFAULT_SHAPE,
  RevocationTree,
  SNAPSHOT_FORMAT,
  type Snapshot,
  serialPosition,
} from '../revocation/tree.ts';
import type { AuditInput, RootRecord, Store } from '../store/store.ts';

/** How many roots of history are kept in memory for the window and /v1/registry/roots. */
const HISTORY_IN_MEMORY = 256;

export interface RevocationOutcome {
  serial: string;
  revoked: boolean;
  /** false when the serial already had that state (nothing was written) */
  changed: boolean;
  root: string;
  revision: number;
}

export class RevocationRegistry {
  readonly #store: Store;
  #tree: RevocationTree;
  /** newest first */
  #history: RootRecord[];
  #queue: Promise<unknown> = Promise.resolve();
  #snapshot: Snapshot | undefined;

  private constructor(store: Store, tree: RevocationTree, history: RootRecord[]) {
    this.#store = store;
    this.#tree = tree;
    this.#history = history;
  }

  /**
   * Rebuild the tree from the store (recording the empty tree's root on first start).
   * @throws Error when the stored leaves do not hash to the stored root
   */
  static async open(store: Store, now: Date): Promise<RevocationRegistry> {
    const { tree, history } = await RevocationRegistry.#load(store, now);
    return new RevocationRegistry(store, tree, history);
  }

  static async #load(store: Store, now: Date): Promise<{ tree: RevocationTree; history: RootRecord[] }> {
    let history = await store.listRoots({ limit: HISTORY_IN_MEMORY });
    const leaves = await store.loadRevocationLeaves();
    const latest = history[0];
    if (!latest) {
      if (leaves.length > 0) throw new Error('the store holds revocation leaves but no root history');
      const tree = new RevocationTree(DEFAULT_SHAPE);
      await store.initRootHistory({ revision: tree.revision, root: toDecimal(tree.root), publishedAt: now });
      history = await store.listRoots({ limit: HISTORY_IN_MEMORY });
      return { tree, history };
    }
    let tree: RevocationTree;
    try {
      tree = RevocationTree.fromSnapshot({
        format: SNAPSHOT_FORMAT,
        shape: DEFAULT_SHAPE,
        root: latest.root,
        revision: latest.revision,
        leaves,
      });
    } catch (e) {
      throw new Error(
        `the stored revocation leaves do not match the stored root (revision ${latest.revision}): ${e instanceof Error ? e.message : String(e)}`,
        {
          cause: e,
        },
      );
    }
    return { tree, history };
  }

  get root(): string {
    return toDecimal(this.#tree.root);
  }

  get revision(): number {
    return this.#tree.revision;
  }

  /** When the current root was published. */
  get publishedAt(): Date {
    return (this.#history[0] as RootRecord).publishedAt;
  }

  /** Number of serials revoked (summed over the leaf bitmaps). */
  get revokedCount(): number {
    let n = 0;
    for (const [, v] of this.exportSnapshot().leaves) {
      for (let x = BigInt(v); x > 0n; x &= x - 1n) n++;
    }
    return n;
  }

  isRevoked(serial: bigint): boolean {
    return this.#tree.isRevoked(serial);
  }

  /** Root history, newest first (at most the last 256 changes). */
  history(limit: number): RootRecord[] {
    return this.#history.slice(0, limit);
  }

  /**
   * The roots a verifier accepts at `now`, newest first (see the module comment).
   * @param window count >= 1 and maxAgeSeconds
   */
  acceptedRoots(now: Date, window: { count: number; maxAgeSeconds: number }): string[] {
    const out: string[] = [];
    const h = this.#history;
    for (let i = 0; i < h.length && out.length < window.count; i++) {
      const entry = h[i] as RootRecord;
      if (i > 0) {
        // Entry i stopped being current when entry i-1 was published.
        const supersededAt = (h[i - 1] as RootRecord).publishedAt.getTime();
        if (now.getTime() - supersededAt > window.maxAgeSeconds * 1000) break;
      }
      if (!out.includes(entry.root)) out.push(entry.root);
    }
    return out;
  }

  exportBucket(index: number): Bucket {
    return this.#tree.exportBucket(index, DEFAULT_BUCKET_BITS);
  }

  /** The whole tree; cached per revision. */
  exportSnapshot(): Snapshot {
    if (this.#snapshot?.revision !== this.#tree.revision) this.#snapshot = this.#tree.exportSnapshot();
    return this.#snapshot;
  }

  /** Number of buckets (for parameter checks): 2^(depth - 10). */
  get bucketCount(): number {
    return 2 ** (this.#tree.depth - DEFAULT_BUCKET_BITS);
  }

  static bucketOf(serial: bigint): number {
    return bucketIndexOf(serial, DEFAULT_BUCKET_BITS, DEFAULT_SHAPE);
  }

  /**
   * Revoke (or, with revoked = false, reinstate) a serial and persist the change.
   * Changes are serialised; when persisting fails the tree is reloaded from the store, so memory
   * never runs ahead of what is stored.
   */
  setRevoked(serial: bigint, revoked: boolean, at: Date, audit: Omit<AuditInput, 'at' | 'subject'>): Promise<RevocationOutcome> {
    const run = this.#queue.then(() => this.#apply(serial, revoked, at, audit));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #apply(serial: bigint, revoked: boolean, at: Date, audit: Omit<AuditInput, 'at' | 'subject'>): Promise<RevocationOutcome> {
    const tree = this.#tree;
    const changed = revoked ? tree.revoke(serial) : tree.unrevoke(serial);
    const outcome = (): RevocationOutcome => ({ serial: serial.toString(), revoked, changed, root: this.root, revision: this.revision });
    if (!changed) return outcome();
    const { leafIndex } = serialPosition(serial, DEFAULT_SHAPE);
    const record: RootRecord = { revision: tree.revision, root: this.root, publishedAt: at };
    try {
      await this.#store.applyRevocationChange({
        leafIndex,
        bitmap: toDecimal(tree.leaf(leafIndex)),
        revision: record.revision,
        root: record.root,
        at,
        audit: {
          ...audit,
          at,
          subject: serial.toString(),
          details: { ...audit.details, root: record.root, revision: record.revision },
        },
      });
    } catch (e) {
      const { tree: reloaded, history } = await RevocationRegistry.#load(this.#store, at);
      this.#tree = reloaded;
      this.#history = history;
      throw e;
    }
    this.#history = [record, ...this.#history].slice(0, HISTORY_IN_MEMORY);
    return outcome();
  }
}
