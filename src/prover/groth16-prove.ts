/**
 * A Groth16 prover over snarkjs's own curve engine (ffjavascript/wasmcurves), the same algorithm
 * as snarkjs 0.7's `groth16.prove` with these changes, which make proofs faster:
 *  - the zkey is parsed once and kept in memory (points stay in the wasm's LEM form);
 *  - A, B and C = A∘B are evaluated by the wasm `qap_buildABC` in the worker threads, instead of a
 *    JavaScript loop that allocates per coefficient (snarkjs 0.7's buildABC1: ~350 ms here);
 *  - the three FFT chains and the five multi-exponentiations run concurrently, keeping every
 *    worker busy;
 *  - work crosses to the threads in few, large pieces: a multi-exponentiation sends its bases once
 *    per thread (msm.ts), each thread gets only its constraint range's coefficients (coefParts),
 *    and each polynomial's coset transform is one task (toOddCoset); arrays are moved, not cloned,
 *    where the prover is done with them;
 *  - the four multi-exponentiations that are linear in the witness (A, B in G1 and G2, C) can
 *    start from a base: their sums for another witness of the same key (`linearBase`), plus the
 *    sums over the difference, which is non-zero only where the two witnesses differ
 *    (MSM(w) = MSM(b) + MSM(w - b)). generate-proof.ts keeps one base per credential, computed
 *    from a canonical statement so that how long a proof takes depends on the current request,
 *    not on earlier ones.
 * Proofs are identical in distribution to snarkjs's and verify with `snarkjs groth16 verify`.
 * Works in Node and browsers (the curve comes from snarkjs's `curves` export).
 */
import { FIELD_MODULUS } from '../field.ts';
import type { Groth16Proof } from '../request.ts';
import { bn128 } from '../verifier/curve.ts';
import { decodeCompactZkey, isCompactZkey, type ZkeyParts } from './compact-zkey.ts';
import { multiExpAffine } from './msm.ts';

interface Section {
  start: number;
  size: number;
}

/** The QAP coefficients of one constraint range [start, start + n), for one worker thread. */
export interface CoefPart {
  start: number;
  n: number;
  nCoefs: number;
  coefs: Uint8Array;
}

/** The prover's key: the zkey's parts (ZkeyParts, its header parsed into the fields below) and what follows from them. */
export interface PreparedZkey extends Omit<ZkeyParts, 'header' | 'coefs'> {
  /** the zkey's coefficients split by constraint range, one part per thread of the curve engine (coefsByRange) */
  coefParts: CoefPart[];
  nVars: number;
  nPublic: number;
  domainSize: number;
  power: number;
  alpha1: Uint8Array;
  beta1: Uint8Array;
  beta2: Uint8Array;
  /** verification only; kept for the key-shape check */
  gamma2: Uint8Array;
  delta1: Uint8Array;
  delta2: Uint8Array;
  /** per base set, the indices whose point is not the point at infinity */
  nonZero: { A: Uint32Array; B1: Uint32Array; B2: Uint32Array; C: Uint32Array };
}

/** Indices of the points that are not all-zero (infinity is stored as zeros in the zkey). */
function nonZeroPoints(points: Uint8Array, size: number): Uint32Array {
  const out: number[] = [];
  for (let i = 0, k = 0; i < points.length; i += size, k++) {
    for (let j = i; j < i + size; j++) {
      if (points[j] !== 0) {
        out.push(k);
        break;
      }
    }
  }
  return Uint32Array.from(out);
}

/**
 * Gather the terms of an MSM whose point and scalar are both non-zero: bits and unused wires make
 * up much of a witness, and infinity points a third of B's bases.
 */
function gather(points: Uint8Array, size: number, scalars: Uint8Array, indices: Uint32Array): [Uint8Array, Uint8Array] {
  const keep: number[] = [];
  for (const i of indices) {
    const at = i * 32;
    for (let j = at; j < at + 32; j++) {
      if (scalars[j] !== 0) {
        keep.push(i);
        break;
      }
    }
  }
  const p = new Uint8Array(keep.length * size);
  const sc = new Uint8Array(keep.length * 32);
  keep.forEach((i, k) => {
    p.set(points.subarray(i * size, i * size + size), k * size);
    sc.set(scalars.subarray(i * 32, i * 32 + 32), k * 32);
  });
  return [p, sc];
}

