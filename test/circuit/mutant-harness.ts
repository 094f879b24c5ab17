/**
 * Mutant tests: for one guard, the *mutant* is the real source with that guard line transformed
 * (scripts/lib/mutants.ts; the edit asserts its text occurs exactly once), the *forger* is a
 * witness generator for a forged assignment (the same source, with the guard's assertion gone and
 * hints changed where the exploit needs them). The forged assignment is kept by signal name and
 * laid onto each circuit's wires, then:
 *   - the mutant's R1CS must accept it (the guard is what stands between the exploit and a proof);
 *   - the real circuit's R1CS must refuse it, at a constraint over the guard's signals.
 * Mutants and forgers are compiled with --O0 (every signal is a wire; O2 only substitutes linear
 * constraints, which keeps the same solutions); the real circuit is compiled as in production (O2).
 */
import { readFile } from 'node:fs/promises';
import { WitnessCalculatorBuilder } from 'circom_runtime';
import { buildVariant, type Edit, type MainSpec, type Variant } from '../../scripts/lib/mutants.ts';
import { type Circuit, type Evaluation, evaluate, namedValues, parseR1cs, parseSym, witnessFor } from '../../scripts/lib/r1cs.ts';
import { ownFailure } from '../../src/prover/witness.ts';

// Each file is parsed once while it is in use: a forger that is its mutant, and mutants that share
// a mutation (consecutive tests), reuse the parse and the calculator. Only the last few are kept:
// an O0 circuit's parse is tens of MB of BigInts, and a heap full of old ones costs more in GC
// than parsing again.
const KEEP = 6;
const parsed = new Map<string, Promise<unknown>>();
function once<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = parsed.get(key) as Promise<T> | undefined;
  // Re-inserted below, so that the map's order is least recently used first.
  if (p) parsed.delete(key);
  else {
    p = load();
    p.catch(() => parsed.delete(key));
  }
  parsed.set(key, p);
  for (const old of parsed.keys()) {
    if (parsed.size <= KEEP) break;
    parsed.delete(old);
  }
  return p;
}
const symOf = (path: string) => once(`sym ${path}`, async () => parseSym(await readFile(path, 'utf8')));
const r1csOf = (path: string) => once(`r1cs ${path}`, async () => parseR1cs(new Uint8Array(await readFile(path))));
async function circuitOf(v: Variant): Promise<Circuit> {
  const [r1cs, sym] = await Promise.all([r1csOf(v.r1cs), symOf(v.sym)]);
  return { r1cs, sym };
}
/** A variant's witness calculator, built once; `reported` cuts earlier failures' text (see ownFailure). */
const calculatorOf = (v: Variant) =>
  once(`wasm ${v.wasm}`, async () => ({ calc: await WitnessCalculatorBuilder(new Uint8Array(await readFile(v.wasm))), reported: '' }));

/** The real circuit for a main component, compiled as in production (O2). */
export async function realCircuit(main: MainSpec): Promise<Circuit> {
  return circuitOf(await buildVariant({ main, edits: [], optimization: 'O2', outputs: ['r1cs'] }));
}

/** Every signal's value, by name, as the generator built from `edits` computes it for `input`. */
export async function generate(main: MainSpec, edits: Edit[], input: Record<string, unknown>): Promise<Map<string, bigint>> {
  // r1cs and wasm together: a forger with no hints is the mutant itself, one compilation for both.
  const v = await buildVariant({ main, edits, optimization: 'O0', outputs: ['r1cs', 'wasm'] });
  const [c, sym] = await Promise.all([calculatorOf(v), symOf(v.sym)]);
  let w: bigint[];
  try {
    w = await c.calc.calculateWitness(input, true);
  } catch (e) {
    throw ownFailure(c, e); // the instance is kept: only this failure's frames
  }
  return namedValues(sym, w);
}

