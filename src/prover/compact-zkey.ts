/**
 * The holder's compact proving key (`circuit.zkc`): the parts of a Groth16 zkey the prover uses,
 * stored so that they download small, and decoded back into exactly the bytes the zkey holds.
 *
 * What a snarkjs zkey wastes, measured on the default circuit (zkey 10,301,596 bytes; brotli q5
 * 4.52 MB, gzip 6.20 MB; scripts/bench/artifacts.ts):
 *  - coefficients (section 4: 133,653 entries, 5.9 MB, 1.05 MB brotli): each entry repeats its
 *    matrix and constraint as u32s, and its value is 32 bytes in "double Montgomery" form
 *    (v * R^2 mod r), where even 1 and -1 look random. Most values are large (Poseidon constants
 *    folded into linear combinations by --O2) but repeat, and come in pairs v, -v. Here entries
 *    are grouped in runs of one (matrix, constraint) (the constraint as a delta), signals are
 *    deltas within a run, and values are 2 * index + sign into a table of distinct |v| sorted by
 *    use; a |v| below 2^128 is a varint in normal form, a larger one its 32 stored bytes. The
 *    stored form of -v is r minus that of v (byte subtraction, no field arithmetic to decode).
 *    0.89 MB raw, 0.50 MB brotli.
 *  - points at infinity in A, B1, B2 and C (wires a matrix never uses; a third of B's): dropped,
 *    with a bitmap of the points present.
 *  - the verification-only parts (IC, section 3; the contributions, section 10): left out.
 * The result: 4,530,314 bytes, 3.96 MB brotli, 4.07 MB gzip; decoded in about 90 ms in Node.
 * Points stay uncompressed (affine, Montgomery, little-endian as in the zkey): recovering y from x
 * costs a square root per point; on snarkjs's wasm (g1m_CtoLEM, g2m_CtoLEM, 2 threads) the
 * 43,412 G1 and 6,701 G2 points took 6.0 s + 2.7 s to save 1.8 MB, a loss at any usual bandwidth.
 *
 * Layout (little-endian): "zkc1", then blocks each prefixed by a u32 byte length:
 *   header (the zkey's section 2 as is) | coefficients: nCoefs u32, then blocks runs, signals,
 *   values, table | A | B1 | B2 | C (each: bitmap of non-infinity points, then those points) |
 *   H (all points). Numbers inside blocks are LEB128 varints (signed ones zig-zag encoded).
 *
 * The compact key is hash-pinned like the zkey (src/circuit/pinned-artifacts.ts); the decoder
 * still checks every length and index, and the key's shape check runs on what it produces.
 */

const MAGIC = 'zkc1';
/** Scalar field order r of BN254. */
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** R^2 mod r, R = 2^256: a coefficient v is stored in the zkey as v * R^2 mod r. */
const R2 = (1n << 512n) % R;
const SMALL = 1n << 128n;
const COEF_BYTES = 44;

/** The parts of a zkey the prover uses, as the zkey holds them. */
export interface ZkeyParts {
  /** section 2, the Groth16 header */
  header: Uint8Array;
  nCoefs: number;
  /** section 4 without its count: nCoefs entries of matrix u32, constraint u32, signal u32, value (32 bytes) */
  coefs: Uint8Array;
  pointsA: Uint8Array;
  pointsB1: Uint8Array;
  pointsB2: Uint8Array;
  pointsC: Uint8Array;
  pointsH: Uint8Array;
}

/** Header fields the point counts follow from. */
export function headerCounts(header: Uint8Array): { nVars: number; nPublic: number; domainSize: number } {
  const v = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const n8q = v.getUint32(0, true);
  const n8r = v.getUint32(4 + n8q, true);
  const at = 8 + n8q + n8r;
  return { nVars: v.getUint32(at, true), nPublic: v.getUint32(at + 4, true), domainSize: v.getUint32(at + 8, true) };
}

/** Whether the bytes are a compact key (by its magic). */
export function isCompactZkey(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && String.fromCharCode(...bytes.subarray(0, 4)) === MAGIC;
}

