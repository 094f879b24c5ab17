/**
 * Tampered witnesses: a valid witness with one signal edited must break a constraint. The
 * untampered witness satisfies every constraint, so each failure is due to the edit alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../scripts/lib/r1cs.ts';
import { holderCommitment } from '../../src/credential/holder.ts';
import { encodeIdNumber } from '../../src/credential/id-number.ts';
import type { CircuitInput } from '../../src/prover/witness.ts';
import { computeWitness } from '../../src/prover/witness.ts';
import { committedCircuit, tamperedWitness, witnessSatisfies, wtnsValues } from '../helpers/circuit.ts';
import { HOLDER_SECRET, policy, rawInput, SERIAL, tree, wasm } from '../helpers/zkid.ts';

let input: CircuitInput;

beforeAll(async () => {
  const slots = [encodeIdNumber('E12345678'), 20081125n, 20301231n, 110105n, 156n, 2n, SERIAL, holderCommitment(HOLDER_SECRET)];
  input = await rawInput({
    slots,
    tree: tree([SERIAL + 1n]),
    policy: policy(
      [
        { attribute: 'birthDate', op: 'AGE_GTE', value: 18 },
        { attribute: 'nationality', op: 'IN', value: [156, 344] },
        { attribute: 'region', op: 'EQ', value: 110105 },
      ],
      ['region'],
    ),
  });
});

describe('a tampered witness breaks a constraint', () => {
  it('(the untampered witness satisfies them all)', async () => {
    const wtns = await computeWitness(wasm, input);
    expect(await witnessSatisfies(wtns)).toBe(true);
    expect(evaluate(await committedCircuit(), wtnsValues(wtns)).ok).toBe(true);
  });

  it.each([
    ['the nullifier', 'main.nullifier', (v: bigint) => v + 1n],
    ['a disclosed value', 'main.disclosed[3]', (v: bigint) => v + 1n],
    ['a disclosed value of an undisclosed slot', 'main.disclosed[1]', () => 20081125n],
    ['the order-predicate result (AGE_GTE)', 'main.pred[0].orderOk', () => 0n],
    ['the set-membership result (IN)', 'main.pred[1].inSet.out', () => 0n],
    ['the equality result (EQ)', 'main.pred[2].eq.out', () => 0n],
    ['a Merkle index bit (made non-boolean)', 'main.rev.jBits.out[0]', (v: bigint) => v + 2n],
    ['a bit of the revocation leaf (made non-boolean)', 'main.rev.leafBits.out[18]', (v: bigint) => v + 2n],
    ['a request bit (made non-boolean)', 'main.bits[30]', (v: bigint) => v + 2n],
  ])('%s', async (_label, signal, edit) => {
    const wtns = await tamperedWitness(input, signal, edit);
    expect(await witnessSatisfies(wtns)).toBe(false);
    // The project's own R1CS evaluator (used by the mutant tests) agrees with snarkjs, and names
    // a broken constraint over the edited signal.
    const e = evaluate(await committedCircuit(), wtnsValues(wtns));
    expect(e.ok).toBe(false);
    if (!e.ok) expect(e.violations.some((v) => v.signals.includes(signal))).toBe(true);
  });
});
