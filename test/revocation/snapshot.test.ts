import { describe, expect, it } from 'vitest';
import { RevocationTree, type Snapshot } from '../../src/revocation/tree.ts';
import { expectZkidError, foldWitness, prng, randomSerial } from './helpers.ts';

function build(): RevocationTree {
  const tree = new RevocationTree();
  const rand = prng(7);
  tree.revokeMany(Array.from({ length: 10 }, () => randomSerial(rand, tree.capacity)));
  tree.revoke(5n);
  tree.revoke(6n);
  tree.unrevoke(6n);
  return tree;
}

describe('snapshots', () => {
  const tree = build();
  const json = JSON.stringify(tree.exportSnapshot());

  it('round-trips through JSON to the same root, revision, leaves and witnesses', () => {
    const copy = RevocationTree.fromSnapshot(JSON.parse(json));
    expect(copy.root).toBe(tree.root);
    expect(copy.revision).toBe(tree.revision);
    expect(copy.revision).toBe(4);
    expect(copy.size).toBe(tree.size);
    expect(JSON.stringify(copy.exportSnapshot())).toBe(json);
    for (const s of [5n, 6n, 0n, tree.capacity - 1n]) {
      expect(copy.witness(s)).toEqual(tree.witness(s));
      expect(foldWitness(copy.witness(s), 3)).toBe(tree.root);
    }
    // The copy is a live tree.
    copy.revoke(6n);
    expect(copy.root).not.toBe(tree.root);
    expect(copy.revision).toBe(5);
  });

  it('round-trips an empty tree and other shapes', () => {
    const empty = RevocationTree.fromSnapshot(JSON.parse(JSON.stringify(new RevocationTree().exportSnapshot())));
    expect(empty.root).toBe(RevocationTree.zeroHashes()[8]);
    const small = new RevocationTree({ arityBits: 2, levels: 3 });
    small.revokeMany([0n, 300n, 16127n]);
    const copy = RevocationTree.fromSnapshot(JSON.parse(JSON.stringify(small.exportSnapshot())));
    expect(copy.shape).toEqual({ arityBits: 2, levels: 3 });
    expect(copy.root).toBe(small.root);
  });

  it('lists leaves sorted by index, as decimal strings', () => {
    const t = new RevocationTree();
    t.revokeMany([252n * 9n + 1n, 0n, 252n * 3n]);
    expect(t.exportSnapshot().leaves).toEqual([
      [0, '1'],
      [3, '1'],
      [9, '2'],
    ]);
  });

  const tampered = (edit: (s: Snapshot & Record<string, unknown>) => void): unknown => {
    const s = JSON.parse(json) as Snapshot & Record<string, unknown>;
    edit(s);
    return s;
  };
  const ROOT = 'snapshot root does not match the root recomputed from its leaves';

  it.each<[string, (s: Snapshot & Record<string, unknown>) => void, string, string]>([
    [
      'a changed leaf',
      (s) => {
        const e = s.leaves[2] as [number, string];
        e[1] = (BigInt(e[1]) | 1n).toString();
      },
      'snapshot.root',
      ROOT,
    ],
    [
      'a moved leaf',
      (s) => {
        (s.leaves[2] as [number, string])[0] += 1;
      },
      'snapshot.root',
      ROOT,
    ],
    [
      'a removed leaf',
      (s) => {
        s.leaves.pop();
      },
      'snapshot.root',
      ROOT,
    ],
    [
      'a changed root',
      (s) => {
        s.root = (BigInt(s.root) - 1n).toString();
      },
      'snapshot.root',
      ROOT,
    ],
    [
      'a leaf outside the tree',
      (s) => {
        (s.leaves[0] as [number, string])[0] = 2 ** 24;
      },
      'snapshot.leaves[0][0]',
      'outside the tree',
    ],
    [
      'a duplicated leaf',
      (s) => {
        s.leaves[1] = [...(s.leaves[0] as [number, string])];
      },
      'snapshot.leaves[1]',
      'appears twice',
    ],
    [
      'a leaf of 253 bits',
      (s) => {
        (s.leaves[0] as [number, string])[1] = (2n ** 252n + 1n).toString();
      },
      'snapshot.leaves[0][1]',
      'less than 2^252',
    ],
    [
      'a hex leaf',
      (s) => {
        (s.leaves[0] as [number, string])[1] = '0x1';
      },
      'snapshot.leaves[0][1]',
      'canonical decimal',
    ],
    [
      'another format',
      (s) => {
        s.format = 'zkid/revocation-bucket/v1' as never;
      },
      'snapshot.format',
      "must be 'zkid/revocation-snapshot/v1'",
    ],
    [
      'an invalid shape',
      (s) => {
        s.shape = { arityBits: 3, levels: 12 };
      },
      'snapshot.shape.levels',
      'at most 32',
    ],
    [
      'another shape',
      (s) => {
        s.shape = { arityBits: 3, levels: 9 };
      },
      'snapshot.root',
      ROOT,
    ],
    [
      'a fractional revision',
      (s) => {
        s.revision = 1.5;
      },
      'snapshot.revision',
      'integer',
    ],
    [
      'no leaves',
      (s) => {
        delete (s as Record<string, unknown>).leaves;
      },
      'snapshot.leaves',
      'must be an array',
    ],
  ])('rejects %s', (_label, edit, field, reason) => {
    expectZkidError(() => RevocationTree.fromSnapshot(tampered(edit)), 'INVALID_REVOCATION_DATA', field, reason);
  });

  it('rejects what is not a snapshot', () => {
    for (const v of [undefined, null, '{}', [json]])
      expectZkidError(() => RevocationTree.fromSnapshot(v), 'INVALID_REVOCATION_DATA', 'snapshot', 'must be an object');
  });
});
