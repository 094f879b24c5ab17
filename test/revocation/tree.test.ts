import { describe, expect, it } from 'vitest';
import { poseidon } from '../../src/poseidon.ts';
import { DEFAULT_SHAPE, RevocationTree, SERIALS_PER_LEAF, serialPosition } from '../../src/revocation/tree.ts';
import { DenseTree, expectZkidError, foldWitness, prng, randomSerial } from './helpers.ts';

const LAST = 252n * 2n ** 24n - 1n;

describe('RevocationTree: shape and zero hashes', () => {
  it('has the default shape of the circuit (8-ary, 8 levels, 2^24 leaves of 252 serials)', () => {
    const tree = new RevocationTree();
    expect(SERIALS_PER_LEAF).toBe(252);
    expect(tree.shape).toEqual({ arityBits: 3, levels: 8 });
    expect(tree.depth).toBe(24);
    expect(tree.capacity).toBe(252n * 2n ** 24n);
    expect(tree.size).toBe(0);
    expect(tree.revision).toBe(0);
  });

  it('computes zero hashes as zero[l+1] = Poseidon(A x zero[l]) and an empty root of zero[levels]', () => {
    const zero = RevocationTree.zeroHashes();
    expect(zero).toHaveLength(9);
    expect(zero[0]).toBe(0n);
    for (let l = 0; l < 8; l++) expect(zero[l + 1]).toBe(poseidon(new Array(8).fill(zero[l])));
    expect(new RevocationTree().root).toBe(zero[8]);
    const small = { arityBits: 2, levels: 3 };
    expect(new RevocationTree(small).root).toBe(new DenseTree(2, 3).root());
    expect(RevocationTree.zeroHashes(small)).toHaveLength(4);
    expect(new RevocationTree({ arityBits: 1, levels: 5 }).root).toBe(RevocationTree.zeroHashes({ arityBits: 1, levels: 5 })[5]);
  });

  it('does not let callers corrupt the cached zero hashes or the shape', () => {
    RevocationTree.zeroHashes()[1] = 5n;
    expect(RevocationTree.zeroHashes()[1]).toBe(poseidon(new Array(8).fill(0n)));
    const tree = new RevocationTree();
    tree.shape.levels = 2;
    expect(tree.depth).toBe(24);
    expect(Object.isFrozen(DEFAULT_SHAPE)).toBe(true);
  });

  it.each([
    ['arityBits 0', { arityBits: 0, levels: 8 }, 'shape.arityBits', 'from 1 to 4'],
    ['arityBits 5', { arityBits: 5, levels: 2 }, 'shape.arityBits', 'from 1 to 4'],
    ['fractional arityBits', { arityBits: 1.5, levels: 8 }, 'shape.arityBits', 'from 1 to 4'],
    ['levels 0', { arityBits: 3, levels: 0 }, 'shape.levels', 'positive integer'],
    ['more than 32 index bits', { arityBits: 3, levels: 11 }, 'shape.levels', 'at most 32'],
    ['not an object', null, 'shape', 'must be an object'],
  ])('rejects a shape with %s', (_label, shape, field, reason) => {
    expectZkidError(() => new RevocationTree(shape as never), 'INVALID_ARGUMENT', field, reason);
  });
});