function sections(bytes: Uint8Array, magic: string): Map<number, Section> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = String.fromCharCode(...bytes.subarray(0, 4));
  if (got !== magic) throw new Error(`not a ${magic} file`);
  const n = view.getUint32(8, true);
  const out = new Map<number, Section>();
  let at = 12;
  for (let i = 0; i < n; i++) {
    const type = view.getUint32(at, true);
    const size = Number(view.getBigUint64(at + 4, true));
    out.set(type, { start: at + 12, size });
    at += 12 + size;
  }
  return out;
}

function section(bytes: Uint8Array, s: Map<number, Section>, type: number): Uint8Array {
  const sec = s.get(type);
  if (!sec) throw new Error(`missing section ${type}`);
  return bytes.subarray(sec.start, sec.start + sec.size);
}

/** snarkjs's bn128 curve engine (shared with the rest of the process: src/verifier/curve.ts). */
export const curve = bn128;

/**
 * The parts of a snarkjs Groth16 zkey the prover uses, as views into its bytes.
 * @throws Error when it is not a Groth16 zkey for bn128
 */
export function zkeyParts(zkey: Uint8Array): ZkeyParts {
  const s = sections(zkey, 'zkey');
  const proto = new DataView(section(zkey, s, 1).slice().buffer).getUint32(0, true);
  if (proto !== 1) throw new Error('zkey is not groth16');
  const coefSec = section(zkey, s, 4);
  return {
    header: section(zkey, s, 2),
    nCoefs: new DataView(coefSec.buffer, coefSec.byteOffset).getUint32(0, true),
    coefs: coefSec.subarray(4),
    pointsA: section(zkey, s, 5),
    pointsB1: section(zkey, s, 6),
    pointsB2: section(zkey, s, 7),
    pointsC: section(zkey, s, 8),
    pointsH: section(zkey, s, 9),
  };
}

/**
 * Parse a proving key once: a snarkjs zkey, or the holder's compact key (src/prover/compact-zkey.ts),
 * told apart by their magic; both give the same in-memory key, byte for byte.
 */
export async function prepareZkey(bytes: Uint8Array): Promise<PreparedZkey> {
  const c = await curve();
  const p = isCompactZkey(bytes) ? decodeCompactZkey(bytes) : zkeyParts(bytes);
  const h = p.header;
  const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const n8q = v.getUint32(0, true);
  const n8r = v.getUint32(4 + n8q, true);
  if (n8q !== 32 || n8r !== 32) throw new Error('zkey is not for bn128');
  let at = 8 + n8q + n8r;
  const nVars = v.getUint32(at, true);
  const nPublic = v.getUint32(at + 4, true);
  const domainSize = v.getUint32(at + 8, true);
  at += 12;
  const g1 = () => {
    const p = c.G1.fromRprLEM(h, at);
    at += 64;
    return p;
  };
  const g2 = () => {
    const p = c.G2.fromRprLEM(h, at);
    at += 128;
    return p;
  };
  const alpha1 = g1();
  const beta1 = g1();
  const beta2 = g2();
  const gamma2 = g2();
  const delta1 = g1();
  const delta2 = g2();
  // Copies (slice) of a zkey's views; a decoded compact key is already its own memory.
  const own = (b: Uint8Array) => (b.buffer === bytes.buffer ? b.slice() : b);
  const pointsA = own(p.pointsA);
  const pointsB1 = own(p.pointsB1);
  const pointsB2 = own(p.pointsB2);
  const pointsC = own(p.pointsC);
  return {
    nVars,
    nPublic,
    domainSize,
    power: Math.log2(domainSize),
    alpha1,
    beta1,
    beta2,
    gamma2,
    delta1,
    delta2,
    nCoefs: p.nCoefs,
    coefParts: coefsByRange(p.coefs, p.nCoefs, domainSize, Math.max(1, c.tm.concurrency as number)),
    pointsA,
    pointsB1,
    pointsB2,
    pointsC,
    pointsH: own(p.pointsH),
    nonZero: {
      A: nonZeroPoints(pointsA, 64),
      B1: nonZeroPoints(pointsB1, 64),
      B2: nonZeroPoints(pointsB2, 128),
      C: nonZeroPoints(pointsC, 64),
    },
  };
}

/** A QAP coefficient's bytes in a zkey: matrix, constraint, signal (u32 each), then the value. */
const COEF_BYTES = 12 + 32;

