/**
 * A small, dependency-free R1CS reader and evaluator for tests and tooling: parse a circom .r1cs
 * and .sym, map a named signal assignment onto a circuit's wires, and report the first constraint
 * a witness breaks together with the names of the signals it involves (so a failure says *which*
 * guard refused it, not just "false").
 */
import { readFile } from 'node:fs/promises';

export const FIELD_P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** One linear combination: parallel arrays of wire ids and coefficients. */
export interface LinearCombination {
  wires: number[];
  coeffs: bigint[];
}
export interface R1cs {
  prime: bigint;
  nWires: number;
  nPubOut: number;
  nPubIn: number;
  nPrvIn: number;
  nLabels: number;
  /** each constraint is A * B = C */
  constraints: [LinearCombination, LinearCombination, LinearCombination][];
}

function readLe(bytes: Uint8Array, at: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i] as number);
  return v;
}

/** A 32-byte little-endian integer, as four 64-bit words (the common case, 8x fewer BigInt steps than readLe). */
function readLe256(view: DataView, at: number): bigint {
  return (
    (view.getBigUint64(at + 24, true) << 192n) |
    (view.getBigUint64(at + 16, true) << 128n) |
    (view.getBigUint64(at + 8, true) << 64n) |
    view.getBigUint64(at, true)
  );
}

/** Parse a circom .r1cs file (format version 1). @throws Error on a file that is not one */
export function parseR1cs(bytes: Uint8Array): R1cs {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(0, 4)) !== 'r1cs') throw new Error('not an r1cs file');
  const nSections = view.getUint32(8, true);
  const sections = new Map<number, { at: number; size: number }>();
  let at = 12;
  for (let s = 0; s < nSections; s++) {
    const type = view.getUint32(at, true);
    const size = Number(view.getBigUint64(at + 4, true));
    sections.set(type, { at: at + 12, size });
    at += 12 + size;
  }
  const h = sections.get(1);
  const c = sections.get(2);
  if (!h || !c) throw new Error('r1cs file without header or constraints section');
  const n8 = view.getUint32(h.at, true);
  const prime = readLe(bytes, h.at + 4, n8);
  let p = h.at + 4 + n8;
  const nWires = view.getUint32(p, true);
  const nPubOut = view.getUint32(p + 4, true);
  const nPubIn = view.getUint32(p + 8, true);
  const nPrvIn = view.getUint32(p + 12, true);
  const nLabels = Number(view.getBigUint64(p + 16, true));
  const nConstraints = view.getUint32(p + 24, true);
  const constraints: R1cs['constraints'] = [];
  p = c.at;
  const lc = (): LinearCombination => {
    const n = view.getUint32(p, true);
    p += 4;
    const wires: number[] = new Array(n);
    const coeffs: bigint[] = new Array(n);
    for (let i = 0; i < n; i++) {
      wires[i] = view.getUint32(p, true);
      coeffs[i] = n8 === 32 ? readLe256(view, p + 4) : readLe(bytes, p + 4, n8);
      p += 4 + n8;
    }
    return { wires, coeffs };
  };
  for (let i = 0; i < nConstraints; i++) constraints.push([lc(), lc(), lc()]);
  return { prime, nWires, nPubOut, nPubIn, nPrvIn, nLabels, constraints };
}

/**
 * Signal names of a circuit: name -> wire (-1 when the optimiser removed it), and wire -> names.
 * Names are canonical: circom names an anonymous component `Poseidon_<line>_<offset>` after its
 * position in the source, which an edit elsewhere in the file shifts; here it becomes
 * `Poseidon_#<k>`, its rank among the parent's anonymous components of that template.
 */
export interface Symbols {
  wireOf: Map<string, number>;
  namesOf: Map<number, string[]>;
}

const ANON = /^([A-Za-z]\w*?)_(\d+)_(\d+)$/;

