/**
 * Encoding of a statement (today, disclosure mask, predicates, IN/NIN set) into the circuit's
 * public inputs. Prover and verifier both call `encodeStatement`, so the verifier recomputes
 * every public input from the request it issued instead of trusting the presentation.
 *
 * Packed request bits, lowest first, split into field elements of 252 bits (2^252 < r):
 *   today (27 bits, YYYYMMDD) | mask (8 bits, bit i discloses slot i) |
 *   per predicate slot: attribute one-hot (8) | operator one-hot (11) | a (32) | b (32)
 * Operands: EQ..GTE: a = value; BETWEEN: a = min, b = max; AGE_GTE: a = years; else 0.
 * Unused slots are NONE on attribute 0. The IN/NIN set is padded to the set size by repeating
 * its first member (membership is unchanged); with no IN/NIN predicate it is all zeros.
 * setHash = Poseidon(set) (circomlib's Poseidon over the set size).
 */
import { SLOT_NAMES, type SlotName } from '../credential/schema.ts';
import { ZkidError } from '../errors.ts';
import { OPERATORS, type Predicate, policySet } from '../policy.ts';
import { poseidon } from '../poseidon.ts';
import { CHUNK_BITS, type CircuitParams, CMP_BITS, N_OPS, PRED_BITS, requestChunks, SLOT_COUNT, TODAY_BITS } from './registry.ts';

export interface Statement {
  today: number;
  disclose: readonly SlotName[];
  predicates: readonly Predicate[];
}

export interface EncodedStatement {
  request: bigint[];
  set: bigint[];
  setHash: bigint;
  mask: boolean[];
}

function operands(p: Predicate): [number, number] {
  switch (p.op) {
    case 'BETWEEN':
      return [p.value[0], p.value[1]];
    case 'IN':
    case 'NIN':
      return [0, 0];
    default:
      return [p.value, 0];
  }
}

/**
 * Encode a statement for a circuit.
 * @throws ZkidError INVALID_POLICY when it does not fit the circuit
 */
export function encodeStatement(params: CircuitParams, s: Statement): EncodedStatement {
  if (s.predicates.length > params.predicates) {
    throw new ZkidError('INVALID_POLICY', `this circuit has ${params.predicates} predicate slots`, 'predicates');
  }
  if (!Number.isInteger(s.today) || s.today < 0 || s.today >= 2 ** TODAY_BITS) {
    throw new ZkidError('INVALID_DATE', 'today must be a YYYYMMDD date', 'today');
  }
  let bits = 0n;
  let at = 0n;
  const put = (value: bigint, width: number) => {
    bits |= value << at;
    at += BigInt(width);
  };
  put(BigInt(s.today), TODAY_BITS);
  const mask = SLOT_NAMES.map((n) => s.disclose.includes(n));
  for (const m of mask) put(m ? 1n : 0n, 1);
  for (let k = 0; k < params.predicates; k++) {
    const p = s.predicates[k];
    const attr = p ? SLOT_NAMES.indexOf(p.attribute) : 0;
    const op = p ? OPERATORS.indexOf(p.op) : 0;
    const [a, b] = p ? operands(p) : [0, 0];
    put(1n << BigInt(attr), SLOT_COUNT);
    put(1n << BigInt(op), N_OPS);
    put(BigInt(a), CMP_BITS);
    put(BigInt(b), CMP_BITS);
  }
  if (at !== BigInt(TODAY_BITS + SLOT_COUNT + params.predicates * PRED_BITS)) throw new Error('encoding width mismatch');
  const request: bigint[] = [];
  const chunkMask = (1n << BigInt(CHUNK_BITS)) - 1n;
  for (let c = 0; c < requestChunks(params); c++) request.push((bits >> BigInt(c * CHUNK_BITS)) & chunkMask);

  const members = policySet(s.predicates);
  if (members.length > params.setSize) {
    throw new ZkidError('INVALID_POLICY', `the IN/NIN set holds at most ${params.setSize} values`, 'predicates');
  }
  const set = members.length === 0 ? new Array<bigint>(params.setSize).fill(0n) : [...members];
  while (set.length < params.setSize) set.push(members[0] as bigint);
  return { request, set, setHash: poseidon(set), mask };
}
