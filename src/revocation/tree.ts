/**
 * The revocation tree: a sparse, fixed-depth Poseidon tree whose leaves are 252-bit bitmaps,
 * exactly as `BitmapNonRevocation(ARITY_BITS, LEVELS)` (circuits/lib/revocation.circom) checks it.
 *
 * - Node arity A = 2^arityBits (default 8, Poseidon(8)); `levels` levels (default 8), so the leaf
 *   index has arityBits * levels bits (default 24: 2^24 leaves, 252 * 2^24 serials).
 * - Leaf j is a bitmap stored directly as a field element: bit b (value 2^b) is 1 when serial
 *   252 * j + b is revoked. An empty leaf is 0.
 * - Internal node = Poseidon(child_0, ..., child_{A-1}). At level l (0 = the leaves' parents) the
 *   path's child position is digit l of j in base A, least significant first.
 * - Empty subtrees hash to zero[h]: zero[0] = 0, zero[h+1] = Poseidon(A x zero[h]).
 *
 * Only non-empty nodes are stored (one Map per level), so memory grows with the revocations, and
 * a revocation costs `levels` Poseidon(A) hashes.
 *
 * @example
 * const tree = new RevocationTree();
 * tree.revoke(1234n);
 * const w = tree.witness(99n); // { serial, leafIndex, bit, leaf, siblings, root } for the circuit
 * const bucket = tree.exportBucket(bucketIndexOf(99n)); // served to holders as JSON
 */
import { ZkidError } from '../errors.ts';
import { toDecimal } from '../field.ts';
import { poseidon } from '../poseidon.ts';
import { BUCKET_FORMAT, type Bucket, bucketNodePositions, checkBucketArgs, DEFAULT_BUCKET_BITS } from './bucket.ts';
import {
  capacityOf,
  checkShape,
  DEFAULT_SHAPE,
  dataError,
  depthOf,
  locateSerial,
  type RevocationWitness,
  type SerialPosition,
  shr,
  type TreeShape,
  zeroHashesOf,
} from './common.ts';
import type { RootRecord } from './root.ts';
import { parseSnapshot, SNAPSHOT_FORMAT, type Snapshot } from './snapshot.ts';

export { BUCKET_FORMAT, type Bucket, bucketIndexOf, DEFAULT_BUCKET_BITS, witnessFromBucket } from './bucket.ts';
export { DEFAULT_SHAPE, type RevocationWitness, SERIALS_PER_LEAF, serialPosition, type TreeShape } from './common.ts';
export type { RootRecord } from './root.ts';
export { SNAPSHOT_FORMAT, type Snapshot } from './snapshot.ts';

export class RevocationTree {
  readonly #shape: TreeShape;
  readonly #arity: number;
  readonly #zero: readonly bigint[];
  /** #nodes[h]: index -> hash of the non-empty nodes at level h (0 = leaves, levels = root). */
  readonly #nodes: Map<number, bigint>[];
  #revision = 0;
  /** Roots this tree has had, newest first, capped at HISTORY_LIMIT entries (unsigned: signing is the issuer's, root-signer.ts). */
  readonly #history: RootRecord[] = [];

  /**
   * An empty tree.
   * @param shape arityBits 1..4, levels >= 1, arityBits * levels <= 32 (default DEFAULT_SHAPE)
   * @throws ZkidError INVALID_ARGUMENT naming 'shape', 'shape.arityBits' or 'shape.levels'
   */
  constructor(shape: TreeShape = DEFAULT_SHAPE) {
    this.#shape = checkShape(shape);
    this.#arity = 1 << this.#shape.arityBits;
    this.#zero = zeroHashesOf(this.#shape);
    this.#nodes = Array.from({ length: this.#shape.levels + 1 }, () => new Map<number, bigint>());
    this.#record();
  }