class Writer {
  #buf = new Uint8Array(1 << 16);
  length = 0;
  #room(n: number): void {
    if (this.length + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.length));
    this.#buf = next;
  }
  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.length);
    this.length += b.length;
  }
  u32(n: number): void {
    this.#room(4);
    new DataView(this.#buf.buffer).setUint32(this.length, n, true);
    this.length += 4;
  }
  varint(n: number | bigint): void {
    let v = BigInt(n);
    if (v < 0n) throw new RangeError('varint: negative');
    do {
      this.#room(1);
      const low = Number(v & 0x7fn);
      v >>= 7n;
      this.#buf[this.length++] = v > 0n ? low | 0x80 : low;
    } while (v > 0n);
  }
  signed(n: number | bigint): void {
    const v = BigInt(n);
    this.varint(v < 0n ? -2n * v - 1n : 2n * v);
  }
  block(inner: Writer): void {
    this.u32(inner.length);
    this.bytes(inner.result());
  }
  result(): Uint8Array {
    return this.#buf.slice(0, this.length);
  }
}

function malformed(what: string): never {
  throw new RangeError(`compact zkey: ${what}`);
}

class Reader {
  at = 0;
  readonly #v: DataView;
  constructor(readonly b: Uint8Array) {
    this.#v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  get done(): boolean {
    return this.at === this.b.length;
  }
  u32(): number {
    if (this.at + 4 > this.b.length) malformed('truncated');
    const n = this.#v.getUint32(this.at, true);
    this.at += 4;
    return n;
  }
  bytes(n: number): Uint8Array {
    if (n < 0 || this.at + n > this.b.length) malformed('truncated');
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  block(): Reader {
    return new Reader(this.bytes(this.u32()));
  }
  /** An unsigned varint below 2^32 (numbers in this format are u32s). */
  varint(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (this.at >= this.b.length) malformed('truncated varint');
      const byte = this.b[this.at++] as number;
      v += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) break;
      shift += 7;
      if (shift > 28) malformed('varint too long');
    }
    if (v > 0xffffffff) malformed('varint out of range');
    return v;
  }
  signed(): number {
    const z = this.varint();
    return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }
  /** An unsigned varint of up to 140 bits. */
  bigVarint(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (this.at >= this.b.length) malformed('truncated varint');
      const byte = this.b[this.at++] as number;
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
      shift += 7n;
      if (shift > 140n) malformed('varint too long');
    }
    return v;
  }
}

function leToBig(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
  return v;
}

