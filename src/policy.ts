/**
 * Policies: what a service asks a holder to prove. A policy is a list of predicates over
 * credential attributes plus the slots to disclose, e.g. over18 = `birthDate AGE_GTE 18`.
 *
 * Predicate forms (JSON):
 *   { "attribute": "region", "op": "EQ" | "NE" | "LT" | "LTE" | "GT" | "GTE", "value": 110105 }
 *   { "attribute": "validUntil", "op": "BETWEEN", "value": [20260101, 20301231] }   (inclusive)
 *   { "attribute": "nationality", "op": "IN" | "NIN", "value": [156, 344, 446] }    (up to the set size)
 *   { "attribute": "birthDate", "op": "AGE_GTE", "value": 18 }  (birthDate + 18*10000 <= today)
 * Operands of EQ..AGE_GTE are integers below 2^32; set members are any field element (ID numbers
 * are given as strings and encoded). Order comparisons and EQ/NE are refused on the hash-like
 * slots idNumber and holderCommitment.
 *
 * Privacy rules (the holder's protection against a verifier, alone or with the issuer):
 * - no predicate and no disclosure may touch `serial` or `holderCommitment`: both are per-person
 *   values the issuer knows, so any constraint on them (EQ, a range, a set) lets a verifier working
 *   with the issuer single out one holder and link them across services;
 * - predicates that identify a person (disclosing `idNumber`, or IN/NIN on it) are allowed only in
 *   a policy that declares `"identifying": true`, so the holder's wallet can say plainly that the
 *   service will learn who they are and ask first.
 * The same rules are checked by the prover (generateProof refuses such a request whatever parsed
 * it) and by the verifier core.
 */

import { type CircuitParams, CMP_BITS } from './circuit/registry.ts';
import { encodeIdNumber } from './credential/id-number.ts';
import { SLOT_NAMES, type SlotName } from './credential/schema.ts';
import { ZkidError } from './errors.ts';
import { parseFieldElement } from './field.ts';

export const OPERATORS = ['NONE', 'EQ', 'NE', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NIN', 'AGE_GTE'] as const;
export type Operator = (typeof OPERATORS)[number];

export type Predicate =
  | { attribute: SlotName; op: 'EQ' | 'NE' | 'LT' | 'LTE' | 'GT' | 'GTE'; value: number }
  | { attribute: SlotName; op: 'BETWEEN'; value: [number, number] }
  | { attribute: SlotName; op: 'IN' | 'NIN'; value: (number | string)[] }
  | { attribute: 'birthDate'; op: 'AGE_GTE'; value: number };

export interface Policy {
  name: string;
  description?: string;
  predicates: Predicate[];
  disclose: SlotName[];
  /** the service learns who the holder is (idNumber disclosed or constrained); the wallet asks first */
  identifying?: boolean;
}

const HASH_SLOTS: readonly SlotName[] = ['idNumber', 'holderCommitment'];
/** Slots no policy may constrain or disclose: per-person values the issuer knows (see the module doc). */
export const LINKING_SLOTS: readonly SlotName[] = ['serial', 'holderCommitment'];
/** Slots whose predicates or disclosure identify the person: only in policies marked identifying. */
export const IDENTIFYING_SLOTS: readonly SlotName[] = ['idNumber'];
const MAX_OPERAND = 2 ** CMP_BITS - 1;
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function fail(field: string, message: string): never {
  throw new ZkidError('INVALID_POLICY', `${field}: ${message}`, field);
}

function operand(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_OPERAND) {
    fail(field, `must be an integer from 0 to ${MAX_OPERAND}`);
  }
  return v;
}

function attributeName(field: string, v: unknown): SlotName {
  if (typeof v !== 'string' || !(SLOT_NAMES as readonly string[]).includes(v)) {
    fail(field, `must be one of ${SLOT_NAMES.join(', ')}`);
  }
  return v as SlotName;
}

/** The field element a set member stands for (ID numbers are encoded). */
export function setMemberValue(attribute: SlotName, v: number | string, field = 'value'): bigint {
  if (attribute === 'idNumber' && typeof v === 'string' && !/^[0-9]+$/.test(v)) {
    try {
      return encodeIdNumber(v);
    } catch (e) {
      fail(field, e instanceof Error ? e.message : 'not an ID number');
    }
  }
  try {
    return parseFieldElement(field, v);
  } catch (e) {
    fail(field, e instanceof Error ? e.message : 'not a field element');
  }
}

