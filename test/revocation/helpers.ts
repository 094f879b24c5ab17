/**
 * Test helpers for the revocation tree, written independently of src/revocation: a seeded PRNG,
 * a witness folder (the circuit's path computation in TypeScript) and a naive dense tree.
 */
import { expect } from 'vitest';
import { poseidon } from '../../src/poseidon.ts';

export interface WitnessLike {
  serial: bigint;
  leafIndex: number;
  bit: number;
  leaf: bigint;
  siblings: bigint[][];
  root: bigint;
}

export { prng } from '../../scripts/lib/prng.ts';

/** A random serial below `capacity` (up to 2^53). */
export function randomSerial(rand: () => number, capacity: bigint): bigint {
  return BigInt(Math.floor(rand() * Number(capacity)));
}

/**
 * What the circuit does: split the serial, then fold the leaf up with the siblings, inserting the
 * current hash at digit l of the leaf index (base A, least significant first).
 */
export function foldWitness(w: WitnessLike, arityBits: number): bigint {
  const arity = 2 ** arityBits;
  expect(w.leafIndex).toBe(Number(w.serial / 252n));
  expect(w.bit).toBe(Number(w.serial % 252n));
  let cur = w.leaf;
  let j = w.leafIndex;
  for (const level of w.siblings) {
    expect(level).toHaveLength(arity - 1);
    const pos = j % arity;
    j = Math.floor(j / arity);
    const children = [...level];
    children.splice(pos, 0, cur);
    cur = poseidon(children);
  }
  expect(j).toBe(0);
  return cur;
}

/** A naive dense tree: every node of every level in an array, recomputed from scratch. */
export class DenseTree {
  readonly arity: number;
  readonly leaves: bigint[];
  constructor(
    readonly arityBits: number,
    readonly levels: number,
  ) {
    this.arity = 2 ** arityBits;
    this.leaves = new Array<bigint>(this.arity ** levels).fill(0n);
  }
  setBit(serial: bigint, value: boolean): void {
    const j = Number(serial / 252n);
    const mask = 1n << (serial % 252n);
    const leaf = this.leaves[j] as bigint;
    this.leaves[j] = value ? leaf | mask : leaf & ~mask;
  }
  /** all levels: [leaves, level 1, ..., [root]] */
  layers(): bigint[][] {
    const out = [this.leaves];
    let cur = this.leaves;
    while (cur.length > 1) {
      const next: bigint[] = [];
      for (let i = 0; i < cur.length; i += this.arity) next.push(poseidon(cur.slice(i, i + this.arity)));
      out.push(next);
      cur = next;
    }
    return out;
  }
  root(): bigint {
    return this.layers().at(-1)?.[0] as bigint;
  }
  witness(serial: bigint): WitnessLike {
    const layers = this.layers();
    const leafIndex = Number(serial / 252n);
    const siblings: bigint[][] = [];
    let j = leafIndex;
    for (let l = 0; l < this.levels; l++) {
      const base = j - (j % this.arity);
      const group = (layers[l] as bigint[]).slice(base, base + this.arity);
      group.splice(j % this.arity, 1);
      siblings.push(group);
      j = Math.floor(j / this.arity);
    }
    return {
      serial,
      leafIndex,
      bit: Number(serial % 252n),
      leaf: this.leaves[leafIndex] as bigint,
      siblings,
      root: layers.at(-1)?.[0] as bigint,
    };
  }
}

/** expect(fn).toThrow a ZkidError with this code and field, whose message contains `reason`. */
export function expectZkidError(fn: () => unknown, code: string, field: string, reason: string): void {
  expect(fn).toThrowError(expect.objectContaining({ name: 'ZkidError', code, field, message: expect.stringContaining(reason) }));
}