/**
 * The key's coefficients split by constraint range, one part per worker thread, so each thread is
 * sent only the coefficients of the constraints it evaluates (qap_buildABC skips the others
 * anyway), and the prover keeps one copy of them.
 */
export function coefsByRange(coefs: Uint8Array, nCoefs: number, domainSize: number, chunks: number): CoefPart[] {
  const per = Math.ceil(domainSize / chunks);
  const view = new DataView(coefs.buffer, coefs.byteOffset, coefs.byteLength);
  const counts = new Uint32Array(chunks);
  for (let i = 0; i < nCoefs; i++) {
    const k = Math.floor(view.getUint32(i * COEF_BYTES + 4, true) / per);
    counts[k] = (counts[k] as number) + 1;
  }
  const parts = Array.from(counts, (count, k) => ({
    start: k * per,
    n: Math.max(0, Math.min(per, domainSize - k * per)),
    nCoefs: 0,
    coefs: new Uint8Array(count * COEF_BYTES),
  }));
  for (let i = 0; i < nCoefs; i++) {
    const at = i * COEF_BYTES;
    const part = parts[Math.floor(view.getUint32(at + 4, true) / per)] as CoefPart;
    part.coefs.set(coefs.subarray(at, at + COEF_BYTES), part.nCoefs * COEF_BYTES);
    part.nCoefs++;
  }
  return parts.filter((p) => p.n > 0);
}

/**
 * Evaluate A·w, B·w and C = A∘B over the domain, split across the worker threads by constraint
 * range (each thread gets its range's coefficients, z.coefParts, and a copy of the witness).
 */
async function buildABC(c: any, z: PreparedZkey, witness: Uint8Array): Promise<[Uint8Array, Uint8Array, Uint8Array]> {
  const n8 = 32;
  const threaded = c.tm.concurrency > 1;
  const tasks: Promise<Uint8Array[]>[] = [];
  for (const { start, n, nCoefs, coefs } of z.coefParts) {
    // Posted copies, moved to the thread (a clone of the kept arrays would be made anyway).
    const part = threaded ? coefs.slice() : coefs;
    const w = threaded ? witness.slice() : witness;
    tasks.push(
      c.tm.queueAction(
        [
          { cmd: 'ALLOCSET', var: 0, buff: part },
          { cmd: 'ALLOCSET', var: 1, buff: w },
          { cmd: 'ALLOC', var: 2, len: n * n8 },
          { cmd: 'ALLOC', var: 3, len: n * n8 },
          { cmd: 'ALLOC', var: 4, len: n * n8 },
          {
            cmd: 'CALL',
            fnName: 'qap_buildABC',
            params: [
              { var: 0 },
              { val: nCoefs },
              { var: 1 },
              { var: 2 },
              { var: 3 },
              { var: 4 },
              { val: start },
              { val: n },
              { val: 0 },
              { val: z.nVars },
            ],
          },
          { cmd: 'GET', out: 0, var: 2, len: n * n8 },
          { cmd: 'GET', out: 1, var: 3, len: n * n8 },
          { cmd: 'GET', out: 2, var: 4, len: n * n8 },
        ],
        threaded ? [part.buffer, w.buffer] : undefined,
      ),
    );
  }
  const parts = await Promise.all(tasks);
  const out: [Uint8Array, Uint8Array, Uint8Array] = [
    new Uint8Array(z.domainSize * n8),
    new Uint8Array(z.domainSize * n8),
    new Uint8Array(z.domainSize * n8),
  ];
  let at = 0;
  for (const p of parts) {
    for (let k = 0; k < 3; k++) out[k]!.set(p[k] as Uint8Array, at);
    at += (p[0] as Uint8Array).byteLength;
  }
  return out;
}

/**
 * Values of the polynomial at the odd (shifted) coset: inverse FFT, multiply coefficient i by
 * inc^i, FFT. One task on one worker thread, with wasmcurves' whole-array transforms (frm_ifft,
 * frm_batchApplyKey in place, frm_fft): the polynomial is sent once and comes back once. (snarkjs's
 * Fr.ifft/Fr.fft split each transform into chunks and join steps, each a task with its own copies,
 * and reverse the bits in JavaScript: 2-4 times slower here for this domain size.)
 * @param evals the polynomial's values over the domain; given up (moved to the thread)
 */