/**
 * Validate a predicate (JSON) for a circuit with the given parameters.
 * @throws ZkidError INVALID_POLICY naming the offending field
 */
export function parsePredicate(input: unknown, params: CircuitParams, field = 'predicate'): Predicate {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail(field, 'must be an object');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['attribute', 'op', 'value'].includes(k)) fail(`${field}.${k}`, 'unknown key');
  const attribute = attributeName(`${field}.attribute`, o.attribute);
  if (LINKING_SLOTS.includes(attribute)) {
    fail(`${field}.attribute`, `predicates on ${attribute} are not allowed: with the issuer's records they single out one holder`);
  }
  const op = o.op;
  if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op) || op === 'NONE') {
    fail(`${field}.op`, `must be one of ${OPERATORS.filter((x) => x !== 'NONE').join(', ')}`);
  }
  const vf = `${field}.value`;
  switch (op) {
    case 'EQ':
    case 'NE':
    case 'LT':
    case 'LTE':
    case 'GT':
    case 'GTE':
      if (HASH_SLOTS.includes(attribute)) {
        fail(`${field}.op`, `${op} is not allowed on ${attribute} (a hash-like slot); use IN with one member or disclosure`);
      }
      return { attribute, op, value: operand(vf, o.value) };
    case 'BETWEEN': {
      if (HASH_SLOTS.includes(attribute)) fail(`${field}.op`, `BETWEEN is not allowed on ${attribute} (a hash-like slot)`);
      if (!Array.isArray(o.value) || o.value.length !== 2) fail(vf, 'must be [min, max]');
      const lo = operand(`${vf}[0]`, o.value[0]);
      const hi = operand(`${vf}[1]`, o.value[1]);
      if (lo > hi) fail(vf, 'min must not exceed max');
      return { attribute, op, value: [lo, hi] };
    }
    case 'IN':
    case 'NIN': {
      if (!Array.isArray(o.value) || o.value.length < 1 || o.value.length > params.setSize) {
        fail(vf, `must be a list of 1 to ${params.setSize} values`);
      }
      const value = o.value.map((m, i) => {
        if (typeof m !== 'number' && typeof m !== 'string') fail(`${vf}[${i}]`, 'must be a number or a string');
        setMemberValue(attribute, m, `${vf}[${i}]`);
        return m;
      });
      return { attribute, op, value };
    }
    case 'AGE_GTE':
      if (attribute !== 'birthDate') fail(`${field}.attribute`, 'AGE_GTE applies to birthDate only');
      if (typeof o.value !== 'number' || !Number.isInteger(o.value) || o.value < 0 || o.value > 200) {
        fail(vf, 'must be a whole number of years from 0 to 200');
      }
      return { attribute: 'birthDate', op: 'AGE_GTE', value: o.value };
    default:
      return fail(`${field}.op`, 'unknown operator');
  }
}

