import { describe, expect, it } from 'vitest';
import { type Bucket, bucketIndexOf, RevocationTree, type TreeShape, witnessFromBucket } from '../../src/revocation/tree.ts';
import { expectZkidError, foldWitness, prng, randomSerial } from './helpers.ts';

/** A bucket as a holder receives it: through JSON. */
function viaJson(bucket: Bucket): Bucket {
  return JSON.parse(JSON.stringify(bucket)) as Bucket;
}

/** Serials of leaf `leaf`, bit `bit`. */
const S = (leaf: number, bit = 0): bigint => 252n * BigInt(leaf) + BigInt(bit);

/**
 * A tree with revocations inside bucket k, in its neighbours (sharing ancestors with it) and far
 * away, so that every kind of boundary node is non-empty somewhere.
 */
function populated(shape: TreeShape, bucketBits: number, k: number, seed: number): RevocationTree {
  const tree = new RevocationTree(shape);
  const size = 2 ** bucketBits;
  const start = k * size;
  const rand = prng(seed);
  const serials = [S(start), S(start, 251), S(start + size - 1, 7), S(start + Math.floor(size / 2), 3)];
  if (start > 0) serials.push(S(start - 1, 5));
  if (start + size < 2 ** (shape.arityBits * shape.levels)) serials.push(S(start + size, 9));
  for (let i = 0; i < 6; i++) serials.push(randomSerial(rand, tree.capacity));
  for (let i = 0; i < 4; i++) serials.push(S(start) + randomSerial(rand, 252n * BigInt(size)));
  tree.revokeMany(serials);
  return tree;
}

/** The serials a holder in bucket k might have: revoked or not, at both ends of the range. */
function probes(tree: RevocationTree, bucketBits: number, k: number): bigint[] {
  const size = 2 ** bucketBits;
  const start = k * size;
  const out = [S(start), S(start, 1), S(start, 251), S(start + size - 1, 251), S(start + size - 1, 7), S(start + Math.floor(size / 2), 3)];
  for (let i = 0; i < tree.leaf(start).toString(2).length && out.length < 9; i++) out.push(S(start + Math.floor(size / 3)));
  return out;
}

describe('exportBucket + witnessFromBucket', () => {
  it.each([
    ['8-ary, B = 10 (not a multiple of 3)', { arityBits: 3, levels: 8 }, 10, 5],
    ['8-ary, B = 10, bucket 0', { arityBits: 3, levels: 8 }, 10, 0],
    ['8-ary, B = 10, last bucket', { arityBits: 3, levels: 8 }, 10, 2 ** 14 - 1],
    ['8-ary, B = 9', { arityBits: 3, levels: 8 }, 9, 1234],
    ['binary, B = 10', { arityBits: 1, levels: 16 }, 10, 37],
    ['binary, B = 5', { arityBits: 1, levels: 12 }, 5, 77],
    ['4-ary, B = 10', { arityBits: 2, levels: 8 }, 10, 9],
    ['4-ary, B = 5 (odd)', { arityBits: 2, levels: 8 }, 5, 1001],
    ['16-ary, 32 index bits, B = 10, last bucket', { arityBits: 4, levels: 8 }, 10, 2 ** 22 - 1],
    ['4-ary, B = 0 (a single leaf)', { arityBits: 2, levels: 4 }, 0, 100],
    ['4-ary, B = depth (the whole tree)', { arityBits: 2, levels: 4 }, 8, 0],
  ])('gives exactly tree.witness: %s', (_label, shape, bucketBits, k) => {
    const tree = populated(shape, bucketBits, k, k + bucketBits);
    const bucket = tree.exportBucket(k, bucketBits);
    expect(bucket).toMatchObject({
      format: 'zkid/revocation-bucket/v1',
      shape,
      bucketBits,
      bucketIndex: k,
      root: tree.root.toString(),
      revision: tree.revision,
    });
    for (const s of probes(tree, bucketBits, k)) {
      expect(bucketIndexOf(s, bucketBits, shape)).toBe(k);
      const w = witnessFromBucket(viaJson(bucket), s);
      expect(w).toEqual(tree.witness(s));
      expect(foldWitness(w, shape.arityBits)).toBe(tree.root);
    }
  });

  it('sends the boundary nodes: 6 + 4 * 7 = 34 for the default tree and B = 10', () => {
    const tree = new RevocationTree();
    const bucket = tree.exportBucket(3);
    expect(bucket.leaves).toEqual([]);
    expect(bucket.nodes).toHaveLength(34);
    expect(bucket.nodes.filter(([level]) => level === 3)).toHaveLength(6);
    expect(bucket.nodes.filter(([level]) => level < 3)).toHaveLength(0);
    // B a multiple of arityBits: (levels - B / arityBits) * (A - 1)
    expect(tree.exportBucket(3, 9).nodes).toHaveLength(5 * 7);
    expect(tree.exportBucket(0, 24).nodes).toHaveLength(0);
    expect(new RevocationTree({ arityBits: 1, levels: 16 }).exportBucket(1, 10).nodes).toHaveLength(6);
    // An empty tree's bucket still proves the empty root.
    expect(witnessFromBucket(viaJson(bucket), S(3 * 1024 + 5, 17))).toEqual(tree.witness(S(3 * 1024 + 5, 17)));
  });

  it('lists leaves by index and only those inside the range', () => {
    const tree = new RevocationTree();
    tree.revokeMany([S(2048 + 900), S(2048 + 3), S(2047), S(3072)]);
    expect(tree.exportBucket(2).leaves).toEqual([
      [2051, '1'],
      [2948, '1'],
    ]);
  });

  it('rejects bad arguments to exportBucket and bucketIndexOf', () => {
    const tree = new RevocationTree();
    expectZkidError(() => tree.exportBucket(2 ** 14), 'INVALID_ARGUMENT', 'bucketIndex', 'from 0 to 16383');
    expectZkidError(() => tree.exportBucket(-1), 'INVALID_ARGUMENT', 'bucketIndex', 'from 0 to 16383');
    expectZkidError(() => tree.exportBucket(0, 25), 'INVALID_ARGUMENT', 'bucketBits', 'from 0 to 24');
    expectZkidError(() => tree.exportBucket(0, 2.5), 'INVALID_ARGUMENT', 'bucketBits', 'from 0 to 24');
    expect(bucketIndexOf(0n)).toBe(0);
    expect(bucketIndexOf(252n * 1024n - 1n)).toBe(0);
    expect(bucketIndexOf(252n * 1024n)).toBe(1);
    expect(bucketIndexOf(252n * 2n ** 24n - 1n)).toBe(2 ** 14 - 1);
    expectZkidError(() => bucketIndexOf(252n * 2n ** 24n), 'SERIAL_OUT_OF_RANGE', 'serial', 'less than');
    expectZkidError(() => bucketIndexOf(1n, 30), 'INVALID_ARGUMENT', 'bucketBits', 'from 0 to 24');
  });
});

