/**
 * Revocation buckets: private witness refresh.
 *
 * A holder that asked the registry for "the path of leaf j" would tell it which credential it
 * holds. Instead the registry serves bucket k = all non-empty leaves of the aligned range of
 * 2^B leaves [k * 2^B, (k+1) * 2^B) plus the boundary nodes above it: every node whose leaf range
 * is disjoint from the bucket's range while its parent's range intersects it. From that the
 * holder rebuilds the root (and checks it against the published one) and its own path. With
 * B = 10 and 252 serials a leaf the anonymity set is 2^10 * 252 = 258,048 serials.
 *
 * Works for any arity, also when B is not a multiple of arityBits (the default 8-ary tree with
 * B = 10): both the bucket's range and every node's range are aligned power-of-two intervals,
 * so a node either lies inside the bucket, contains it, or is disjoint from it.
 */
import { ZkidError } from '../errors.ts';
import { poseidon } from '../poseidon.ts';
import {
  checkShape,
  DEFAULT_SHAPE,
  dataError,
  depthOf,
  expectArray,
  expectDecimal,
  expectInteger,
  expectLeaves,
  expectObject,
  locateSerial,
  type RevocationWitness,
  shr,
  type TreeShape,
  zeroHashesOf,
} from './common.ts';

export const BUCKET_FORMAT = 'zkid/revocation-bucket/v1';

/** Default bucket size: 2^10 leaves (258,048 serials). */
export const DEFAULT_BUCKET_BITS = 10;

/** A bucket as served by the registry. JSON-serialisable: big numbers are decimal strings. */
export interface Bucket {
  format: typeof BUCKET_FORMAT;
  shape: TreeShape;
  bucketBits: number;
  bucketIndex: number;
  /** the tree root the bucket was cut from */
  root: string;
  /** the tree revision the bucket was cut from */
  revision: number;
  /** non-empty leaves in the bucket's range: [leafIndex, bitmap], by increasing index */
  leaves: [number, string][];
  /** [level, index, hash] of every boundary node (level 0 = leaves), by level then index */
  nodes: [number, number, string][];
}

/**
 * Check bucket parameters against a shape (for library callers).
 * @throws ZkidError INVALID_ARGUMENT naming 'bucketBits' or 'bucketIndex'
 */
export function checkBucketArgs(shape: TreeShape, bucketIndex: unknown, bucketBits: unknown): void {
  const depth = depthOf(shape);
  if (typeof bucketBits !== 'number' || !Number.isInteger(bucketBits) || bucketBits < 0 || bucketBits > depth) {
    throw new ZkidError('INVALID_ARGUMENT', `bucketBits must be an integer from 0 to ${depth}`, 'bucketBits');
  }
  const count = 2 ** (depth - bucketBits);
  if (typeof bucketIndex !== 'number' || !Number.isInteger(bucketIndex) || bucketIndex < 0 || bucketIndex >= count) {
    throw new ZkidError('INVALID_ARGUMENT', `bucketIndex must be an integer from 0 to ${count - 1}`, 'bucketIndex');
  }
}

/**
 * The boundary nodes of a bucket: [level, index] of every node whose leaf range is disjoint from
 * [k * 2^B, (k+1) * 2^B) and whose parent's range intersects it, by level then index.
 * Arguments must already be valid (see checkBucketArgs).
 */
export function bucketNodePositions(shape: TreeShape, bucketBits: number, bucketIndex: number): [number, number][] {
  const { arityBits, levels } = shape;
  const arity = 1 << arityBits;
  const start = bucketIndex * 2 ** bucketBits;
  const end = start + 2 ** bucketBits;
  const out: [number, number][] = [];
  for (let h = 0; h < levels; h++) {
    // A parent no larger than the bucket intersecting it lies inside it, and so do its children.
    if ((h + 1) * arityBits <= bucketBits) continue;
    // Otherwise the one intersecting parent contains the bucket; its children outside are boundary nodes.
    const parent = shr(start, (h + 1) * arityBits);
    const size = 2 ** (h * arityBits);
    for (let k = 0; k < arity; k++) {
      const index = parent * arity + k;
      const lo = index * size;
      if (lo + size <= start || lo >= end) out.push([h, index]);
    }
  }
  return out;
}

