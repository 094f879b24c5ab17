/**
 * Shared pieces of the revocation tree, its buckets and snapshots: the tree shape, serial
 * arithmetic (serial = 252 * leafIndex + bit), the empty-subtree ("zero") hashes, and the
 * validators for revocation data that arrives as JSON.
 *
 * Everything here mirrors `BitmapNonRevocation(ARITY_BITS, LEVELS)` in
 * circuits/lib/revocation.circom.
 */
import { type ErrorCode, ZkidError } from '../errors.ts';
import { parseFieldElement } from '../field.ts';
import { poseidon } from '../poseidon.ts';

/** Serials per leaf: a leaf is a 252-bit bitmap (2^252 < r, so it is one field element). */
export const SERIALS_PER_LEAF = 252;

/** Node arity A = 2^arityBits; the leaf index has arityBits * levels bits. */
export interface TreeShape {
  arityBits: number;
  levels: number;
}

/** The shape the circuit is compiled for: 8-ary nodes (Poseidon(8)), 8 levels, 2^24 leaves. */
export const DEFAULT_SHAPE: TreeShape = Object.freeze({ arityBits: 3, levels: 8 });

/**
 * Everything the circuit needs to prove that `serial` is not revoked under `root`
 * (inputs `serial`, `leaf`, `siblings`, `root` of BitmapNonRevocation).
 */
export interface RevocationWitness {
  serial: bigint;
  /** floor(serial / 252) */
  leafIndex: number;
  /** serial mod 252: the bit of `leaf` that stands for the serial */
  bit: number;
  /** the 252-bit bitmap leaf holding the serial */
  leaf: bigint;
  /** siblings[l]: the A-1 other children of the level-l node on the path, in order (l = 0: the leaf's siblings) */
  siblings: bigint[][];
  root: bigint;
}

/** Largest leaf bitmap + 1. */
export const LEAF_LIMIT = 1n << BigInt(SERIALS_PER_LEAF);

/** Floor of x / 2^bits for 0 <= x < 2^53 (JavaScript's >>> is limited to 32-bit values and shifts < 32). */
export function shr(x: number, bits: number): number {
  return Math.floor(x / 2 ** bits);
}

/**
 * Validate a tree shape: integers, 1 <= arityBits <= 4 (Poseidon takes at most 16 inputs),
 * levels >= 1, arityBits * levels <= 32 (leaf indices are JavaScript numbers < 2^32).
 * @returns a fresh, plain copy of the shape
 * @throws ZkidError `code` (INVALID_ARGUMENT for callers, INVALID_REVOCATION_DATA for JSON) naming `field`
 */
export function checkShape(value: unknown, code: ErrorCode = 'INVALID_ARGUMENT', field = 'shape'): TreeShape {
  if (typeof value !== 'object' || value === null) throw new ZkidError(code, `${field} must be an object { arityBits, levels }`, field);
  const { arityBits, levels } = value as Record<string, unknown>;
  if (typeof arityBits !== 'number' || !Number.isInteger(arityBits) || arityBits < 1 || arityBits > 4) {
    throw new ZkidError(code, `${field}.arityBits must be an integer from 1 to 4`, `${field}.arityBits`);
  }
  if (typeof levels !== 'number' || !Number.isInteger(levels) || levels < 1) {
    throw new ZkidError(code, `${field}.levels must be a positive integer`, `${field}.levels`);
  }
  if (arityBits * levels > 32) throw new ZkidError(code, `${field}: arityBits * levels must be at most 32`, `${field}.levels`);
  return { arityBits, levels };
}

/** Zero hashes per arityBits, grown on demand: ZERO_CACHE.get(a)[l] = root of an empty subtree of height l. */
const ZERO_CACHE = new Map<number, bigint[]>();

/**
 * zero[0] = 0 (an empty leaf), zero[l+1] = Poseidon(A x zero[l]). Cached; callers must not mutate.
 * @returns an array of at least levels + 1 entries
 */
export function zeroHashesOf(shape: TreeShape): readonly bigint[] {
  let zero = ZERO_CACHE.get(shape.arityBits);
  if (!zero) {
    zero = [0n];
    ZERO_CACHE.set(shape.arityBits, zero);
  }
  const arity = 1 << shape.arityBits;
  while (zero.length <= shape.levels) zero.push(poseidon(new Array<bigint>(arity).fill(zero[zero.length - 1] as bigint)));
  return zero;
}

/** Number of leaf-index bits of a shape. */
export function depthOf(shape: TreeShape): number {
  return shape.arityBits * shape.levels;
}

/** Number of serials a tree of this shape holds: 252 * 2^depth. */
export function capacityOf(shape: TreeShape): bigint {
  return BigInt(SERIALS_PER_LEAF) << BigInt(depthOf(shape));
}

/** Serials are < MAX_SERIAL (exclusive): the capacity of the tree the circuit is compiled for, 252 * 2^24. */
export const MAX_SERIAL = capacityOf(DEFAULT_SHAPE);

/** A serial with its position in the tree. */
export interface SerialPosition {
  serial: bigint;
  leafIndex: number;
  bit: number;
}