describe('witnessFromBucket rejects a bad bucket', () => {
  const K = 5;
  const tree = populated({ arityBits: 3, levels: 8 }, 10, K, 99);
  const good = tree.exportBucket(K);
  const serial = S(K * 1024 + 17, 4);
  const leafSerial = S(good.leaves[0]?.[0] as number, 0);
  /** A fresh copy of the good bucket, edited by `edit`. */
  const tampered = (edit: (b: Bucket & Record<string, unknown>) => void): unknown => {
    const b = viaJson(good) as Bucket & Record<string, unknown>;
    edit(b);
    return b;
  };
  const ROOT = 'does not match the root recomputed';

  it('accepts the untampered bucket', () => {
    expect(good.leaves.length).toBeGreaterThan(2);
    expect(good.nodes.some(([, , h]) => !RevocationTree.zeroHashes().includes(BigInt(h)))).toBe(true);
    expect(
      witnessFromBucket(
        tampered(() => {}),
        serial,
      ),
    ).toEqual(tree.witness(serial));
  });

  it.each<[string, (b: Bucket & Record<string, unknown>) => void, string, string]>([
    [
      'a changed leaf',
      (b) => {
        const e = b.leaves[0] as [number, string];
        e[1] = (BigInt(e[1]) ^ 2n).toString();
      },
      'bucket.root',
      ROOT,
    ],
    [
      'a removed leaf',
      (b) => {
        b.leaves.splice(1, 1);
      },
      'bucket.root',
      ROOT,
    ],
    [
      'an added leaf',
      (b) => {
        b.leaves.push([K * 1024 + 1000, '8']);
      },
      'bucket.root',
      ROOT,
    ],
    [
      'a changed node',
      (b) => {
        const e = b.nodes[20] as [number, number, string];
        e[2] = (BigInt(e[2]) + 1n).toString();
      },
      'bucket.root',
      ROOT,
    ],
    [
      'an empty node replaced by a non-empty one',
      (b) => {
        const e = b.nodes[0] as [number, number, string];
        e[2] = '1';
      },
      'bucket.root',
      ROOT,
    ],
    [
      'a wrong root',
      (b) => {
        b.root = (BigInt(b.root) + 1n).toString();
      },
      'bucket.root',
      ROOT,
    ],
    [
      'a removed node',
      (b) => {
        b.nodes.splice(7, 1);
      },
      'bucket.nodes',
      'missing node',
    ],
    [
      'all nodes removed',
      (b) => {
        b.nodes = [];
      },
      'bucket.nodes',
      'missing node',
    ],
    [
      'a node inside the bucket',
      (b) => {
        b.nodes[0] = [2, K * 16 + 1, '5'];
      },
      'bucket.nodes[0]',
      'not a boundary node',
    ],
    [
      'a duplicated node',
      (b) => {
        b.nodes[1] = [...(b.nodes[0] as [number, number, string])];
      },
      'bucket.nodes[1]',
      'appears twice',
    ],
    [
      'a node at a level above the root',
      (b) => {
        (b.nodes[0] as [number, number, string])[0] = 8;
      },
      'bucket.nodes[0][0]',
      'between 0 and 7',
    ],
    [
      'a non-canonical hash',
      (b) => {
        const e = b.nodes[3] as [number, number, string];
        e[2] = `0${e[2]}`;
      },
      'bucket.nodes[3][2]',
      'canonical decimal',
    ],
    [
      'a hash >= r',
      (b) => {
        (b.nodes[3] as [number, number, string])[2] = (2n ** 254n).toString();
      },
      'bucket.nodes[3][2]',
      'less than the field modulus',
    ],
    [
      'a malformed node entry',
      (b) => {
        (b.nodes as unknown[])[2] = [1, 2];
      },
      'bucket.nodes[2]',
      'triple',
    ],
    [
      'a leaf outside the range',
      (b) => {
        (b.leaves[0] as [number, string])[0] = K * 1024 - 1;
      },
      'bucket.leaves[0][0]',
      'outside',
    ],
    [
      'a duplicated leaf',
      (b) => {
        b.leaves[1] = [...(b.leaves[0] as [number, string])];
      },
      'bucket.leaves[1]',
      'appears twice',
    ],
    [
      'a leaf of 253 bits',
      (b) => {
        (b.leaves[0] as [number, string])[1] = (2n ** 252n).toString();
      },
      'bucket.leaves[0][1]',
      'less than 2^252',
    ],
    [
      'a leaf as a number',
      (b) => {
        (b.leaves as unknown[][])[0] = [K * 1024, 1];
      },
      'bucket.leaves[0][1]',
      'decimal string',
    ],
    [
      'a fractional leaf index',
      (b) => {
        (b.leaves[0] as [number, string])[0] = 5120.5;
      },
      'bucket.leaves[0][0]',
      'integer',
    ],
    [
      'too many leaves',
      (b) => {
        b.leaves = Array.from({ length: 1025 }, (_, i) => [K * 1024 + i, '1']);
      },
      'bucket.leaves',
      'at most 1024',
    ],
    [
      'another format',
      (b) => {
        b.format = 'zkid/revocation-bucket/v2' as never;
      },
      'bucket.format',
      "must be 'zkid/revocation-bucket/v1'",
    ],
    [
      'an invalid shape',
      (b) => {
        b.shape = { arityBits: 9, levels: 8 };
      },
      'bucket.shape.arityBits',
      'from 1 to 4',
    ],
    [
      'another shape',
      (b) => {
        b.shape = { arityBits: 2, levels: 8 };
      },
      'bucket.nodes',
      'has 34 entries, at most 9 allowed',
    ],
    [
      'a shape with more levels',
      (b) => {
        b.shape = { arityBits: 3, levels: 9 };
      },
      'bucket.nodes',
      'missing node',
    ],
    [
      'a bucket index out of range',
      (b) => {
        b.bucketIndex = 2 ** 14;
      },
      'bucket.bucketIndex',
      'between 0 and 16383',
    ],
    [
      'bucketBits above the depth',
      (b) => {
        b.bucketBits = 25;
      },
      'bucket.bucketBits',
      'between 0 and 24',
    ],
    [
      'a negative revision',
      (b) => {
        b.revision = -1;
      },
      'bucket.revision',
      'between 0',
    ],
    [
      'a root as a number',
      (b) => {
        (b as Record<string, unknown>).root = 5;
      },
      'bucket.root',
      'decimal string',
    ],
    [
      'leaves not an array',
      (b) => {
        (b as Record<string, unknown>).leaves = {};
      },
      'bucket.leaves',
      'must be an array',
    ],
  ])('rejects %s', (_label, edit, field, reason) => {
    expectZkidError(() => witnessFromBucket(tampered(edit), serial), 'INVALID_REVOCATION_DATA', field, reason);
    expectZkidError(() => witnessFromBucket(tampered(edit), leafSerial), 'INVALID_REVOCATION_DATA', field, reason);
  });

  it('rejects a serial outside the bucket, naming the serial', () => {
    for (const s of [S(K * 1024 - 1, 251), S(K * 1024 + 1024), 0n]) {
      expectZkidError(
        () => witnessFromBucket(viaJson(good), s),
        'INVALID_REVOCATION_DATA',
        'serial',
        'outside bucket 5 (leaves 5120 to 6143)',
      );
    }
    expectZkidError(() => witnessFromBucket(viaJson(good), -1n), 'SERIAL_OUT_OF_RANGE', 'serial', 'negative');
    expectZkidError(() => witnessFromBucket(viaJson(good), 1.5), 'INVALID_ARGUMENT', 'serial', 'integer');
  });

  it('rejects what is not a bucket', () => {
    for (const v of [null, 'bucket', [], 7])
      expectZkidError(() => witnessFromBucket(v, serial), 'INVALID_REVOCATION_DATA', 'bucket', 'must be an object');
  });
});