async function toOddCoset(c: any, evals: Uint8Array, inc: Uint8Array): Promise<Uint8Array> {
  const n = evals.byteLength / 32;
  const [res] = await c.tm.queueAction(
    [
      { cmd: 'ALLOCSET', var: 0, buff: evals },
      { cmd: 'ALLOCSET', var: 1, buff: c.Fr.one },
      { cmd: 'ALLOCSET', var: 2, buff: inc },
      { cmd: 'CALL', fnName: 'frm_ifft', params: [{ var: 0 }, { val: n }] },
      { cmd: 'CALL', fnName: 'frm_batchApplyKey', params: [{ var: 0 }, { val: n }, { var: 1 }, { var: 2 }, { var: 0 }] },
      { cmd: 'CALL', fnName: 'frm_fft', params: [{ var: 0 }, { val: n }] },
      { cmd: 'GET', out: 0, var: 0, len: n * 32 },
    ],
    c.tm.concurrency > 1 ? [evals.buffer] : undefined,
  );
  return res as Uint8Array;
}

/** (A·B - C) / Z on the coset, out of Montgomery form: the scalars of H's multi-exponentiation. The three arrays are given up (moved to the thread). */
async function joinABC(c: any, a: Uint8Array, b: Uint8Array, cc: Uint8Array): Promise<Uint8Array> {
  const n = a.byteLength / 32;
  const [res] = await c.tm.queueAction(
    [
      { cmd: 'ALLOCSET', var: 0, buff: a },
      { cmd: 'ALLOCSET', var: 1, buff: b },
      { cmd: 'ALLOCSET', var: 2, buff: cc },
      { cmd: 'ALLOC', var: 3, len: n * 32 },
      { cmd: 'CALL', fnName: 'qap_joinABC', params: [{ var: 0 }, { var: 1 }, { var: 2 }, { val: n }, { var: 3 }] },
      { cmd: 'CALL', fnName: 'frm_batchFromMontgomery', params: [{ var: 3 }, { val: n }, { var: 3 }] },
      { cmd: 'GET', out: 0, var: 3, len: n * 32 },
    ],
    c.tm.concurrency > 1 ? [a.buffer, b.buffer, cc.buffer] : undefined,
  );
  return res as Uint8Array;
}

/** A witness's four linear sums (projective points of snarkjs's curve engine): A, B in G1, B in G2, C. */
type Sums = [Uint8Array, Uint8Array, Uint8Array, Uint8Array];

/**
 * The linear part of proofs for one key, computed for one witness: the base others start from
 * (see the top of this file). Holds witness-derived values: keep it only where the holder's secret
 * is kept (the prover's memory; a wallet's own storage, see GenerateProofOptions.linearBaseStore).
 */
export interface LinearBase {
  zkey: PreparedZkey;
  /** the base witness's values (32-byte little-endian each, nVars of them) */
  witness: Uint8Array;
  sums: Promise<Sums>;
}

/** The witness values of a .wtns file (a copy). */
function witnessValues(z: PreparedZkey, wtns: Uint8Array): Uint8Array {
  const witness = section(wtns, sections(wtns, 'wtns'), 2).slice();
  if (witness.byteLength !== z.nVars * 32) throw new Error(`witness has ${witness.byteLength / 32} values, the circuit ${z.nVars}`);
  return witness;
}

/** The sums of a witness over the A, B1, B2 and C bases (zero scalars and points at infinity skipped). */
function msmsOf(c: any, z: PreparedZkey, witness: Uint8Array): Promise<Sums> {
  // C's bases start after the public signals (and the constant one).
  const wC = witness.subarray((z.nPublic + 1) * 32);
  const mine = { points: true, scalars: true };
  return Promise.all([
    multiExpAffine(c.G1, ...gather(z.pointsA, 64, witness, z.nonZero.A), mine),
    multiExpAffine(c.G1, ...gather(z.pointsB1, 64, witness, z.nonZero.B1), mine),
    multiExpAffine(c.G2, ...gather(z.pointsB2, 128, witness, z.nonZero.B2), mine),
    multiExpAffine(c.G1, ...gather(z.pointsC, 64, wC, z.nonZero.C), mine),
  ]);
}

function readLE(b: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = at + 31; i >= at; i--) v = (v << 8n) | BigInt(b[i] as number);
  return v;
}