function bigTo32Le(v: bigint): Uint8Array {
  const hex = v.toString(16).padStart(64, '0');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number.parseInt(hex.slice(62 - 2 * i, 64 - 2 * i), 16);
  return out;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [a % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

function storedOf(v: bigint): Uint8Array {
  return bigTo32Le(((((v % R) + R) % R) * R2) % R);
}

/** Little-endian bytes of r: the stored form of -x is r - x (x != 0), as x is v * R^2 mod r. */
const R_BYTES = bigTo32Le(R);

/** table[to..to+32] = r - table[from..from+32] (0 stays 0), by byte subtraction. */
function negate(table: Uint8Array, from: number, to: number): void {
  let zero = true;
  for (let j = 0; j < 32; j++) if (table[from + j] !== 0) zero = false;
  if (zero) return;
  let borrow = 0;
  for (let j = 0; j < 32; j++) {
    const d = (R_BYTES[j] as number) - (table[from + j] as number) - borrow;
    table[to + j] = d & 0xff;
    borrow = d < 0 ? 1 : 0;
  }
}

function pointsBlock(points: Uint8Array, size: number): Writer {
  const n = points.length / size;
  const w = new Writer();
  const bitmap = new Uint8Array(Math.ceil(n / 8));
  const kept: Uint8Array[] = [];
  for (let k = 0; k < n; k++) {
    const p = points.subarray(k * size, k * size + size);
    if (p.some((b) => b !== 0)) {
      bitmap[k >> 3] = (bitmap[k >> 3] as number) | (1 << (k & 7));
      kept.push(p);
    }
  }
  w.bytes(bitmap);
  for (const p of kept) w.bytes(p);
  return w;
}

function readPoints(r: Reader, n: number, size: number, sparse: boolean): Uint8Array {
  const out = new Uint8Array(n * size);
  if (!sparse) {
    out.set(r.bytes(n * size));
  } else {
    const bitmap = r.bytes(Math.ceil(n / 8));
    for (let k = 0; k < n; k++) {
      if ((bitmap[k >> 3] as number) & (1 << (k & 7))) out.set(r.bytes(size), k * size);
    }
  }
  if (!r.done) malformed('trailing bytes after the points');
  return out;
}

/**
 * Encode a zkey's prover parts compactly (build time; BigInt arithmetic, about a second).
 * @throws RangeError when the parts are inconsistent
 */
export function encodeCompactZkey(p: ZkeyParts): Uint8Array {
  if (p.coefs.length !== p.nCoefs * COEF_BYTES) throw new RangeError('encodeCompactZkey: coefs length differs from nCoefs');
  const out = new Writer();
  out.bytes(new TextEncoder().encode(MAGIC));
  const header = new Writer();
  header.bytes(p.header);
  out.block(header);

  const view = new DataView(p.coefs.buffer, p.coefs.byteOffset, p.coefs.byteLength);
  const keyOf = (i: number) => {
    let s = '';
    for (let j = i * COEF_BYTES + 12; j < i * COEF_BYTES + COEF_BYTES; j++) s += String.fromCharCode(p.coefs[j] as number);
    return s;
  };
  // A value and its negation share one table entry (the circuit's coefficients come in such pairs):
  // the entry is |v| in normal form (v in (-r/2, r/2)), the values stream says which sign.
  const r2inv = modInverse(R2, R);
  const signedOf = new Map<string, { magnitude: bigint; negative: boolean }>();
  const uses = new Map<bigint, number>();
  for (let i = 0; i < p.nCoefs; i++) {
    const k = keyOf(i);
    let s = signedOf.get(k);
    if (!s) {
      const v = (leToBig(p.coefs.subarray(i * COEF_BYTES + 12, i * COEF_BYTES + COEF_BYTES)) * r2inv) % R;
      s = v > R / 2n ? { magnitude: R - v, negative: true } : { magnitude: v, negative: false };
      signedOf.set(k, s);
    }
    uses.set(s.magnitude, (uses.get(s.magnitude) ?? 0) + 1);
  }
  const table = [...uses.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([m]) => m);
  const index = new Map(table.map((m, i) => [m, i]));
  const valueCode = (k: string) => {
    const s = signedOf.get(k) as { magnitude: bigint; negative: boolean };
    return (index.get(s.magnitude) as number) * 2 + (s.negative ? 1 : 0);
  };
  const runs = new Writer();
  const signals = new Writer();
  const values = new Writer();
  let prevConstraint = 0;
  for (let i = 0; i < p.nCoefs; ) {
    const matrix = view.getUint32(i * COEF_BYTES, true);
    const constraint = view.getUint32(i * COEF_BYTES + 4, true);
    let j = i;
    while (j < p.nCoefs && view.getUint32(j * COEF_BYTES, true) === matrix && view.getUint32(j * COEF_BYTES + 4, true) === constraint) j++;
    runs.varint(matrix);
    runs.signed(constraint - prevConstraint);
    runs.varint(j - i);
    prevConstraint = constraint;
    let prevSignal = 0;
    for (let k = i; k < j; k++) {
      const signal = view.getUint32(k * COEF_BYTES + 8, true);
      signals.signed(signal - prevSignal);
      prevSignal = signal;
      values.varint(valueCode(keyOf(k)));
    }
    i = j;
  }
  const tableW = new Writer();
  tableW.varint(table.length);
  for (const m of table) {
    // 0: the 32 stored bytes of |v| follow; otherwise |v| + 1 for |v| < 2^128.
    if (m < SMALL) {
      tableW.varint(m + 1n);
    } else {
      tableW.varint(0);
      tableW.bytes(storedOf(m));
    }
  }
  const coefs = new Writer();
  coefs.u32(p.nCoefs);
  coefs.block(runs);
  coefs.block(signals);
  coefs.block(values);
  coefs.block(tableW);
  out.block(coefs);

  out.block(pointsBlock(p.pointsA, 64));
  out.block(pointsBlock(p.pointsB1, 64));
  out.block(pointsBlock(p.pointsB2, 128));
  out.block(pointsBlock(p.pointsC, 64));
  const h = new Writer();
  h.bytes(p.pointsH);
  out.block(h);
  return out.result();
}

/**
 * Decode a compact key into the zkey's bytes for the parts the prover uses.
 * @throws RangeError naming what is malformed
 */
export function decodeCompactZkey(bytes: Uint8Array): ZkeyParts {
  if (!isCompactZkey(bytes)) malformed('not a compact zkey (magic)');
  const r = new Reader(bytes);
  r.at = 4;
  const header = r.block().b;
  if (header.length < 8) malformed('header too short');
  const hv = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const n8q = hv.getUint32(0, true);
  if (n8q !== 32 || header.length < 8 + 64 + 12) malformed('header is not for bn128');
  const { nVars, nPublic, domainSize } = headerCounts(header);
  if (nPublic >= nVars) malformed('nPublic >= nVars');

  const c = r.block();
  const nCoefs = c.u32();
  const runs = c.block();
  const signals = c.block();
  const values = c.block();
  const tableR = c.block();
  if (!c.done) malformed('trailing bytes after the coefficients');
  // Each coefficient takes at least one byte of the signals block: a bound before allocating.
  if (nCoefs > signals.b.length) malformed('more coefficients than signals');
  const nTable = tableR.varint();
  if (nTable > tableR.b.length) malformed('value table longer than its block');
  // Entry i: the stored bytes of +|v| at 64i, of -|v| at 64i + 32.
  const table = new Uint8Array(nTable * 64);
  for (let i = 0; i < nTable; i++) {
    const tag = tableR.bigVarint();
    if (tag === 0n) {
      table.set(tableR.bytes(32), i * 64);
    } else {
      if (tag > SMALL) malformed('table value out of range');
      table.set(storedOf(tag - 1n), i * 64);
    }
    negate(table, i * 64, i * 64 + 32);
  }
  if (!tableR.done) malformed('trailing bytes after the value table');

  const coefs = new Uint8Array(nCoefs * COEF_BYTES);
  // Word views (entries are 11 words; the table 8 words a value): no allocation per coefficient.
  // Little-endian words, as the zkey's (every platform snarkjs's wasm runs on is little-endian).
  const words = new Uint32Array(coefs.buffer);
  const tableWords = new Uint32Array(table.buffer, table.byteOffset, table.byteLength / 4);
  let constraint = 0;
  for (let i = 0; i < nCoefs; ) {
    const matrix = runs.varint();
    constraint += runs.signed();
    const n = runs.varint();
    if (n === 0 || i + n > nCoefs || constraint < 0 || constraint > 0xffffffff) malformed('bad run');
    let signal = 0;
    for (let k = i; k < i + n; k++) {
      signal += signals.signed();
      const v = values.varint(); // 2 * entry + sign: the value's 32 bytes are at table[32 v]
      if (v >= 2 * nTable || signal < 0 || signal >= nVars) malformed('bad coefficient');
      const at = k * 11;
      words[at] = matrix;
      words[at + 1] = constraint;
      words[at + 2] = signal;
      const from = v * 8;
      for (let j = 0; j < 8; j++) words[at + 3 + j] = tableWords[from + j] as number;
    }
    i += n;
  }
  if (!runs.done || !signals.done || !values.done) malformed('trailing bytes in the coefficients');

  const parts: ZkeyParts = {
    header,
    nCoefs,
    coefs,
    pointsA: readPoints(r.block(), nVars, 64, true),
    pointsB1: readPoints(r.block(), nVars, 64, true),
    pointsB2: readPoints(r.block(), nVars, 128, true),
    pointsC: readPoints(r.block(), nVars - nPublic - 1, 64, true),
    pointsH: readPoints(r.block(), domainSize, 64, false),
  };
  if (!r.done) malformed('trailing bytes');
  return parts;
}