/** The set shared by the IN/NIN predicates of a policy, as field elements (empty when none). */
export function policySet(predicates: readonly Predicate[]): bigint[] {
  let set: bigint[] | undefined;
  predicates.forEach((p, i) => {
    if (p.op !== 'IN' && p.op !== 'NIN') return;
    const values = p.value.map((m, j) => setMemberValue(p.attribute, m, `predicates[${i}].value[${j}]`));
    const key = [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (!set) set = key;
    else if (set.length !== key.length || set.some((v, j) => v !== key[j])) {
      fail(`predicates[${i}].value`, 'the circuit has one IN/NIN set per proof: every IN/NIN predicate must use the same set');
    }
  });
  return set ?? [];
}

/**
 * Validate a whole policy for a circuit.
 * @throws ZkidError INVALID_POLICY naming the offending field
 */
export function parsePolicy(input: unknown, params: CircuitParams): Policy {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('policy', 'must be an object');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['name', 'description', 'predicates', 'disclose', 'identifying'].includes(k)) fail(`policy.${k}`, 'unknown key');
  }
  if (o.identifying !== undefined && typeof o.identifying !== 'boolean') fail('policy.identifying', 'must be true or false');
  if (typeof o.name !== 'string' || !NAME.test(o.name)) fail('policy.name', 'must be 1-64 characters of a-z, 0-9, ".", "_" or "-"');
  if (o.description !== undefined && (typeof o.description !== 'string' || o.description.length > 500)) {
    fail('policy.description', 'must be a string of at most 500 characters');
  }
  const rawPreds = o.predicates ?? [];
  if (!Array.isArray(rawPreds)) fail('policy.predicates', 'must be a list');
  if (rawPreds.length > params.predicates) fail('policy.predicates', `this circuit has ${params.predicates} predicate slots`);
  const predicates = rawPreds.map((p, i) => parsePredicate(p, params, `policy.predicates[${i}]`));
  policySet(predicates);
  const rawDisclose = o.disclose ?? [];
  if (!Array.isArray(rawDisclose)) fail('policy.disclose', 'must be a list of attribute names');
  const disclose = rawDisclose.map((d, i) => {
    const name = attributeName(`policy.disclose[${i}]`, d);
    if (LINKING_SLOTS.includes(name)) fail(`policy.disclose[${i}]`, `disclosing ${name} would link the holder across services`);
    return name;
  });
  if (new Set(disclose).size !== disclose.length) fail('policy.disclose', 'lists an attribute twice');
  const policy: Policy = { name: o.name, predicates, disclose };
  if (typeof o.description === 'string') policy.description = o.description;
  if (o.identifying === true) policy.identifying = true;
  const problem = policyPrivacyProblem(policy);
  if (problem) fail(problem.field, problem.message);
  return policy;
}

/** Does the policy make the holder identifiable (idNumber disclosed or constrained)? */
export function isIdentifyingPolicy(policy: Pick<Policy, 'predicates' | 'disclose'>): boolean {
  return (
    policy.disclose.some((d) => IDENTIFYING_SLOTS.includes(d)) || policy.predicates.some((p) => IDENTIFYING_SLOTS.includes(p.attribute))
  );
}

/**
 * The privacy rules of a policy (see the module doc), checked on an already-shaped policy: by
 * parsePolicy, and again by the prover and the verifier core, whatever produced the policy.
 * @returns the first problem `{field, message}`, or undefined when the policy is acceptable
 */
export function policyPrivacyProblem(policy: Policy): { field: string; message: string } | undefined {
  for (const [i, p] of policy.predicates.entries()) {
    if (LINKING_SLOTS.includes(p.attribute)) {
      return {
        field: `policy.predicates[${i}].attribute`,
        message: `predicates on ${p.attribute} are not allowed: with the issuer's records they single out one holder`,
      };
    }
  }
  for (const [i, d] of policy.disclose.entries()) {
    if (LINKING_SLOTS.includes(d))
      return { field: `policy.disclose[${i}]`, message: `disclosing ${d} would link the holder across services` };
  }
  if (isIdentifyingPolicy(policy) && policy.identifying !== true) {
    const i = policy.predicates.findIndex((p) => IDENTIFYING_SLOTS.includes(p.attribute));
    return {
      field: i >= 0 ? `policy.predicates[${i}]` : `policy.disclose[${policy.disclose.findIndex((d) => IDENTIFYING_SLOTS.includes(d))}]`,
      message: 'this policy identifies the holder (idNumber disclosed or constrained): it must declare "identifying": true',
    };
  }
  return undefined;
}

/** Example policies; services configure their own. */
export const BUILTIN_POLICIES: Record<string, Policy> = {
  over18: {
    name: 'over18',
    description: 'The holder is 18 or older and holds a valid ID.',
    predicates: [{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }],
    disclose: [],
  },
  'valid-id': {
    name: 'valid-id',
    description: 'The holder holds a signed, unexpired, unrevoked ID (checked by every proof).',
    predicates: [],
    disclose: [],
  },
  'adult-resident-of-region': {
    name: 'adult-resident-of-region',
    description: 'The holder is 18 or older and registered in Beijing (GB/T 2260 codes 110000-119999).',
    predicates: [
      { attribute: 'birthDate', op: 'AGE_GTE', value: 18 },
      { attribute: 'region', op: 'BETWEEN', value: [110000, 119999] },
    ],
    disclose: [],
  },
};
