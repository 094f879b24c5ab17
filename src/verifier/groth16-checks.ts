/**
 * Structural checks on Groth16 proofs and verification keys that snarkjs leaves out: canonical
 * coordinates (< q), affine form, no point at infinity, G1 points on the curve, G2 points on the
 * twist and in the order-r subgroup; verification keys with the expected shape and gamma != delta
 * (a key whose phase 2 nobody contributed to has gamma == delta, and proofs for it can be forged).
 */
import { BASE_MODULUS, parseCoordinate } from '../field.ts';

export { BASE_MODULUS };

export interface VerificationKey {
  protocol: 'groth16';
  curve: 'bn128';
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  IC: string[][];
  [k: string]: unknown;
}

function g1(v: unknown): [bigint, bigint] | undefined {
  if (!Array.isArray(v) || v.length !== 3 || v[2] !== '1') return undefined;
  const x = parseCoordinate(v[0]);
  const y = parseCoordinate(v[1]);
  if (x === undefined || y === undefined) return undefined;
  // y^2 = x^3 + 3 over Fq; G1 has cofactor 1, so on-curve means in the group.
  if ((y * y - x * x * x - 3n) % BASE_MODULUS !== 0n) return undefined;
  return [x, y];
}

function g2(v: unknown): string[][] | undefined {
  if (!Array.isArray(v) || v.length !== 3) return undefined;
  const [x, y, z] = v as unknown[];
  if (!Array.isArray(z) || z[0] !== '1' || z[1] !== '0') return undefined;
  for (const c of [x, y]) {
    if (!Array.isArray(c) || c.length !== 2 || parseCoordinate(c[0]) === undefined || parseCoordinate(c[1]) === undefined) return undefined;
  }
  return v as string[][];
}

/**
 * Why a proof is malformed at the text level (canonical affine coordinates, G1 points on the
 * curve), or undefined. The G2 point's curve and subgroup membership are checked once, when it is
 * parsed for the pairing (groth16-mcl.ts parseProof).
 */
export function proofShapeProblem(proof: unknown): string | undefined {
  if (typeof proof !== 'object' || proof === null) return 'proof must be an object';
  const p = proof as Record<string, unknown>;
  if (p.protocol !== undefined && p.protocol !== 'groth16') return 'proof.protocol must be groth16';
  if (p.curve !== undefined && p.curve !== 'bn128') return 'proof.curve must be bn128';
  if (!g1(p.pi_a)) return 'proof.pi_a is not a canonical affine point on G1';
  if (!g1(p.pi_c)) return 'proof.pi_c is not a canonical affine point on G1';
  if (!g2(p.pi_b)) return 'proof.pi_b is not a canonical affine G2 point';
  return undefined;
}

export interface KeyProblem {
  /** INSECURE_VERIFICATION_KEY: forgeable (gamma == delta); INVALID_VERIFICATION_KEY: unusable */
  code: 'INSECURE_VERIFICATION_KEY' | 'INVALID_VERIFICATION_KEY';
  message: string;
}

/** Why a verification key is unusable, or undefined. */
export function verificationKeyProblem(vk: unknown, nPublic: number): KeyProblem | undefined {
  const invalid = (message: string): KeyProblem => ({ code: 'INVALID_VERIFICATION_KEY', message });
  if (typeof vk !== 'object' || vk === null) return invalid('verification key must be an object');
  const k = vk as Partial<VerificationKey>;
  if (k.protocol !== 'groth16' || k.curve !== 'bn128') return invalid('verification key must be groth16 on bn128');
  if (k.nPublic !== nPublic) return invalid(`verification key has nPublic ${String(k.nPublic)}, the circuit has ${nPublic}`);
  if (!Array.isArray(k.IC) || k.IC.length !== nPublic + 1) return invalid('verification key IC has the wrong length');
  if (!g1(k.vk_alpha_1)) return invalid('verification key vk_alpha_1 is not a canonical affine point on G1');
  for (const [i, p] of k.IC.entries()) if (!g1(p)) return invalid(`verification key IC[${i}] is not a canonical affine point on G1`);
  const g2Points: Record<string, bigint[]> = {};
  for (const name of ['vk_beta_2', 'vk_gamma_2', 'vk_delta_2'] as const) {
    const p = g2(k[name]);
    if (!p) return invalid(`verification key ${name} is not a canonical affine G2 point`);
    g2Points[name] = [p[0]?.[0], p[0]?.[1], p[1]?.[0], p[1]?.[1]].map((c) => BigInt(c as string));
  }
  // Compared as points (coordinates as numbers), not as JSON text that could spell one point two ways.
  const gamma = g2Points.vk_gamma_2 as bigint[];
  const delta = g2Points.vk_delta_2 as bigint[];
  if (gamma.every((c, i) => c === delta[i])) {
    return {
      code: 'INSECURE_VERIFICATION_KEY',
      message: 'verification key has gamma == delta: nobody contributed to its phase 2, and proofs can be forged',
    };
  }
  return undefined;
}