/** Parse a circom .sym file (`label,wire,component,name` per line). */
export function parseSym(text: string): Symbols {
  const rows: [string, number][] = [];
  const anon = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const parts = line.split(',');
    if (parts.length < 4) continue;
    const name = parts.slice(3).join(',');
    rows.push([name, Number(parts[1])]);
    const segs = name.split('.');
    for (let i = 0; i < segs.length; i++) {
      const m = ANON.exec(segs[i] as string);
      if (!m) continue;
      const key = `${segs.slice(0, i).join('.')}.${m[1]}`;
      anon.set(key, (anon.get(key) ?? new Set()).add(`${m[2]}_${m[3]}`));
    }
  }
  const rank = new Map<string, number>();
  for (const [key, set] of anon) {
    const sorted = [...set].sort((a, b) => {
      const [la, oa] = a.split('_').map(Number) as [number, number];
      const [lb, ob] = b.split('_').map(Number) as [number, number];
      return la - lb || oa - ob;
    });
    sorted.forEach((pos, k) => {
      rank.set(`${key}_${pos}`, k);
    });
  }
  const canonical = (name: string) => {
    if (!anon.size) return name;
    const segs = name.split('.');
    for (let i = 0; i < segs.length; i++) {
      const m = ANON.exec(segs[i] as string);
      if (!m) continue;
      const k = rank.get(`${segs.slice(0, i).join('.')}.${m[1]}_${m[2]}_${m[3]}`);
      if (k !== undefined) segs[i] = `${m[1]}_#${k}`;
    }
    return segs.join('.');
  };
  const wireOf = new Map<string, number>();
  const namesOf = new Map<number, string[]>();
  for (const [raw, wire] of rows) {
    const name = canonical(raw);
    wireOf.set(name, wire);
    if (wire >= 0) namesOf.set(wire, [...(namesOf.get(wire) ?? []), name]);
  }
  return { wireOf, namesOf };
}

export interface Circuit {
  r1cs: R1cs;
  sym: Symbols;
}

export async function loadCircuit(r1csPath: string, symPath: string): Promise<Circuit> {
  const [r, s] = await Promise.all([readFile(r1csPath), readFile(symPath, 'utf8')]);
  return { r1cs: parseR1cs(new Uint8Array(r)), sym: parseSym(s) };
}

/** Witness values of a circuit by signal name (every wire the .sym names). */
export function namedValues(sym: Symbols, witness: readonly bigint[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [name, wire] of sym.wireOf) if (wire >= 0) out.set(name, witness[wire] as bigint);
  return out;
}

/**
 * Lay a named assignment onto a circuit's wires. Wire 0 is the constant 1. @throws Error naming
 * a wire of the circuit that the assignment does not give a value (or gives two different ones).
 */
export function witnessFor(circuit: Circuit, values: ReadonlyMap<string, bigint>): bigint[] {
  const w: (bigint | undefined)[] = new Array(circuit.r1cs.nWires).fill(undefined);
  w[0] = 1n;
  for (const [name, wire] of circuit.sym.wireOf) {
    if (wire <= 0) continue;
    const v = values.get(name);
    if (v === undefined) continue;
    const prev = w[wire];
    if (prev !== undefined && prev !== v) throw new Error(`the assignment gives wire ${wire} two values (${name})`);
    w[wire] = v;
  }
  const missing = w.indexOf(undefined);
  if (missing >= 0)
    throw new Error(`the assignment has no value for ${circuit.sym.namesOf.get(missing)?.join(' / ') ?? `wire ${missing}`}`);
  return w as bigint[];
}

export interface Violation {
  constraint: number;
  signals: string[];
  text: string;
}
export type Evaluation = { ok: true; violations: [] } | { ok: false; violations: Violation[]; text: string };

/** Check A*B = C for every constraint; on failure, every broken constraint and its signals. */
export function evaluate(circuit: Circuit, witness: readonly bigint[]): Evaluation {
  const p = circuit.r1cs.prime;
  const dot = (l: LinearCombination) => {
    let s = 0n;
    for (let i = 0; i < l.wires.length; i++) s += (l.coeffs[i] as bigint) * (witness[l.wires[i] as number] as bigint);
    return s % p;
  };
  const cs = circuit.r1cs.constraints;
  const violations: Violation[] = [];
  for (let i = 0; i < cs.length; i++) {
    const [a, b, c] = cs[i] as [LinearCombination, LinearCombination, LinearCombination];
    if ((dot(a) * dot(b) - dot(c)) % p !== 0n) {
      const wires = [...new Set([...a.wires, ...b.wires, ...c.wires])].filter((x) => x !== 0);
      const signals = wires.flatMap((x) => circuit.sym.namesOf.get(x) ?? [`wire ${x}`]);
      const shown = signals.length > 6 ? `${signals.slice(0, 6).join(', ')}, ... (${signals.length} signals)` : signals.join(', ');
      violations.push({ constraint: i, signals, text: `constraint #${i} over ${shown}` });
    }
  }
  if (!violations.length) return { ok: true, violations: [] };
  const more = violations.length > 3 ? ` (and ${violations.length - 3} more)` : '';
  return {
    ok: false,
    violations,
    text: `${violations
      .slice(0, 3)
      .map((v) => v.text)
      .join('; ')}${more}`,
  };
}