function writeLE(b: Uint8Array, at: number, v: bigint): void {
  for (let i = at; i < at + 32; i++) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/**
 * w - b (mod r) value by value, zero where the two witnesses agree.
 * @returns the difference and how many values differ
 */
export function witnessDifference(w: Uint8Array, b: Uint8Array): { delta: Uint8Array; changed: number } {
  if (w.byteLength !== b.byteLength) throw new Error('witnesses of different lengths');
  const delta = new Uint8Array(w.byteLength);
  let changed = 0;
  for (let at = 0; at < w.byteLength; at += 32) {
    let same = true;
    for (let j = at; j < at + 32; j++) {
      if (w[j] !== b[j]) {
        same = false;
        break;
      }
    }
    if (same) continue;
    changed++;
    const d = readLE(w, at) - readLE(b, at);
    writeLE(delta, at, d < 0n ? d + FIELD_MODULUS : d);
  }
  return { delta, changed };
}

/**
 * Start computing the linear sums of a base witness (a .wtns file) for key `z`; the work is queued
 * on the curve's threads and the result awaited by the proofs that use it.
 */
export async function linearBase(z: PreparedZkey, wtns: Uint8Array): Promise<LinearBase> {
  const c = await curve();
  const witness = witnessValues(z, wtns);
  return { zkey: z, witness, sums: msmsOf(c, z, witness) };
}

/**
 * The four linear sums of `witness`: from `base` plus the sums over the difference when a base is
 * given and fewer than half the values differ (beyond that the difference costs more than it saves).
 */
function linearSums(c: any, z: PreparedZkey, witness: Uint8Array, base?: LinearBase): Promise<Sums> {
  if (!base) return msmsOf(c, z, witness);
  if (base.zkey !== z) throw new Error('the linear base was computed for another proving key');
  const { delta, changed } = witnessDifference(witness, base.witness);
  if (changed * 2 > z.nVars) return msmsOf(c, z, witness);
  return Promise.all([base.sums, msmsOf(c, z, delta)]).then(([b, d]) => addSums(c, b, d));
}

/** The four sums of two witnesses' sums, each pair in its group. */
function addSums(c: any, a: Sums, b: Sums): Sums {
  return [c.G1.add(a[0], b[0]), c.G1.add(a[1], b[1]), c.G2.add(a[2], b[2]), c.G1.add(a[3], b[3])];
}

/** A proof's witness values and linear sums (groth16Prove's `linear`), from which a base can be derived. */
export interface ProvedLinear {
  witness: Uint8Array;
  sums: Sums;
}

/**
 * A base for witness `baseWtns` (a .wtns) derived from a proof's linear sums instead of computed:
 * S(b) = S(w) + S(b - w), so only the values where the two witnesses differ are multiplied. This
 * is how the first proof of a credential leaves a base behind without paying for it up front.
 */
export async function deriveLinearBase(z: PreparedZkey, baseWtns: Uint8Array, from: ProvedLinear): Promise<LinearBase> {
  const c = await curve();
  const witness = witnessValues(z, baseWtns);
  const { delta } = witnessDifference(witness, from.witness);
  const sums = msmsOf(c, z, delta).then((d) => addSums(c, from.sums, d));
  return { zkey: z, witness, sums };
}

const SUMS_MAGIC = [0x7a, 0x6b, 0x6c, 0x62, 1]; // "zklb", version 1
/** Bytes of a base's sums once stored: the magic, then A, B1 (64 B each), B2 (128 B), C (64 B), affine LEM. */
const SUMS_BYTES = SUMS_MAGIC.length + 64 + 64 + 128 + 64;

/** A base's sums as bytes (affine points), for a store that keeps them between processes. */
export async function encodeLinearSums(base: LinearBase): Promise<Uint8Array> {
  const c = await curve();
  const s = await base.sums;
  const out = new Uint8Array(SUMS_BYTES);
  out.set(SUMS_MAGIC, 0);
  let at = SUMS_MAGIC.length;
  for (const [G, p, size] of [
    [c.G1, s[0], 64],
    [c.G1, s[1], 64],
    [c.G2, s[2], 128],
    [c.G1, s[3], 64],
  ] as const) {
    G.toRprLEM(out, at, p);
    at += size;
  }
  return out;
}

/**
 * A base from stored sums (encodeLinearSums) and the base witness (a .wtns), without its
 * multi-exponentiations; undefined when the bytes are not four points on their curves.
 * Stored sums that are wrong give proofs that do not verify, never a proof that reveals more.
 */
export async function restoreLinearBase(z: PreparedZkey, wtns: Uint8Array, bytes: Uint8Array): Promise<LinearBase | undefined> {
  const c = await curve();
  if (bytes.byteLength !== SUMS_BYTES || SUMS_MAGIC.some((b, i) => bytes[i] !== b)) return undefined;
  const at = SUMS_MAGIC.length;
  const points = [
    c.G1.fromRprLEM(bytes, at),
    c.G1.fromRprLEM(bytes, at + 64),
    c.G2.fromRprLEM(bytes, at + 128),
    c.G1.fromRprLEM(bytes, at + 256),
  ] as Sums;
  const groups = [c.G1, c.G1, c.G2, c.G1];
  if (!points.every((p, i) => groups[i].isValid(p))) return undefined;
  return { zkey: z, witness: witnessValues(z, wtns), sums: Promise.resolve(points) };
}

/**
 * The linear sums of a .wtns as affine points (tests compare the paths with and without a base).
 * @internal
 */
export async function linearSumsForTest(z: PreparedZkey, wtns: Uint8Array, base?: LinearBase): Promise<unknown[]> {
  const c = await curve();
  const s = await linearSums(c, z, witnessValues(z, wtns), base);
  return [
    c.G1.toObject(c.G1.toAffine(s[0])),
    c.G1.toObject(c.G1.toAffine(s[1])),
    c.G2.toObject(c.G2.toAffine(s[2])),
    c.G1.toObject(c.G1.toAffine(s[3])),
  ];
}

/**
 * Prove with a prepared zkey and a .wtns file (bytes).
 * @param onStep called with a short label as each phase starts
 * @param base the linear sums of another witness for this key (see linearBase); the proof is the
 *   same either way, only faster when the witnesses share most values
 */
export async function groth16Prove(
  z: PreparedZkey,
  wtns: Uint8Array,
  onStep: (label: string) => void = () => {},
  base?: LinearBase,
): Promise<{ proof: Groth16Proof; publicSignals: string[]; linear: ProvedLinear }> {
  const c = await curve();
  const Fr = c.Fr;
  const G1 = c.G1;
  const G2 = c.G2;
  const witness = witnessValues(z, wtns);

  onStep('QAP');
  const [a, b, cc] = await buildABC(c, z, witness);
  const inc = z.power === Fr.s ? Fr.shift : Fr.w[z.power + 1];
  onStep('FFT');
  const msms = linearSums(c, z, witness, base);
  const [ao, bo, co] = await Promise.all([toOddCoset(c, a, inc), toOddCoset(c, b, inc), toOddCoset(c, cc, inc)]);
  const hEvals = await joinABC(c, ao, bo, co);
  onStep('MSM');
  const [sums, resH] = await Promise.all([msms, multiExpAffine(G1, z.pointsH, hEvals, { scalars: true })]);
  const [piA0, pib10, piB0, piC0] = sums;

  const r = Fr.random();
  const s = Fr.random();
  let piA = G1.add(G1.add(piA0, z.alpha1), G1.timesFr(z.delta1, r));
  let piB = G2.add(G2.add(piB0, z.beta2), G2.timesFr(z.delta2, s));
  const pib1 = G1.add(G1.add(pib10, z.beta1), G1.timesFr(z.delta1, s));
  let piC = G1.add(piC0, resH);
  piC = G1.add(piC, G1.timesFr(piA, s));
  piC = G1.add(piC, G1.timesFr(pib1, r));
  piC = G1.add(piC, G1.timesFr(z.delta1, Fr.neg(Fr.mul(r, s))));
  piA = G1.toObject(G1.toAffine(piA));
  piB = G2.toObject(G2.toAffine(piB));
  piC = G1.toObject(G1.toAffine(piC));

  const publicSignals: string[] = [];
  for (let i = 1; i <= z.nPublic; i++) publicSignals.push(readLE(witness, i * 32).toString());
  const str = (p: bigint[]) => p.map((x) => x.toString());
  return {
    proof: {
      pi_a: str(piA) as Groth16Proof['pi_a'],
      pi_b: (piB as bigint[][]).map(str) as Groth16Proof['pi_b'],
      pi_c: str(piC) as Groth16Proof['pi_c'],
      protocol: 'groth16',
      curve: 'bn128',
    },
    publicSignals,
    linear: { witness, sums },
  };
}
