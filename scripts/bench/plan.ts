/**
 * What a benchmark run measures: the default instance, the sweeps over revocation tree depth and
 * predicate slots, the SMT baseline, the non-revocation components alone, and which circuits
 * PLONK and FFLONK try. Instance names refer to circuits/instances.json.
 */
import { DEFAULT_CIRCUIT } from '../../src/circuit/registry.ts';
import { type InstanceSpec, instanceSpec } from '../lib/circuits.ts';
import type { CircuitDef } from './build.ts';
import type { Group } from './types.ts';

/**
 * Tree shapes tried per depth (index bits = arityBits * levels): 8-ary only divides 24, so 16, 20
 * and 32 bits compare 4-ary with 16-ary. Binary trees are left out: at depth 24 they cost 2,464
 * more constraints than 8-ary (README, "Revocation"), and their gap only grows with depth.
 */
export const DEPTH_CANDIDATES: Record<number, string[]> = {
  16: ['presentation-d16-a4-k4-s16', 'presentation-d16-a16-k4-s16'],
  20: ['presentation-d20-a4-k4-s16', 'presentation-d20-a16-k4-s16'],
  24: ['presentation-d24-a4-k4-s16', 'presentation-d24-a8-k4-s16', 'presentation-d24-a16-k4-s16'],
  32: ['presentation-d32-a4-k4-s16', 'presentation-d32-a16-k4-s16'],
};

/** Predicate-slot sweep at the default tree (8-ary, depth 24). K = 4 is the default instance. */
export const SLOT_INSTANCES: Record<number, string> = {
  1: 'presentation-d24-a8-k1-s16',
  2: 'presentation-d24-a8-k2-s16',
  4: 'presentation-d24-a8-k4-s16',
  8: 'presentation-d24-a8-k8-s16',
};

/** The default statement with circomlib's SMTVerifier (32 levels, capacity >= 252 * 2^24) for non-revocation. */
export const SMT_PRESENTATION = 'presentation-smt-d32-k4-s16';
/** SMT non-revocation alone. */
export const SMT_COMPONENT = 'revocation-smt-d32';

export interface Plan {
  depths: number[];
  slots: number[];
  baseline: boolean;
  components: boolean;
  protocols: boolean;
}

/** `--quick`: the default instance and two sweep points (the extremes), Groth16 only. */
export function planFor(quick: boolean): Plan {
  if (quick) return { depths: [32], slots: [8], baseline: false, components: false, protocols: false };
  return { depths: [16, 20, 24, 32], slots: [1, 2, 4, 8], baseline: true, components: true, protocols: true };
}

export function presentationDef(name: string, group: Group): CircuitDef {
  return { name, group, kind: 'presentation', spec: instanceSpec(name) };
}

export function baselineDef(name: string, group: Group): CircuitDef {
  const spec = instanceSpec(name);
  return { name, group, kind: spec.template === 'SmtNonRevocation' ? 'revocation-smt' : 'presentation-smt', spec };
}

/** Bitmap non-revocation alone, with the tree shape of a presentation instance. */
export function bitmapComponentDef(presentation: string, group: Group): CircuitDef {
  const p = instanceSpec(presentation).params;
  const a = p.ARITY_BITS as number;
  const l = p.LEVELS as number;
  const spec: InstanceSpec = {
    template: 'BitmapNonRevocation',
    file: 'lib/revocation.circom',
    params: { ARITY_BITS: a, LEVELS: l },
    public: ['root'],
  };
  return { name: `revocation-d${a * l}-a${2 ** a}`, group, kind: 'revocation', spec };
}

/** Depth of a presentation or component instance's tree (index bits; SMT levels for the baseline). */
export function depthOf(def: CircuitDef): number {
  const p = def.spec.params;
  if (p.ARITY_BITS !== undefined && p.LEVELS !== undefined) return p.ARITY_BITS * p.LEVELS;
  return (p.SMT_LEVELS ?? p.LEVELS) as number;
}

export { DEFAULT_CIRCUIT };
