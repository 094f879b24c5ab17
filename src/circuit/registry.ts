/**
 * Circuit instances known to this build (circuits/instances.json is the single source) and the
 * layout of their public signals.
 */
import registry from '../../circuits/instances.json' with { type: 'json' };
import { ZkidError } from '../errors.ts';

/** Parameters of a ZkidPresentation instance. */
export interface CircuitParams {
  /** log2 of the revocation tree's node arity */
  arityBits: number;
  /** revocation tree levels (index bits = arityBits * levels) */
  levels: number;
  /** predicate slots */
  predicates: number;
  /** size of the IN/NIN set */
  setSize: number;
}

export const SLOT_COUNT = 8;
export const TODAY_BITS = 27;
export const CMP_BITS = 32;
export const N_OPS = 11;
export const PRED_BITS = SLOT_COUNT + N_OPS + 2 * CMP_BITS;
export const CHUNK_BITS = 252;

export const DEFAULT_CIRCUIT: string = registry.default;

interface RawSpec {
  template: string;
  params: { ARITY_BITS: number; LEVELS: number; K: number; SET_SIZE: number };
}

/** Parameters of a named instance. @throws ZkidError UNKNOWN_CIRCUIT */
export function circuitParams(name: string = DEFAULT_CIRCUIT): CircuitParams {
  const spec = (registry.instances as Record<string, RawSpec>)[name];
  if (!spec) throw new ZkidError('UNKNOWN_CIRCUIT', `unknown circuit instance '${name}'`, 'circuit');
  return { arityBits: spec.params.ARITY_BITS, levels: spec.params.LEVELS, predicates: spec.params.K, setSize: spec.params.SET_SIZE };
}

export function listCircuits(): string[] {
  return Object.keys(registry.instances);
}

export function requestChunks(p: CircuitParams): number {
  return Math.ceil((TODAY_BITS + SLOT_COUNT + p.predicates * PRED_BITS) / CHUNK_BITS);
}

/** Names of the public signals in snarkjs order: outputs first, then public inputs. */
export function publicSignalNames(p: CircuitParams): string[] {
  const names = ['nullifier'];
  for (let i = 0; i < SLOT_COUNT; i++) names.push(`disclosed[${i}]`);
  names.push('issuerAx', 'issuerAy', 'revocationRoot', 'scope', 'challenge', 'setHash');
  for (let i = 0; i < requestChunks(p); i++) names.push(`request[${i}]`);
  return names;
}

/** Index of each named public signal. */
export const SIGNAL = {
  nullifier: 0,
  disclosed: 1,
  issuerAx: 1 + SLOT_COUNT,
  issuerAy: 2 + SLOT_COUNT,
  revocationRoot: 3 + SLOT_COUNT,
  scope: 4 + SLOT_COUNT,
  challenge: 5 + SLOT_COUNT,
  setHash: 6 + SLOT_COUNT,
  request: 7 + SLOT_COUNT,
} as const;
