/**
 * Groth16 re-randomisation, for tests and benchmarks that need many distinct valid proofs of one
 * statement without proving each: (A, B, C) -> (A/r, rB + rs·delta, C + sA) for random r, s
 * satisfies the same pairing equation. Call after the mcl engine is initialised (prepareVerifier).
 */
import * as mcl from 'mcl-wasm';
import type { Groth16Proof } from '../../src/request.ts';
import type { VerificationKey } from '../../src/verifier/groth16-checks.ts';

export const g1Of = (p: readonly string[]): mcl.G1 => {
  const g = new mcl.G1();
  g.setStr(`1 ${p[0]} ${p[1]}`, 10);
  return g;
};
export const g2Of = (p: readonly (readonly string[])[]): mcl.G2 => {
  const g = new mcl.G2();
  g.setStr(`1 ${p[0]?.[0]} ${p[0]?.[1]} ${p[1]?.[0]} ${p[1]?.[1]}`, 10);
  return g;
};
export const g1Json = (g: mcl.G1): [string, string, string] => {
  const [, x, y] = mcl.normalize(g).getStr(10).split(' ');
  return [x as string, y as string, '1'];
};
export const g2Json = (g: mcl.G2): Groth16Proof['pi_b'] => {
  const [, x0, x1, y0, y1] = mcl.normalize(g).getStr(10).split(' ');
  return [
    [x0 as string, x1 as string],
    [y0 as string, y1 as string],
    ['1', '0'],
  ];
};

/** Another valid proof of the same statement (fresh r, s from the CSPRNG). */
export function rerandomiseProof(proof: Groth16Proof, vk: VerificationKey): Groth16Proof {
  const r = new mcl.Fr();
  r.setByCSPRNG();
  const s = new mcl.Fr();
  s.setByCSPRNG();
  const A = g1Of(proof.pi_a);
  const delta = g2Of(vk.vk_delta_2);
  return {
    ...proof,
    pi_a: g1Json(mcl.mul(A, mcl.inv(r))),
    pi_b: g2Json(mcl.add(mcl.mul(g2Of(proof.pi_b), r), mcl.mul(delta, mcl.mul(r, s)))),
    pi_c: g1Json(mcl.add(g1Of(proof.pi_c), mcl.mul(A, s))),
  };
}
