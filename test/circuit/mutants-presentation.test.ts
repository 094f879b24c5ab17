/**
 * Mutants of ZkidPresentation (presentation.circom) and Predicate (predicates.circom), at the
 * default instance's parameters: each guard removed, a forged witness that exploits its absence,
 * accepted by the mutant and refused by the COMMITTED circuit (circuits/build/<default>/circuit.r1cs)
 * at that guard.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_INPUTS } from '../../scripts/lib/circuits.ts';
import { derivedTemplate, type MainSpec, removeLine } from '../../scripts/lib/mutants.ts';
import { type Circuit, FIELD_P, loadCircuit } from '../../scripts/lib/r1cs.ts';
import { holderCommitment } from '../../src/credential/holder.ts';
import { encodeIdNumber } from '../../src/credential/id-number.ts';
import { poseidon } from '../../src/poseidon.ts';
import type { CircuitInput } from '../../src/prover/witness.ts';
import { build, HOLDER_SECRET, params, policy, rawInput, SERIAL } from '../helpers/zkid.ts';
import { expectHonest, expectMutantAccepts, expectMutantRefuses } from './mutant-harness.ts';

const FILE = 'presentation.circom';
const PRED = 'predicates.circom';
const MAIN: MainSpec = {
  file: FILE,
  template: 'ZkidPresentation',
  params: [params.arityBits, params.levels, params.predicates, params.setSize],
  public: PUBLIC_INPUTS,
};

const REGION = 110105n;
const slots = (o: { idNumber?: bigint; validUntil?: bigint } = {}) => [
  o.idNumber ?? encodeIdNumber('E12345678'),
  20081125n,
  o.validUntil ?? 20301231n,
  REGION,
  156n,
  2n,
  SERIAL,
  holderCommitment(HOLDER_SECRET),
];
const asInput = (x: CircuitInput) => x as unknown as Record<string, unknown>;
/** Inverse mod p. */
const inv = (x: bigint) => {
  let r = 1n;
  let b = ((x % FIELD_P) + FIELD_P) % FIELD_P;
  for (let e = FIELD_P - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % FIELD_P;
    b = (b * b) % FIELD_P;
  }
  return r;
};
/** The request's Num2Bits without booleanity, generated from circomlib's (the mutation of the request bits). */
const looseRequestBits = async () => {
  const loose = await derivedTemplate('bitify.circom', 'Num2Bits', 'Num2BitsLoose', [['out[i] * (out[i] -1 ) === 0;', '']]);
  return [
    { file: FILE, find: 'unpack[c] = Num2Bits(width);', replace: 'unpack[c] = Num2BitsLoose(width);' },
    { file: FILE, find: '// ZkidPresentation\n', replace: `${loose}\n// ZkidPresentation\n` },
  ];
};
/** Forger hint: chunk 0's bits as computed, except these (bit index -> field value). */
const chunk0Bits = (bits: Record<number, bigint>) => ({
  file: FILE,
  find: 'out[i] <-- (in >> i) & 1;',
  replace: `out[i] <-- ${Object.entries(bits).reduceRight((e, [i, v]) => `((n == 252 && i == ${i}) ? ${v} : ${e})`, '((in >> i) & 1)')};`,
});

let real: Circuit;
beforeAll(async () => {
  real = await loadCircuit(join(build.dir, 'circuit.r1cs'), join(build.dir, 'circuit.sym'));
}, 600_000);