describe('RevocationTree: revoke and unrevoke', () => {
  it('revoke changes the root and unrevoke restores it; revision counts root changes', () => {
    const tree = new RevocationTree();
    const empty = tree.root;
    expect(tree.revoke(1000n)).toBe(true);
    const one = tree.root;
    expect(one).not.toBe(empty);
    expect(tree.revision).toBe(1);
    expect(tree.isRevoked(1000n)).toBe(true);
    expect(tree.isRevoked(1001n)).toBe(false);
    expect(tree.revoke(1000)).toBe(false); // already revoked: no change
    expect(tree.revision).toBe(1);
    expect(tree.size).toBe(1);
    expect(tree.unrevoke(1000n)).toBe(true);
    expect(tree.root).toBe(empty);
    expect(tree.size).toBe(0);
    expect(tree.revision).toBe(2);
    expect(tree.unrevoke(1000n)).toBe(false);
    expect(tree.revision).toBe(2);
  });

  it('handles the leaf boundaries: serial 0, 251 (last of leaf 0), 252 (first of leaf 1) and the last serial', () => {
    const tree = new RevocationTree();
    expect(serialPosition(0n)).toEqual({ leafIndex: 0, bit: 0 });
    expect(serialPosition(251n)).toEqual({ leafIndex: 0, bit: 251 });
    expect(serialPosition(252n)).toEqual({ leafIndex: 1, bit: 0 });
    expect(serialPosition(LAST)).toEqual({ leafIndex: 2 ** 24 - 1, bit: 251 });
    tree.revoke(0n);
    expect(tree.leaf(0)).toBe(1n);
    tree.revoke(251n);
    expect(tree.leaf(0)).toBe(1n | (1n << 251n));
    tree.revoke(252);
    expect(tree.leaf(1)).toBe(1n);
    tree.revoke(LAST);
    expect(tree.leaf(2 ** 24 - 1)).toBe(1n << 251n);
    expect(tree.leaf(2 ** 24 - 1)).toBeLessThan(1n << 252n);
    expect(tree.size).toBe(3);
    for (const s of [0n, 251n, 252n, LAST]) {
      expect(tree.isRevoked(s)).toBe(true);
      const w = tree.witness(s);
      expect(foldWitness(w, 3)).toBe(tree.root);
      expect(w.root).toBe(tree.root);
    }
    for (const s of [1n, 250n, 253n, LAST - 1n]) expect(tree.isRevoked(s)).toBe(false);
    for (const s of [251n, 0n, LAST, 252n]) tree.unrevoke(s);
    expect(tree.root).toBe(RevocationTree.zeroHashes()[8]);
  });

  it('gives witnesses that fold up to the root, for revoked and unrevoked serials', () => {
    const tree = new RevocationTree();
    const rand = prng(1);
    const revoked = Array.from({ length: 12 }, () => randomSerial(rand, tree.capacity));
    // neighbours share paths: same leaf, same parent, adjacent subtrees
    revoked.push(5000n, 5001n, 5000n + 252n, 5000n + 252n * 8n, 5000n + 252n * 64n);
    tree.revokeMany(revoked);
    const probe = [...revoked.slice(0, 6), 5002n, 5000n + 252n * 9n, 0n, LAST, randomSerial(rand, tree.capacity)];
    for (const s of probe) {
      const w = tree.witness(s);
      expect(w.serial).toBe(s);
      expect(w.siblings).toHaveLength(8);
      expect(foldWitness(w, 3)).toBe(tree.root);
      expect(((w.leaf >> BigInt(w.bit)) & 1n) === 1n).toBe(tree.isRevoked(s));
    }
  });

  it('revokeMany equals one revoke per serial, counts changes, and bumps the revision once', () => {
    const rand = prng(2);
    const a = new RevocationTree();
    const b = new RevocationTree();
    const serials = Array.from({ length: 20 }, () => randomSerial(rand, a.capacity));
    serials.push(serials[0] as bigint, 7n, 8n); // a duplicate and two serials of one leaf
    for (const s of serials) a.revoke(s);
    b.revoke(7n);
    expect(b.revokeMany(serials)).toBe(21); // 23 entries, one duplicate, 7 already revoked
    expect(b.root).toBe(a.root);
    expect(b.revision).toBe(2);
    expect(b.size).toBe(a.size);
    expect(b.revokeMany(serials)).toBe(0);
    expect(b.revision).toBe(2);
    expect(b.revokeMany([])).toBe(0);
  });

  it('revokeMany validates every serial before changing anything', () => {
    const tree = new RevocationTree();
    tree.revoke(3n);
    const root = tree.root;
    expectZkidError(() => tree.revokeMany([1n, 2n, -1n]), 'SERIAL_OUT_OF_RANGE', 'serials[2]', 'must not be negative');
    expectZkidError(() => tree.revokeMany([1n, 2.5]), 'INVALID_ARGUMENT', 'serials[1]', 'must be an integer');
    expect(tree.root).toBe(root);
    expect(tree.isRevoked(1n)).toBe(false);
    expect(tree.revision).toBe(1);
  });

  it.each([
    ['negative', -1n, 'SERIAL_OUT_OF_RANGE', 'must not be negative'],
    ['the capacity', 252n * 2n ** 24n, 'SERIAL_OUT_OF_RANGE', 'must be less than 4227858432'],
    ['far too large', 2n ** 200n, 'SERIAL_OUT_OF_RANGE', 'must be less than'],
    ['fractional', 1.5, 'INVALID_ARGUMENT', 'must be an integer'],
    ['unsafe number', 2 ** 53, 'INVALID_ARGUMENT', 'must be an integer'],
    ['NaN', Number.NaN, 'INVALID_ARGUMENT', 'must be an integer'],
    ['a string', '12', 'INVALID_ARGUMENT', 'must be an integer'],
  ])('rejects a serial that is %s', (_label, serial, code, reason) => {
    const tree = new RevocationTree();
    for (const call of [
      () => tree.revoke(serial as bigint),
      () => tree.unrevoke(serial as bigint),
      () => tree.isRevoked(serial as bigint),
      () => tree.witness(serial as bigint),
      () => serialPosition(serial as bigint),
    ]) {
      expectZkidError(call, code, 'serial', reason);
    }
    expect(tree.revision).toBe(0);
  });

  it('bounds serials by the tree shape', () => {
    const small = new RevocationTree({ arityBits: 2, levels: 3 });
    expect(small.capacity).toBe(252n * 64n);
    expect(small.revoke(252n * 64n - 1n)).toBe(true);
    expectZkidError(() => small.revoke(252n * 64n), 'SERIAL_OUT_OF_RANGE', 'serial', 'less than 16128 (252 * 2^6)');
  });

  it('rejects leaf indices outside the tree', () => {
    const tree = new RevocationTree();
    expect(tree.leaf(2 ** 24 - 1)).toBe(0n);
    for (const index of [-1, 2 ** 24, 0.5])
      expectZkidError(() => tree.leaf(index), 'INVALID_ARGUMENT', 'index', 'must be an integer from 0 to 2^24 - 1');
  });

  it('supports 32 index bits (binary and 16-ary) up to the last serial', () => {
    for (const shape of [
      { arityBits: 1, levels: 32 },
      { arityBits: 4, levels: 8 },
    ]) {
      const tree = new RevocationTree(shape);
      const last = 252n * 2n ** 32n - 1n;
      expect(tree.capacity).toBe(last + 1n);
      tree.revokeMany([last, 0n, 252n * 2n ** 31n]);
      expect(tree.leaf(2 ** 32 - 1)).toBe(1n << 251n);
      for (const s of [last, 0n, 252n * 2n ** 31n, 252n * 2n ** 31n - 1n])
        expect(foldWitness(tree.witness(s), shape.arityBits)).toBe(tree.root);
      expectZkidError(() => tree.revoke(last + 1n), 'SERIAL_OUT_OF_RANGE', 'serial', 'less than');
    }
  });
});