export interface MutantCase {
  /** how failure messages name the guard, e.g. 'revocation: b < 252' */
  guard: string;
  main: MainSpec;
  real: Circuit;
  /** the guard line's transformation (plus, at most, a template it needs) */
  mutation: Edit | Edit[];
  /** hint edits the forger needs on top of the mutation */
  hints?: Edit[];
  /** the forger keeps the guard (when the mutation removes a signal the exploit keeps a value for) */
  forgerKeepsGuard?: boolean;
  input: Record<string, unknown>;
  /** signal values changed after generation (e.g. a public input of another request) */
  overrides?: Record<string, bigint>;
  /** the real circuit must break a constraint over a signal whose name matches this */
  refusedBy: RegExp;
}

export interface MutantOutcome {
  values: Map<string, bigint>;
  mutant: Evaluation;
  real: Evaluation;
}

async function judge(c: MutantCase): Promise<MutantOutcome> {
  try {
    return await judgeUnchecked(c);
  } catch (e) {
    const m = (e as Error).message;
    // A guard line that was rewritten or deleted in the sources fails here, by the guard's name.
    throw m.startsWith(`mutant '${c.guard}'`) ? e : new Error(`mutant '${c.guard}': ${m}`);
  }
}

async function judgeUnchecked(c: MutantCase): Promise<MutantOutcome> {
  const mutation = [c.mutation].flat();
  const forgerEdits = [...(c.forgerKeepsGuard ? [] : mutation), ...(c.hints ?? [])];
  const mutantV = await buildVariant({ main: c.main, edits: mutation, optimization: 'O0', outputs: ['r1cs', 'wasm'] });
  const mutant = await circuitOf(mutantV);
  let values: Map<string, bigint>;
  try {
    values = await generate(c.main, forgerEdits, c.input);
  } catch (e) {
    throw new Error(`mutant '${c.guard}': the forger could not compute the forged witness: ${(e as Error).message.slice(0, 600)}`);
  }
  for (const [name, v] of Object.entries(c.overrides ?? {})) {
    if (!values.has(name)) throw new Error(`mutant '${c.guard}': no signal ${name} to override`);
    values.set(name, v);
  }
  return { values, mutant: evaluate(mutant, witnessFor(mutant, values)), real: evaluate(c.real, witnessFor(c.real, values)) };
}

/** The mutant accepts the forged assignment and the real circuit refuses it at the guard. */
export async function expectMutantAccepts(c: MutantCase): Promise<MutantOutcome> {
  const o = await judge(c);
  if (!o.mutant.ok) throw new Error(`mutant '${c.guard}' refused the forged witness: ${o.mutant.text}`);
  if (o.real.ok) throw new Error(`real circuit accepted the forged witness for '${c.guard}'`);
  if (!o.real.violations.some((v) => v.signals.some((s) => c.refusedBy.test(s)))) {
    throw new Error(`real circuit refused the forged witness for '${c.guard}', but not at the guard (${c.refusedBy}): ${o.real.text}`);
  }
  return o;
}

/**
 * A guard that another constraint makes redundant: the mutant still refuses the forged assignment,
 * at a constraint over a signal matching `c.refusedBy` (the guard that covers for it).
 */
export async function expectMutantRefuses(c: MutantCase): Promise<MutantOutcome> {
  const o = await judge(c);
  if (o.mutant.ok) throw new Error(`mutant '${c.guard}' accepted the forged witness: the guard is not redundant after all`);
  if (!o.mutant.violations.some((v) => v.signals.some((s) => c.refusedBy.test(s)))) {
    throw new Error(`mutant '${c.guard}' refused the forged witness, but not where expected (${c.refusedBy}): ${o.mutant.text}`);
  }
  if (o.real.ok) throw new Error(`real circuit accepted the forged witness for '${c.guard}'`);
  return o;
}

/** An honest input satisfies the real circuit (and the name mapping between builds works). */
export async function expectHonest(main: MainSpec, real: Circuit, input: Record<string, unknown>): Promise<void> {
  const values = await generate(main, [], input);
  const e = evaluate(real, witnessFor(real, values));
  if (!e.ok) throw new Error(`the honest witness breaks the real circuit: ${e.text}`);
}