/**
 * The one range rule for serials: check a serial (a bigint or a safe integer) against a tree's
 * capacity and locate it. Library callers pass numbers; text from outside goes through parseSerial.
 * @throws ZkidError INVALID_ARGUMENT (not an integer) or SERIAL_OUT_OF_RANGE (negative or >= capacity), field `field`
 */
export function locateSerial(value: unknown, shape: TreeShape, field = 'serial'): SerialPosition {
  let serial: bigint;
  if (typeof value === 'bigint') serial = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) serial = BigInt(value);
  else throw new ZkidError('INVALID_ARGUMENT', `${field} must be an integer (bigint or safe integer number)`, field);
  if (serial < 0n) throw new ZkidError('SERIAL_OUT_OF_RANGE', `${field} must not be negative`, field);
  const capacity = capacityOf(shape);
  if (serial >= capacity) {
    throw new ZkidError('SERIAL_OUT_OF_RANGE', `${field} must be less than ${capacity} (252 * 2^${depthOf(shape)})`, field);
  }
  const perLeaf = BigInt(SERIALS_PER_LEAF);
  return { serial, leafIndex: Number(serial / perLeaf), bit: Number(serial % perLeaf) };
}

/**
 * Parse a serial of the default tree given as a canonical decimal string, a bigint or a safe
 * integer (credentials, HTTP bodies and paths): a field element first, then locateSerial's range rule.
 * @param field name of the parameter, used in errors
 * @throws ZkidError INVALID_FIELD_ELEMENT for a non-canonical value; SERIAL_OUT_OF_RANGE when >= MAX_SERIAL
 * @example parseSerial('serial', '253') // 253n
 */
export function parseSerial(field: string, value: unknown): bigint {
  return locateSerial(parseFieldElement(field, value), DEFAULT_SHAPE, field).serial;
}

/**
 * Position of a serial: leaf floor(serial / 252), bit serial mod 252.
 * @param shape the tree shape whose capacity bounds the serial (default DEFAULT_SHAPE)
 * @throws ZkidError INVALID_ARGUMENT or SERIAL_OUT_OF_RANGE, field 'serial'
 * @example serialPosition(253n) // { leafIndex: 1, bit: 1 }
 */
export function serialPosition(serial: bigint | number, shape: TreeShape = DEFAULT_SHAPE): { leafIndex: number; bit: number } {
  const { leafIndex, bit } = locateSerial(serial, checkShape(shape));
  return { leafIndex, bit };
}

// ---- validators for JSON revocation data (buckets, snapshots); all throw INVALID_REVOCATION_DATA ----

/** An INVALID_REVOCATION_DATA error naming the offending part. */
export function dataError(field: string, message: string, cause?: unknown): ZkidError {
  return new ZkidError('INVALID_REVOCATION_DATA', message, field, cause === undefined ? undefined : { cause });
}

/** A non-null, non-array object. */
export function expectObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw dataError(field, `${field} must be an object`);
  return value as Record<string, unknown>;
}

/** An array of at most `maxLength` entries. */
export function expectArray(value: unknown, field: string, maxLength: number): unknown[] {
  if (!Array.isArray(value)) throw dataError(field, `${field} must be an array`);
  if (value.length > maxLength) throw dataError(field, `${field} has ${value.length} entries, at most ${maxLength} allowed`);
  return value;
}

/** An integer number in [min, max]. */
export function expectInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw dataError(field, `${field} must be an integer`);
  if (value < min || value > max) throw dataError(field, `${field} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** A canonical decimal string of a field element (< r), and < 2^bits when `bits` is given. */
export function expectDecimal(value: unknown, field: string, bits?: number): bigint {
  if (typeof value !== 'string') throw dataError(field, `${field} must be a decimal string`);
  let v: bigint;
  try {
    v = parseFieldElement(field, value);
  } catch (e) {
    throw dataError(field, e instanceof Error ? e.message : `${field} is not a field element`, e);
  }
  if (bits !== undefined && v >= 1n << BigInt(bits)) throw dataError(field, `${field} must be less than 2^${bits}`);
  return v;
}

/**
 * A list of [leafIndex, bitmap] pairs: unique indices in [min, max] (any order), values canonical
 * decimals < 2^252. Zero bitmaps are allowed and mean "empty".
 * @param range what [min, max] is, for the error message (e.g. "the bucket's range")
 * @returns a map of the non-empty leaves
 */
export function expectLeaves(value: unknown, field: string, min: number, max: number, range: string): Map<number, bigint> {
  const list = expectArray(value, field, max - min + 1);
  const leaves = new Map<number, bigint>();
  const seen = new Set<number>();
  list.forEach((entry, n) => {
    const f = `${field}[${n}]`;
    if (!Array.isArray(entry) || entry.length !== 2) throw dataError(f, `${f} must be a pair [leafIndex, value]`);
    const index = expectInteger(entry[0], `${f}[0]`, 0, Number.MAX_SAFE_INTEGER);
    if (index < min || index > max) throw dataError(`${f}[0]`, `${f}: leaf index ${index} is outside ${range} [${min}, ${max + 1})`);
    if (seen.has(index)) throw dataError(f, `${f}: leaf ${index} appears twice`);
    seen.add(index);
    const leaf = expectDecimal(entry[1], `${f}[1]`, SERIALS_PER_LEAF);
    if (leaf !== 0n) leaves.set(index, leaf);
  });
  return leaves;
}