// A first run compiles (a minute or more per variant on a loaded 2-core machine); later runs hit the cache.
describe('ZkidPresentation mutants (the committed circuit refuses each forgery)', { timeout: 900_000 }, () => {
  it('(an honest witness satisfies the committed circuit)', async () => {
    await expectHonest(MAIN, real, asInput(await rawInput({ slots: slots(), policy: policy([]) })));
  });

  it("mutant 'presentation: challenge squared': one proof's witness answers another request's challenge", async () => {
    // Without the square, `challenge` is in no constraint: its verifying-key term is the point at
    // infinity and any value verifies. The forged assignment is request A's witness with B's challenge.
    await expectMutantAccepts({
      guard: 'presentation: challenge squared',
      main: MAIN,
      real,
      mutation: removeLine(FILE, 'signal challengeSquare <== challenge * challenge;'),
      forgerKeepsGuard: true,
      input: asInput(await rawInput({ slots: slots(), policy: policy([]), challenge: 7n })),
      overrides: { 'main.challenge': 8n },
      refusedBy: /^main\.(challenge|challengeSquare)$/,
    });
  });

  it("mutant 'presentation: today < validUntil': a credential that expired yesterday", async () => {
    await expectMutantAccepts({
      guard: 'presentation: today < validUntil',
      main: MAIN,
      real,
      mutation: removeLine(FILE, 'unexpired.out === 1;'),
      input: asInput(await rawInput({ slots: slots({ validUntil: 20261124n }), policy: policy([]) })),
      refusedBy: /^main\.unexpired\./,
    });
  });

  it("mutant 'presentation: nullifier = Poseidon(holderSecret, scope)': a second pseudonym at the same service", async () => {
    await expectMutantAccepts({
      guard: 'presentation: nullifier = Poseidon(holderSecret, scope)',
      main: MAIN,
      real,
      mutation: {
        file: FILE,
        find: 'nullifier <== Poseidon(2)([holderSecret, scope]);',
        replace: 'signal nullifierHash <== Poseidon(2)([holderSecret, scope]); nullifier <-- nullifierHash;',
      },
      input: asInput(await rawInput({ slots: slots(), policy: policy([]), scope: 42n })),
      overrides: { 'main.nullifier': poseidon([HOLDER_SECRET + 1n, 42n]) },
      refusedBy: /^main\.nullifier$/,
    });
  });

  it("mutant 'presentation: disclosed = slot * mask': a disclosed region the credential does not hold", async () => {
    await expectMutantAccepts({
      guard: 'presentation: disclosed = slot * mask',
      main: MAIN,
      real,
      mutation: { file: FILE, find: 'disclosed[i] <== slots[i] * mask[i];', replace: 'disclosed[i] <-- slots[i] * mask[i];' },
      input: asInput(await rawInput({ slots: slots(), policy: policy([], ['region']) })),
      overrides: { 'main.disclosed[3]': 310000n },
      refusedBy: /^main\.disclosed\[3\]$/,
    });
  });

  it("mutant 'presentation: setHash binding': NIN {156} passed by a holder of nationality 156", async () => {
    const input = await rawInput({ slots: slots(), policy: policy([{ attribute: 'nationality', op: 'NIN', value: [156] }]) });
    expect(input.set).toContain('156');
    input.set = input.set.map((v) => (v === '156' ? '344' : v));
    await expectMutantAccepts({
      guard: 'presentation: setHash binding',
      main: MAIN,
      real,
      mutation: removeLine(FILE, 'setDigest === setHash;'),
      input: asInput(input),
      refusedBy: /^main\.(setDigest|setHash)$/,
    });
  });

  it("mutant 'presentation: every predicate holds': an 18-year-old proves AGE_GTE 19", async () => {
    await expectMutantAccepts({
      guard: 'presentation: every predicate holds',
      main: MAIN,
      real,
      mutation: removeLine(FILE, 'pred[k].ok === 1;'),
      input: asInput(await rawInput({ slots: slots(), policy: policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 19 }]) })),
      refusedBy: /^main\.pred\[0\]\./,
    });
  });

  it("mutant 'predicates: no order comparison on hash-like slots': idNumber LT x orders ID numbers", async () => {
    // A short document number ('E1') fits 32 bits, so only this guard stops ordering it.
    const id = encodeIdNumber('E1');
    expect(id < 1n << 32n).toBe(true);
    await expectMutantAccepts({
      guard: 'predicates: no order comparison on hash-like slots',
      main: MAIN,
      real,
      mutation: removeLine(PRED, 'isOrder * (attr[0] + attr[SLOTS - 1]) === 0;'),
      input: asInput(
        await rawInput({ slots: slots({ idNumber: id }), policy: policy([{ attribute: 'idNumber', op: 'LT', value: Number(id) + 1 }]) }),
      ),
      refusedBy: /^main\.(pred\[0\]\.(attr\[0\]|op\[\d+\])|bits\[\d+\]|unpack\[0\]\.out\[\d+\])$/,
    });
  });

  it("mutant 'presentation: mask bits boolean': a disclosed region the credential does not hold", async () => {
    // Without booleanity the request's bits are any field elements with the same weighted sum:
    // mask[3] = 1 + 2t and mask[4] = -t keep the packed value, and disclosed[3] = region*(1+2t)
    // becomes any value the holder likes.
    const FAKE = 310000n;
    const m3 = (FAKE * inv(REGION)) % FIELD_P; // 1 + 2t
    const t = ((m3 - 1n + FIELD_P) * inv(2n)) % FIELD_P;
    const m4 = (FIELD_P - t) % FIELD_P;
    const o = await expectMutantAccepts({
      guard: 'presentation: mask bits boolean',
      main: MAIN,
      real,
      mutation: await looseRequestBits(),
      hints: [chunk0Bits({ 30: m3, 31: m4 })],
      input: asInput(await rawInput({ slots: slots(), policy: policy([], ['region']) })),
      refusedBy: /^main\.(unpack\[0\]\.out\[3[01]\]|bits\[3[01]\]|mask\[[34]\])$/,
    });
    expect(o.values.get('main.disclosed[3]')).toBe(FAKE);
  });

  it("mutant 'presentation: request bits boolean (today's range)': an expired credential, today read as 2024-01-01", async () => {
    // Same mutation, another forgery: bit 26 of `today` takes -delta and bit 220 (the lowest bit
    // of predicate slot 2's unused operand a) takes delta * 2^26 / 2^220, so the packed value is
    // unchanged while the decoded today becomes 20240101, before the credential's expiry.
    const TODAY = 20261125n;
    const PAST = 20240101n;
    expect((TODAY >> 26n) & 1n).toBe(0n);
    const delta = ((TODAY - PAST) * inv(1n << 26n)) % FIELD_P;
    const o = await expectMutantAccepts({
      guard: "presentation: request bits boolean (today's range)",
      main: MAIN,
      real,
      mutation: await looseRequestBits(),
      hints: [chunk0Bits({ 26: (FIELD_P - delta) % FIELD_P, 220: ((TODAY - PAST) * inv(1n << 220n)) % FIELD_P })],
      input: asInput(
        await rawInput({ slots: slots({ validUntil: 20261124n }), policy: policy([{ attribute: 'region', op: 'EQ', value: 110105 }]) }),
      ),
      refusedBy: /^main\.(unpack\[0\]\.out\[(26|220)\]|bits\[(26|220)\])$/,
    });
    expect(o.values.get('main.unexpired.in[0]')).toBe(PAST);
  });

  it("mutant 'predicates: compared value range (Num2Bits(32))' is redundant: the comparators bound it", async () => {
    // vc = region = p - 5 ("-5") under LT 100: the upper comparator alone would accept it, but the
    // lower one (0 < vc + 1, LessThan(33)) needs vc + 1 < 2^33, so the mutant still refuses.
    await expectMutantRefuses({
      guard: 'predicates: compared value range (Num2Bits(32))',
      main: MAIN,
      real,
      mutation: { file: PRED, find: 'vcRange.in <== vc;', replace: 'vcRange.in <== 0;' },
      hints: [removeLine(FILE, 'pred[k].ok === 1;')],
      input: asInput(
        await rawInput({
          slots: slots().map((v, i) => (i === 3 ? FIELD_P - 5n : v)),
          policy: policy([{ attribute: 'region', op: 'LT', value: 100 }]),
        }),
      ),
      refusedBy: /^main\.pred\[0\]\.(ok|orderOk|orderTerm|lowerCmp\.)/,
    });
  });
});
