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
 *
 * The registry also counts credentials per bucket (issued and not revoked): the anonymity set a
 * holder who fetched that bucket hides in, reported with every bucket and the snapshot, and the
 * basis of serial allocation (chooseBucket: fill a few buckets evenly instead of scattering
 * serials over 16,384 buckets). The snapshot is served precompressed (gzip, brotli), cached per
 * content.
 *
 * Several instances on one store (PostgreSQL): each keeps its own tree, and follows the store by
 * revision. `follow(intervalMs)` polls the latest stored revision (one indexed query) and, when it
 * moved, reloads the leaves and the root history (and adjusts the revoked counts by the bits that
 * changed), so a revocation made on any instance changes every instance's accepted roots within
 * one interval plus the reload. A change first catches up with the store, and a change that lost
 * a race to another instance (RevisionConflictError) is retried on the reloaded tree. Issued
 * counts (the anonymity sets, the basis of serial allocation) are re-read from the store with every
 * reload and at least every 10 s.
 *
 * Signed roots: on an instance with the issuer role the registry is opened with a signer (the
 * active issuer keys, src/revocation/root-signer.ts) and every root it publishes is stored with the
 * issuer's signatures over (root, revision, publication time); on open it signs the roots of the
 * kept history that lack its signature (a database from before schema 3). Records travel with
 * their signatures in /v1/registry/roots, and the current one with every bucket and the snapshot,
 * so verifiers elsewhere (registry-follower.ts) and holders check the roots they use against the
 * issuer's key, whoever served them.
 */
import { createHash, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlibConstants } from 'node:zlib';
import { toDecimal } from '../field.ts';
import { acceptedRootsOf, type RootRecordJson, rootRecordToJson } from '../revocation/root.ts';
import type { RootSigner } from '../revocation/root-signer.ts';
import {
  type Bucket,
  bucketIndexOf,
  DEFAULT_BUCKET_BITS,
  DEFAULT_SHAPE,
  RevocationTree,
  SERIALS_PER_LEAF,
  SNAPSHOT_FORMAT,
  type Snapshot,
  serialPosition,
} from '../revocation/tree.ts';
import { RevisionConflictError } from '../store/sql/revocation.ts';
import type { AuditInput, RevocationChange, RootRecord, Store } from '../store/store.ts';

/** How many roots of history are kept in memory for the window and /v1/registry/roots. */
const HISTORY_IN_MEMORY = 256;

/** How often a following registry re-reads the issued counts even when no revision moved (issuance elsewhere). */
const COUNTS_REFRESH_MS = 10_000;
/** How often a change that lost a race to another instance is tried again on the reloaded tree. */
const CONFLICT_ATTEMPTS = 4;

/** Serials per bucket: 2^10 leaves of 252 serials = 258,048. */
export const SERIALS_PER_BUCKET = SERIALS_PER_LEAF * 2 ** DEFAULT_BUCKET_BITS;

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** A bucket as served: the tree's bucket plus how many live credentials it holds, and the signed record of its root. */
export type ServedBucket = Bucket & { issuedCount: number; rootRecord: RootRecordJson };