describe('RevocationTree against a naive dense tree', () => {
  it.each([
    [2, 3],
    [1, 5],
    [3, 2],
  ])('matches for arityBits %i, levels %i under random revoke/unrevoke', (arityBits, levels) => {
    const tree = new RevocationTree({ arityBits, levels });
    const dense = new DenseTree(arityBits, levels);
    const rand = prng(arityBits * 100 + levels);
    const touched: bigint[] = [];
    expect(tree.root).toBe(dense.root());
    for (let step = 0; step < 60; step++) {
      // mostly revocations, some lifted again; serials cluster so leaves collect several bits
      const undo = touched.length > 0 && rand() < 0.3;
      const s = undo
        ? (touched[Math.floor(rand() * touched.length)] as bigint)
        : randomSerial(rand, tree.capacity / (rand() < 0.5 ? 8n : 1n));
      const wasRevoked = tree.isRevoked(s);
      if (undo) expect(tree.unrevoke(s)).toBe(wasRevoked);
      else expect(tree.revoke(s)).toBe(!wasRevoked);
      dense.setBit(s, !undo);
      touched.push(s);
      expect(tree.root).toBe(dense.root());
    }
    expect(tree.size).toBe(dense.leaves.filter((v) => v !== 0n).length);
    for (let i = 0; i < dense.leaves.length; i++) expect(tree.leaf(i)).toBe(dense.leaves[i]);
    for (const s of [...touched.slice(0, 8), 0n, tree.capacity - 1n]) {
      expect(tree.witness(s)).toEqual(dense.witness(s));
    }
  });
});

describe('root history', () => {
  it('records each new root with its revision, newest first (as the registry and /v1/registry/roots), and nothing for a no-op', () => {
    const t = new RevocationTree();
    const empty = t.root.toString();
    t.revoke(5n);
    const r1 = t.root.toString();
    expect(t.revoke(5n)).toBe(false);
    t.unrevoke(5n);
    expect(t.rootHistory.map((h) => [h.revision, h.root])).toEqual([
      [2, empty],
      [1, r1],
      [0, empty],
    ]);
    // the one record type of the root history: decimal root, publication time
    expect(t.rootHistory[0]?.publishedAt).toBeInstanceOf(Date);
  });
  it('starts from the loaded root after fromSnapshot', () => {
    const t = new RevocationTree();
    t.revokeMany([1n, 2n, 3n]);
    const loaded = RevocationTree.fromSnapshot(JSON.parse(JSON.stringify(t.exportSnapshot())));
    expect(loaded.rootHistory.map((h) => [h.revision, h.root])).toEqual([[1, t.root.toString()]]);
  });
});