/**
 * The bucket that holds a serial.
 * @param bucketBits log2 of the leaves per bucket (default 10)
 * @param shape the tree shape (default DEFAULT_SHAPE)
 * @returns floor(leafIndex / 2^bucketBits)
 * @throws ZkidError INVALID_ARGUMENT ('serial', 'bucketBits', 'shape') or SERIAL_OUT_OF_RANGE ('serial')
 * @example bucketIndexOf(252n * 1024n) // 1
 */
export function bucketIndexOf(serial: bigint | number, bucketBits: number = DEFAULT_BUCKET_BITS, shape: TreeShape = DEFAULT_SHAPE): number {
  const s = checkShape(shape);
  checkBucketArgs(s, 0, bucketBits);
  return shr(locateSerial(serial, s).leafIndex, bucketBits);
}

/** A bucket after validation. */
interface ParsedBucket {
  shape: TreeShape;
  bucketBits: number;
  bucketIndex: number;
  root: bigint;
  leaves: Map<number, bigint>;
  /** nodes[level]: index -> hash of the provided boundary nodes */
  nodes: Map<number, bigint>[];
}

/** Validate a bucket's structure and every number in it; INVALID_REVOCATION_DATA naming the part. */
function parseBucket(value: unknown): ParsedBucket {
  const o = expectObject(value, 'bucket');
  if (o.format !== BUCKET_FORMAT) throw dataError('bucket.format', `bucket.format must be '${BUCKET_FORMAT}'`);
  const shape = checkShape(o.shape, 'INVALID_REVOCATION_DATA', 'bucket.shape');
  const depth = depthOf(shape);
  const bucketBits = expectInteger(o.bucketBits, 'bucket.bucketBits', 0, depth);
  const bucketIndex = expectInteger(o.bucketIndex, 'bucket.bucketIndex', 0, 2 ** (depth - bucketBits) - 1);
  const root = expectDecimal(o.root, 'bucket.root');
  expectInteger(o.revision, 'bucket.revision', 0, Number.MAX_SAFE_INTEGER);
  const start = bucketIndex * 2 ** bucketBits;
  const leaves = expectLeaves(o.leaves, 'bucket.leaves', start, start + 2 ** bucketBits - 1, "the bucket's range");

  const positions = bucketNodePositions(shape, bucketBits, bucketIndex);
  const wanted = Array.from({ length: shape.levels }, () => new Set<number>());
  for (const [h, i] of positions) wanted[h]?.add(i);
  const nodes = Array.from({ length: shape.levels }, () => new Map<number, bigint>());
  expectArray(o.nodes, 'bucket.nodes', positions.length).forEach((entry, n) => {
    const f = `bucket.nodes[${n}]`;
    if (!Array.isArray(entry) || entry.length !== 3) throw dataError(f, `${f} must be a triple [level, index, hash]`);
    const h = expectInteger(entry[0], `${f}[0]`, 0, shape.levels - 1);
    const i = expectInteger(entry[1], `${f}[1]`, 0, Number.MAX_SAFE_INTEGER);
    const level = nodes[h] as Map<number, bigint>;
    if (!wanted[h]?.has(i)) {
      throw dataError(
        f,
        `${f}: node (level ${h}, index ${i}) is not a boundary node of bucket ${bucketIndex} (disjoint from it, parent intersecting it)`,
      );
    }
    if (level.has(i)) throw dataError(f, `${f}: node (level ${h}, index ${i}) appears twice`);
    level.set(i, expectDecimal(entry[2], `${f}[2]`));
  });
  return { shape, bucketBits, bucketIndex, root, leaves, nodes };
}