/** The snapshot as served: its JSON and two compressed encodings of it, and a stable ETag. */
export interface ServedSnapshot {
  json: Buffer;
  gzip: Buffer;
  br: Buffer;
  /** weak ETag over the JSON (the same resource in any encoding) */
  etag: string;
  issuedCount: number;
}

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
  readonly #signer: RootSigner | undefined;
  #tree: RevocationTree;
  /** newest first */
  #history: RootRecord[];
  #queue: Promise<unknown> = Promise.resolve();
  #snapshot: Snapshot | undefined;
  /** bucket -> credentials ever issued in it */
  readonly #issued = new Map<number, number>();
  /** bucket -> issued credentials whose serial is revoked */
  readonly #revokedIssued = new Map<number, number>();
  /** empty buckets chosen to be filled next (see chooseBucket) */
  readonly #opened = new Set<number>();
  /** bumped on every change of the counts */
  #countsVersion = 0;
  /** bumped on every reload of the history (signatures may change without a new revision) */
  #historyVersion = 0;
  #served: { key: string; value: Promise<ServedSnapshot> } | undefined;
  #follow: { timer: NodeJS.Timeout; running: boolean; countsAt: number } | undefined;

  private constructor(store: Store, tree: RevocationTree, history: RootRecord[], signer: RootSigner | undefined) {
    this.#store = store;
    this.#signer = signer;
    this.#tree = tree;
    this.#history = history;
  }

  /**
   * Rebuild the tree from the store (recording the empty tree's root on first start) and count
   * the issued credentials per bucket.
   * @param o.signer signs every root this registry publishes (the issuer role's keys); without it roots are stored unsigned
   * @throws Error when the stored leaves do not hash to the stored root
   */
  static async open(store: Store, now: Date, o: { signer?: RootSigner } = {}): Promise<RevocationRegistry> {
    let { tree, history } = await RevocationRegistry.#load(store, now, o.signer);
    if (o.signer && (await RevocationRegistry.#signUnsigned(store, history, o.signer))) {
      ({ tree, history } = await RevocationRegistry.#load(store, now, o.signer));
    }
    const registry = new RevocationRegistry(store, tree, history, o.signer);
    for (const [bucket, n] of await store.countIssuedByRange(SERIALS_PER_BUCKET)) registry.#issued.set(bucket, n);
    await registry.#recountRevoked();
    return registry;
  }

  /**
   * Sign the kept history's roots that lack a signature by each of the signer's keys (roots stored
   * before schema 3, or by an instance without the issuer role).
   * @returns whether any record was signed
   */
  static async #signUnsigned(store: Store, history: RootRecord[], signer: RootSigner): Promise<boolean> {
    let signed = false;
    const holds = (r: RootRecord, k: readonly [string, string]) =>
      r.signatures?.some((s) => s.publicKey[0] === k[0] && s.publicKey[1] === k[1]);
    for (const r of history) {
      // Signing costs tens of milliseconds: only records that lack one of the signer's keys.
      if (signer.publicKeys.every((k) => holds(r, k))) continue;
      const have = r.signatures ?? [];
      const missing = signer(r).filter((s) => !holds(r, s.publicKey));
      if (await store.setRootSignatures({ revision: r.revision, root: r.root, signatures: [...have, ...missing] })) signed = true;
    }
    return signed;
  }

  /** Count the revoked serials that were issued, per bucket, from scratch. */
  async #recountRevoked(): Promise<void> {
    this.#revokedIssued.clear();
    for (const [leaf, bitmap] of this.#tree.exportSnapshot().leaves) {
      let v = BigInt(bitmap);
      for (let bit = 0; v > 0n; bit++, v >>= 1n) {
        if ((v & 1n) === 0n) continue;
        const serial = leaf * SERIALS_PER_LEAF + bit;
        if (await this.#store.isSerialIssued(serial)) this.#bump(this.#revokedIssued, RevocationRegistry.bucketOf(BigInt(serial)), 1);
      }
    }
    this.#countsVersion++;
  }

  /**
   * Catch up with the store: when the latest stored revision is not this tree's, reload the tree
   * and the root history (serialised with the changes of this instance).
   * @returns whether anything was reloaded
   */
  refresh(now: Date = new Date()): Promise<boolean> {
    const run = this.#queue.then(() => this.#catchUp(now));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Follow the store: every `intervalMs`, {@link refresh} (and re-read the issued counts at least
   * every 10 s: one GROUP BY over the credentials, too much for every tick). Errors (the database
   * briefly away) go to `onError`, and the next tick tries again.
   */
  follow(intervalMs: number, onError: (err: unknown) => void): void {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError("Parameter 'intervalMs' must be a positive number");
    this.unfollow();
    const state = { running: false, countsAt: Date.now() } as { timer: NodeJS.Timeout; running: boolean; countsAt: number };
    state.timer = setInterval(() => {
      if (state.running) return;
      state.running = true;
      (async () => {
        const reloaded = await this.refresh();
        if (!reloaded && Date.now() - state.countsAt >= COUNTS_REFRESH_MS) await this.refreshCounts();
        if (reloaded || Date.now() - state.countsAt >= COUNTS_REFRESH_MS) state.countsAt = Date.now();
      })()
        .catch(onError)
        .finally(() => {
          state.running = false;
        });
    }, intervalMs);
    state.timer.unref();
    this.#follow = state;
  }

  /** Stop following the store (idempotent); waits for nothing. */
  unfollow(): void {
    if (this.#follow) clearInterval(this.#follow.timer);
    this.#follow = undefined;
  }

  /** Inside the queue: reload when the store's latest revision differs from the tree's. */
  async #catchUp(now: Date): Promise<boolean> {
    const [latest] = await this.#store.listRoots({ limit: 1 });
    const current = this.#history[0];
    // Same revision and root, and as many signatures (an issuer may have signed records this instance stored unsigned).
    const signatures = (r: RootRecord | undefined) => r?.signatures?.length ?? 0;
    if (!latest || (latest.revision === this.#tree.revision && latest.root === this.root && signatures(latest) === signatures(current)))
      return false;
    await this.#reload(now);
    return true;
  }

  /** Re-read the issued counts per bucket from the store now (another instance may have issued); serialised with changes. */
  refreshCounts(): Promise<void> {
    const run = this.#queue.then(() => this.#refreshCounts());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #refreshCounts(): Promise<void> {
    const counts = await this.#store.countIssuedByRange(SERIALS_PER_BUCKET);
    const same = counts.length === this.#issued.size && counts.every(([bucket, n]) => this.#issued.get(bucket) === n);
    // Unchanged counts keep the served snapshot (compressed once per content) as it is.
    if (same) return;
    this.#issued.clear();
    for (const [bucket, n] of counts) {
      this.#issued.set(bucket, n);
      this.#opened.delete(bucket);
    }
    this.#countsVersion++;
  }

  #bump(map: Map<number, number>, bucket: number, by: number): void {
    const n = (map.get(bucket) ?? 0) + by;
    if (n === 0) map.delete(bucket);
    else map.set(bucket, n);
    this.#countsVersion++;
  }

  /** Credentials issued in a bucket and not revoked: the anonymity set of a holder who fetched it. */
  issuedCount(bucket: number): number {
    return (this.#issued.get(bucket) ?? 0) - (this.#revokedIssued.get(bucket) ?? 0);
  }

  /** Credentials issued and not revoked, over all buckets. */
  get issuedTotal(): number {
    let n = 0;
    for (const v of this.#issued.values()) n += v;
    for (const v of this.#revokedIssued.values()) n -= v;
    return n;
  }

  /** Record a newly issued serial (after the store has it). */
  noteIssued(serial: bigint): void {
    const bucket = RevocationRegistry.bucketOf(serial);
    this.#opened.delete(bucket);
    this.#bump(this.#issued, bucket, 1);
  }

  /**
   * The bucket the next serial goes into. Buckets are filled a few at a time: the active set is
   * every bucket that holds credentials but fewer than `target`, topped up to `active` buckets
   * with empty ones chosen at random; the next serial goes into the active bucket with the fewest
   * live credentials (ties at random). So N credentials fill about N / target buckets evenly,
   * instead of one or two each in N buckets, and a bucket's anonymity set is real.
   */
  chooseBucket(o: { active: number; target: number }): number {
    const candidates: number[] = [];
    for (const [b, n] of this.#issued) if (n < o.target) candidates.push(b);
    for (const b of this.#opened) if (!this.#issued.has(b)) candidates.push(b);
    const count = this.bucketCount;
    for (let guard = 0; candidates.length < o.active && guard < 1000; guard++) {
      const b = randomInt(count);
      if (this.#issued.has(b) || candidates.includes(b)) continue;
      this.#opened.add(b);
      candidates.push(b);
    }
    let least = Number.POSITIVE_INFINITY;
    let best: number[] = [];
    for (const b of candidates) {
      const n = this.issuedCount(b);
      if (n < least) {
        least = n;
        best = [b];
      } else if (n === least) best.push(b);
    }
    return best[randomInt(best.length)] as number;
  }

  /**
   * The snapshot with its issued count, as JSON, gzip and brotli, compressed once per content
   * (off the event loop) and shared by every request for it.
   */
  servedSnapshot(): Promise<ServedSnapshot> {
    const key = `${this.#tree.revision}:${this.#countsVersion}:${this.#historyVersion}`;
    if (this.#served?.key !== key) {
      const body = { ...this.exportSnapshot(), issuedCount: this.issuedTotal, rootRecord: this.currentRecordJson() };
      const json = Buffer.from(JSON.stringify(body), 'utf8');
      const value = Promise.all([
        gzipAsync(json, { level: 9 }),
        brotliAsync(json, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: json.length } }),
      ]).then(([gz, br]) => ({
        json,
        gzip: gz,
        br,
        etag: `W/"${createHash('sha256').update(json).digest('hex').slice(0, 32)}"`,
        issuedCount: body.issuedCount,
      }));
      value.catch(() => {
        if (this.#served?.value === value) this.#served = undefined;
      });
      this.#served = { key, value };
    }
    return this.#served.value;
  }

  static async #load(store: Store, now: Date, signer: RootSigner | undefined): Promise<{ tree: RevocationTree; history: RootRecord[] }> {
    let history = await store.listRoots({ limit: HISTORY_IN_MEMORY });
    const leaves = await store.loadRevocationLeaves();
    const latest = history[0];
    if (!latest) {
      if (leaves.length > 0) throw new Error('the store holds revocation leaves but no root history');
      const tree = new RevocationTree(DEFAULT_SHAPE);
      const first = { revision: tree.revision, root: toDecimal(tree.root), publishedAt: now };
      await store.initRootHistory(signer ? { ...first, signatures: signer(first) } : first);
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

  /** Root history, newest first (at most the last 256 changes); with `since`, only revisions >= since. */
  history(limit: number, since?: number): RootRecord[] {
    const h = since === undefined ? this.#history : this.#history.filter((r) => r.revision >= since);
    return h.slice(0, limit);
  }

  /** The current root's record as JSON (with the issuer's signatures, when it signed it). */
  currentRecordJson(): RootRecordJson {
    const current = this.#history[0];
    if (current?.revision === this.#tree.revision) return rootRecordToJson(current);
    // Unreachable while history and tree are loaded together; an unsigned record rather than a wrong one.
    return rootRecordToJson({ revision: this.#tree.revision, root: this.root, publishedAt: this.publishedAt });
  }

  /**
   * The roots a verifier accepts at `now`, newest first (see the module comment and acceptedRootsOf).
   * @param window count >= 1 and maxAgeSeconds
   */
  acceptedRoots(now: Date, window: { count: number; maxAgeSeconds: number }): string[] {
    return acceptedRootsOf(this.#history, now, window);
  }

  exportBucket(index: number): ServedBucket {
    return {
      ...this.#tree.exportBucket(index, DEFAULT_BUCKET_BITS),
      issuedCount: this.issuedCount(index),
      rootRecord: this.currentRecordJson(),
    };
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
    const run = this.#queue.then(async () => {
      await this.#catchUp(at);
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.#apply(serial, revoked, at, audit);
        } catch (e) {
          // Another instance stored this revision first: #apply reloaded the tree; try on top of it.
          if (!(e instanceof RevisionConflictError) || attempt >= CONFLICT_ATTEMPTS) throw e;
        }
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #apply(serial: bigint, revoked: boolean, at: Date, audit: Omit<AuditInput, 'at' | 'subject'>): Promise<RevocationOutcome> {
    const tree = this.#tree;
    const changed = revoked ? tree.revoke(serial) : tree.unrevoke(serial);
    const outcome = (): RevocationOutcome => ({ serial: serial.toString(), revoked, changed, root: this.root, revision: this.revision });
    if (!changed) return outcome();
    const { leafIndex } = serialPosition(serial, DEFAULT_SHAPE);
    const record = this.#signed({ revision: tree.revision, root: this.root, publishedAt: at });
    try {
      await this.#store.applyRevocationChange({
        leafIndex,
        bitmap: toDecimal(tree.leaf(leafIndex)),
        revision: record.revision,
        root: record.root,
        at,
        ...(record.signatures ? { signatures: record.signatures } : {}),
        audit: {
          ...audit,
          at,
          subject: serial.toString(),
          details: { ...audit.details, root: record.root, revision: record.revision },
        },
      });
    } catch (e) {
      await this.#reload(at, { failed: true });
      throw e;
    }
    this.#history = [record, ...this.#history].slice(0, HISTORY_IN_MEMORY);
    if (await this.#store.isSerialIssued(Number(serial)))
      this.#bump(this.#revokedIssued, RevocationRegistry.bucketOf(serial), revoked ? 1 : -1);
    return outcome();
  }

  /**
   * Run `fn` alone, serialised with every other change of the registry. `fn` may revoke serials
   * in the tree with `revoke` (each gives the leaf change, with the next revision, to store) and
   * must store those changes, with whatever goes with them, in one transaction of its own. When
   * `fn` throws or returns `ok: false`, the tree is reloaded from the store and nothing is
   * published; otherwise the new roots join the history.
   */
  exclusive<T>(
    at: Date,
    fn: (
      revoke: (serial: bigint, audit: Omit<AuditInput, 'at' | 'subject'>) => RevocationChange | undefined,
    ) => Promise<{ ok: boolean; value: T }>,
  ): Promise<T> {
    const run = this.#queue.then(async () => {
      await this.#catchUp(at);
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.#exclusiveOnce(at, fn);
        } catch (e) {
          // Another instance stored a revision first: the tree was reloaded; run `fn` again on it.
          if (!(e instanceof RevisionConflictError) || attempt >= CONFLICT_ATTEMPTS) throw e;
        }
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #exclusiveOnce<T>(
    at: Date,
    fn: (
      revoke: (serial: bigint, audit: Omit<AuditInput, 'at' | 'subject'>) => RevocationChange | undefined,
    ) => Promise<{ ok: boolean; value: T }>,
  ): Promise<T> {
    const tree = this.#tree;
    const records: RootRecord[] = [];
    const revoked: bigint[] = [];
    const revoke = (serial: bigint, audit: Omit<AuditInput, 'at' | 'subject'>): RevocationChange | undefined => {
      if (!tree.revoke(serial)) return undefined;
      const { leafIndex } = serialPosition(serial, DEFAULT_SHAPE);
      const record = this.#signed({ revision: tree.revision, root: this.root, publishedAt: at });
      records.push(record);
      revoked.push(serial);
      return {
        leafIndex,
        bitmap: toDecimal(tree.leaf(leafIndex)),
        revision: record.revision,
        root: record.root,
        at,
        ...(record.signatures ? { signatures: record.signatures } : {}),
        audit: { ...audit, at, subject: serial.toString(), details: { ...audit.details, root: record.root, revision: record.revision } },
      };
    };
    let result: { ok: boolean; value: T };
    try {
      result = await fn(revoke);
    } catch (e) {
      if (records.length > 0) await this.#reload(at, { failed: true });
      throw e;
    }
    if (!result.ok) {
      if (records.length > 0) await this.#reload(at, { failed: true });
      return result.value;
    }
    for (const r of records) this.#history = [r, ...this.#history].slice(0, HISTORY_IN_MEMORY);
    for (const serial of revoked) {
      if (await this.#store.isSerialIssued(Number(serial))) this.#bump(this.#revokedIssued, RevocationRegistry.bucketOf(serial), 1);
    }
    return result.value;
  }

  /** A new root record, signed when this registry has a signer. */
  #signed(r: { revision: number; root: string; publishedAt: Date }): RootRecord {
    return this.#signer ? { ...r, signatures: this.#signer(r) } : r;
  }

  /**
   * Replace the tree and history with the store's, adjusting the revoked-and-issued counts by the
   * serials whose bit changed, and re-read the issued counts.
   */
  async #reload(at: Date, o: { failed?: boolean } = {}): Promise<void> {
    const before = new Map(this.#tree.exportSnapshot().leaves);
    const { tree, history } = await RevocationRegistry.#load(this.#store, at, this.#signer);
    const after = new Map(tree.exportSnapshot().leaves);
    this.#tree = tree;
    this.#history = history;
    this.#historyVersion++;
    await this.#refreshCounts();
    // After a failed change the tree held bits that were never counted: count again from scratch.
    if (o.failed) return this.#recountRevoked();
    for (const leaf of new Set([...before.keys(), ...after.keys()])) {
      const was = BigInt(before.get(leaf) ?? '0');
      const now = BigInt(after.get(leaf) ?? '0');
      let diff = was ^ now;
      for (let bit = 0; diff > 0n; bit++, diff >>= 1n) {
        if ((diff & 1n) === 0n) continue;
        const serial = BigInt(leaf * SERIALS_PER_LEAF + bit);
        const revoked = ((now >> BigInt(bit)) & 1n) === 1n;
        if (await this.#store.isSerialIssued(Number(serial)))
          this.#bump(this.#revokedIssued, RevocationRegistry.bucketOf(serial), revoked ? 1 : -1);
      }
    }
    await this.#refreshCounts();
  }
}