  /** The tree's shape (a copy). */
  get shape(): TreeShape {
    return { ...this.#shape };
  }

  /** The current root. An empty tree's root is zero[levels]. */
  get root(): bigint {
    return (this.#nodes[this.#shape.levels] as Map<number, bigint>).get(0) ?? (this.#zero[this.#shape.levels] as bigint);
  }

  /** Bits of leaf index: arityBits * levels (24 by default). */
  get depth(): number {
    return depthOf(this.#shape);
  }

  /** Number of serials the tree holds: 252 * 2^depth. Valid serials are 0 .. capacity - 1. */
  get capacity(): bigint {
    return capacityOf(this.#shape);
  }

  /** Number of non-empty leaves (leaves with at least one revoked serial). */
  get size(): number {
    return this.#leaves.size;
  }

  /** Counts changes of the root: +1 per revoke/unrevoke that changed something, +1 per revokeMany batch that did. */
  get revision(): number {
    return this.#revision;
  }

  get #leaves(): Map<number, bigint> {
    return this.#nodes[0] as Map<number, bigint>;
  }

  /**
   * Whether a serial is revoked.
   * @throws ZkidError INVALID_ARGUMENT or SERIAL_OUT_OF_RANGE, field 'serial'
   */
  isRevoked(serial: bigint | number): boolean {
    const { leafIndex, bit } = locateSerial(serial, this.#shape);
    return (((this.#leaves.get(leafIndex) ?? 0n) >> BigInt(bit)) & 1n) === 1n;
  }

  /**
   * Revoke a serial: set its bit and recompute its path (`levels` hashes).
   * @returns true when the serial was not revoked before
   * @throws ZkidError INVALID_ARGUMENT or SERIAL_OUT_OF_RANGE, field 'serial'
   */
  revoke(serial: bigint | number): boolean {
    return this.#setBit(locateSerial(serial, this.#shape), true);
  }

  /**
   * Lift a revocation (e.g. one made in error): clear the serial's bit and recompute its path.
   * @returns true when the serial was revoked before
   * @throws ZkidError INVALID_ARGUMENT or SERIAL_OUT_OF_RANGE, field 'serial'
   */
  unrevoke(serial: bigint | number): boolean {
    return this.#setBit(locateSerial(serial, this.#shape), false);
  }

  /**
   * Revoke many serials at once: all are validated first (nothing changes when one is invalid),
   * then every touched node is recomputed once. The revision grows by one when anything changed.
   * @returns the number of serials that were not revoked before (duplicates count once)
   * @throws ZkidError INVALID_ARGUMENT or SERIAL_OUT_OF_RANGE, field 'serials[i]'
   */
  revokeMany(serials: Iterable<bigint | number>): number {
    const positions: SerialPosition[] = [];
    let n = 0;
    for (const s of serials) positions.push(locateSerial(s, this.#shape, `serials[${n++}]`));
    const leaves = this.#leaves;
    const touched = new Set<number>();
    let changed = 0;
    for (const { leafIndex, bit } of positions) {
      const old = leaves.get(leafIndex) ?? 0n;
      const mask = 1n << BigInt(bit);
      if ((old & mask) !== 0n) continue;
      leaves.set(leafIndex, old | mask);
      touched.add(leafIndex);
      changed++;
    }
    if (changed > 0) this.#commit(() => this.#updatePaths(touched));
    return changed;
  }

  /**
   * The bitmap of leaf `index` (0 when empty).
   * @throws ZkidError INVALID_ARGUMENT, field 'index', unless 0 <= index < 2^depth
   */
  leaf(index: number): bigint {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= 2 ** this.depth) {
      throw new ZkidError('INVALID_ARGUMENT', `index must be an integer from 0 to 2^${this.depth} - 1`, 'index');
    }
    return this.#leaves.get(index) ?? 0n;
  }

  /**
   * The circuit witness for a serial: its leaf and, per level, the A-1 siblings of the path node
   * in order (the path's own child left out). Works for revoked serials too; the circuit rejects those.
   * @throws ZkidError INVALID_ARGUMENT or SERIAL_OUT_OF_RANGE, field 'serial'
   */
  witness(serial: bigint | number): RevocationWitness {
    const pos = locateSerial(serial, this.#shape);
    const { arityBits, levels } = this.#shape;
    const arity = this.#arity;
    const siblings: bigint[][] = [];
    for (let l = 0; l < levels; l++) {
      const nodes = this.#nodes[l] as Map<number, bigint>;
      const zero = this.#zero[l] as bigint;
      const idx = shr(pos.leafIndex, l * arityBits);
      const p = idx % arity; // digit l of the leaf index in base A
      const level: bigint[] = [];
      for (let k = 0; k < arity; k++) if (k !== p) level.push(nodes.get(idx - p + k) ?? zero);
      siblings.push(level);
    }
    return { ...pos, leaf: this.#leaves.get(pos.leafIndex) ?? 0n, siblings, root: this.root };
  }

  /**
   * The bucket of leaves [bucketIndex * 2^bucketBits, (bucketIndex + 1) * 2^bucketBits): its
   * non-empty leaves and its boundary nodes, from which a holder rebuilds any path inside it
   * (see witnessFromBucket). Serve buckets, never single paths: a path request reveals the serial.
   * @param bucketBits log2 of the leaves per bucket, 0..depth (default 10)
   * @throws ZkidError INVALID_ARGUMENT naming 'bucketIndex' or 'bucketBits'
   */
  exportBucket(bucketIndex: number, bucketBits: number = DEFAULT_BUCKET_BITS): Bucket {
    checkBucketArgs(this.#shape, bucketIndex, bucketBits);
    const start = bucketIndex * 2 ** bucketBits;
    const end = start + 2 ** bucketBits;
    const all = this.#leaves;
    const leaves: [number, string][] = [];
    if (end - start <= all.size) {
      for (let i = start; i < end; i++) {
        const v = all.get(i);
        if (v !== undefined) leaves.push([i, toDecimal(v)]);
      }
    } else {
      for (const [i, v] of all) if (i >= start && i < end) leaves.push([i, toDecimal(v)]);
      leaves.sort((a, b) => a[0] - b[0]);
    }
    const nodes = bucketNodePositions(this.#shape, bucketBits, bucketIndex).map(([h, i]): [number, number, string] => [
      h,
      i,
      toDecimal(this.#node(h, i)),
    ]);
    return {
      format: BUCKET_FORMAT,
      shape: this.shape,
      bucketBits,
      bucketIndex,
      root: toDecimal(this.root),
      revision: this.#revision,
      leaves,
      nodes,
    };
  }

  /** The whole tree as JSON-serialisable data: shape, root, revision and the non-empty leaves by index. */
  exportSnapshot(): Snapshot {
    const leaves = [...this.#leaves].sort((a, b) => a[0] - b[0]).map(([i, v]): [number, string] => [i, toDecimal(v)]);
    return { format: SNAPSHOT_FORMAT, shape: this.shape, root: toDecimal(this.root), revision: this.#revision, leaves };
  }

  /**
   * Rebuild a tree from an untrusted snapshot: validates every part, recomputes the root from the
   * leaves and keeps the snapshot's revision.
   * @throws ZkidError INVALID_REVOCATION_DATA naming the part; field 'snapshot.root' when the
   *   root does not match the leaves
   */
  static fromSnapshot(s: unknown): RevocationTree {
    const parsed = parseSnapshot(s);
    const tree = new RevocationTree(parsed.shape);
    for (const [i, v] of parsed.leaves) tree.#leaves.set(i, v);
    tree.#updatePaths(new Set(parsed.leaves.keys()));
    if (tree.root !== parsed.root) {
      throw dataError(
        'snapshot.root',
        'snapshot root does not match the root recomputed from its leaves (tampered or inconsistent snapshot)',
      );
    }
    tree.#revision = parsed.revision;
    tree.#history.length = 0;
    tree.#record();
    return tree;
  }

  /**
   * The empty-subtree hashes of a shape: zero[0] = 0 (empty leaf), zero[h+1] = Poseidon(A x zero[h]),
   * up to zero[levels] (the empty tree's root).
   * @throws ZkidError INVALID_ARGUMENT for an invalid shape
   */
  static zeroHashes(shape: TreeShape = DEFAULT_SHAPE): bigint[] {
    const s = checkShape(shape);
    return zeroHashesOf(s).slice(0, s.levels + 1);
  }

  #node(h: number, i: number): bigint {
    return (this.#nodes[h] as Map<number, bigint>).get(i) ?? (this.#zero[h] as bigint);
  }

  #setBit({ leafIndex, bit }: SerialPosition, value: boolean): boolean {
    const leaves = this.#leaves;
    const old = leaves.get(leafIndex) ?? 0n;
    const mask = 1n << BigInt(bit);
    if (((old & mask) !== 0n) === value) return false;
    const next = value ? old | mask : old & ~mask;
    if (next === 0n) leaves.delete(leafIndex);
    else leaves.set(leafIndex, next);
    this.#commit(() => {
      let idx = leafIndex;
      for (let h = 0; h < this.#shape.levels; h++) {
        idx = shr(idx, this.#shape.arityBits);
        this.#recompute(h, idx);
      }
    });
    return true;
  }

  /** Run an update and bump the revision when the root changed. */
  #commit(update: () => void): void {
    const before = this.root;
    update();
    if (this.root !== before) {
      this.#revision++;
      this.#record();
    }
  }

  #record(): void {
    this.#history.unshift({ revision: this.#revision, root: toDecimal(this.root), publishedAt: new Date() });
    if (this.#history.length > RevocationTree.HISTORY_LIMIT) this.#history.pop();
  }

  /** At most this many roots are kept in `rootHistory` (a service persists its own history). */
  static readonly HISTORY_LIMIT = 1024;

  /**
   * Roots this tree has had since it was created or loaded, newest first (the current root first),
   * with the revision and time each took effect: the same records, in the same order, as the
   * registry's history and /v1/registry/roots (acceptedRootsOf takes it as it is).
   */
  get rootHistory(): readonly RootRecord[] {
    return this.#history.map((r) => ({ ...r }));
  }

  /** Recompute every ancestor of the given leaves, each node once, level by level. */
  #updatePaths(leafIndices: Set<number>): void {
    let touched = leafIndices;
    for (let h = 0; h < this.#shape.levels; h++) {
      const parents = new Set<number>();
      for (const i of touched) parents.add(shr(i, this.#shape.arityBits));
      for (const p of parents) this.#recompute(h, p);
      touched = parents;
    }
  }

  /** Recompute node `parent` at level h + 1 from its children at level h; empty subtrees are not stored. */
  #recompute(h: number, parent: number): void {
    const arity = this.#arity;
    const children = this.#nodes[h] as Map<number, bigint>;
    const zero = this.#zero[h] as bigint;
    const up = this.#nodes[h + 1] as Map<number, bigint>;
    const inputs = new Array<bigint>(arity);
    let empty = true;
    for (let k = 0; k < arity; k++) {
      const v = children.get(parent * arity + k);
      if (v === undefined) inputs[k] = zero;
      else {
        inputs[k] = v;
        empty = false;
      }
    }
    const hash = empty ? (this.#zero[h + 1] as bigint) : poseidon(inputs);
    if (hash === this.#zero[h + 1]) up.delete(parent);
    else up.set(parent, hash);
  }
}

/**
 * The holder's path from a full snapshot (the whole tree's non-empty leaves): the snapshot's root
 * is recomputed from its leaves and must match, then the serial's witness is built locally. A
 * holder that takes the snapshot hides among every issued credential, not one bucket's.
 * @throws ZkidError INVALID_REVOCATION_DATA for a malformed or inconsistent snapshot;
 *   SERIAL_OUT_OF_RANGE / INVALID_ARGUMENT for a bad serial
 */
export function witnessFromSnapshot(snapshot: unknown, serial: bigint | number): RevocationWitness {
  return RevocationTree.fromSnapshot(snapshot).witness(serial);
}