/**
 * Holder side: validate a bucket, rebuild the tree root from it, check that root against the
 * bucket's own `root`, and build the witness of `serial` without revealing the serial to anyone.
 * Check `witness.root` against the roots the verifier accepts; this function only proves that the
 * bucket is consistent with the root it claims.
 *
 * @param bucket untrusted JSON (as produced by RevocationTree.exportBucket)
 * @param serial a serial inside the bucket's range
 * @returns the same witness RevocationTree.witness would give (also for a revoked serial)
 * @throws ZkidError INVALID_REVOCATION_DATA naming the bad part ('bucket.leaves[3][0]', 'bucket.nodes',
 *   'bucket.root', 'serial' when the serial lies outside the bucket, ...); INVALID_ARGUMENT or
 *   SERIAL_OUT_OF_RANGE ('serial') for a serial that is not one of the tree
 * @example const w = witnessFromBucket(await (await fetch(url)).json(), mySerial)
 */
export function witnessFromBucket(bucket: unknown, serial: bigint | number): RevocationWitness {
  const { shape, bucketBits, bucketIndex, root, leaves, nodes } = parseBucket(bucket);
  const pos = locateSerial(serial, shape);
  const { arityBits, levels } = shape;
  const arity = 1 << arityBits;
  const start = bucketIndex * 2 ** bucketBits;
  const end = start + 2 ** bucketBits;
  if (pos.leafIndex < start || pos.leafIndex >= end) {
    throw dataError(
      'serial',
      `serial ${pos.serial} is in leaf ${pos.leafIndex}, outside bucket ${bucketIndex} (leaves ${start} to ${end - 1})`,
    );
  }
  const zero = zeroHashesOf(shape);

  // Levels 0..top hold nodes no larger than the bucket: each lies inside it or is disjoint from it.
  const top = Math.min(levels, Math.floor(bucketBits / arityBits));
  // inner[h]: the non-empty nodes inside the bucket at level h, computed bottom-up from the leaves.
  const inner: Map<number, bigint>[] = [leaves];
  for (let h = 0; h < top; h++) {
    const below = inner[h] as Map<number, bigint>;
    const up = new Map<number, bigint>();
    const parents = new Set<number>();
    for (const i of below.keys()) parents.add(shr(i, arityBits));
    for (const p of parents) {
      const children = new Array<bigint>(arity);
      for (let k = 0; k < arity; k++) children[k] = below.get(p * arity + k) ?? (zero[h] as bigint);
      up.set(p, poseidon(children));
    }
    inner.push(up);
  }
  // ancestors[h] for h > top: the node at level h that contains the bucket.
  const ancestors: bigint[] = [];
  const node = (h: number, i: number): bigint => {
    if (h <= top) {
      const lo = i * 2 ** (h * arityBits);
      if (lo >= start && lo < end) return (inner[h] as Map<number, bigint>).get(i) ?? (zero[h] as bigint);
    } else if (i === shr(start, h * arityBits)) {
      return ancestors[h] as bigint;
    }
    // Disjoint from the bucket: only the registry knows it.
    const v = nodes[h]?.get(i);
    if (v === undefined) {
      throw dataError('bucket.nodes', `bucket is missing node (level ${h}, index ${i}): it lies outside the bucket and cannot be derived`);
    }
    return v;
  };
  for (let h = top + 1; h <= levels; h++) {
    const a = shr(start, h * arityBits);
    const children = new Array<bigint>(arity);
    for (let k = 0; k < arity; k++) children[k] = node(h - 1, a * arity + k);
    ancestors[h] = poseidon(children);
  }
  const computed = node(levels, 0);
  if (computed !== root) {
    throw dataError(
      'bucket.root',
      'bucket root does not match the root recomputed from its leaves and nodes (tampered or inconsistent bucket)',
    );
  }

  const siblings: bigint[][] = [];
  for (let l = 0; l < levels; l++) {
    const idx = shr(pos.leafIndex, l * arityBits);
    const p = idx % arity;
    const level: bigint[] = [];
    for (let k = 0; k < arity; k++) if (k !== p) level.push(node(l, idx - p + k));
    siblings.push(level);
  }
  return { serial: pos.serial, leafIndex: pos.leafIndex, bit: pos.bit, leaf: leaves.get(pos.leafIndex) ?? 0n, siblings, root };
}
