/**
 * The circuit itself accepts exactly the true statements: each failure case changes one value of
 * a valid input and asserts the reason the witness fails (from the failing assertion's site).
 */
import { beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { holderCommitment } from '../../src/credential/holder.ts';
import { encodeIdNumber } from '../../src/credential/id-number.ts';
import { MAX_SERIAL } from '../../src/credential/schema.ts';
import { toDecimal } from '../../src/field.ts';
import type { Predicate } from '../../src/policy.ts';
import { poseidon } from '../../src/poseidon.ts';
import { computeWitnessValues } from '../../src/prover/witness.ts';
import { assertionFrames } from '../../src/prover/witness-errors.ts';
import { expectFail, expectPass } from '../helpers/circuit.ts';
import { HOLDER_SECRET, OTHER_ISSUER_PRIVATE, policy, rawInput, SERIAL, TODAY, tree, wasm } from '../helpers/zkid.ts';

const ID = encodeIdNumber('E12345678');
const COMMIT = holderCommitment(HOLDER_SECRET);
/** idNumber, birthDate (18 today), validUntil, region, nationality, documentType, serial, holderCommitment */
const slots = (o: Partial<Record<'birthDate' | 'validUntil' | 'region' | 'nationality' | 'serial', bigint>> = {}) => [
  ID,
  o.birthDate ?? 20081125n,
  o.validUntil ?? 20301231n,
  o.region ?? 110105n,
  o.nationality ?? 156n,
  2n,
  o.serial ?? SERIAL,
  COMMIT,
];
const age18: Predicate = { attribute: 'birthDate', op: 'AGE_GTE', value: 18 };

describe('ZkidPresentation accepts a valid statement', () => {
  it('for a holder who turns 18 today, with the nullifier Poseidon(secret, scope)', async () => {
    const w = await expectPass(await rawInput({ slots: slots(), policy: policy([age18]), scope: 99n }));
    expect(w[1]).toBe(poseidon([HOLDER_SECRET, 99n]));
  });

  it('discloses exactly the chosen slots and zeroes the others', async () => {
    const w = await expectPass(await rawInput({ slots: slots(), policy: policy([], ['idNumber', 'region']) }));
    const disclosed = w.slice(2, 10);
    expect(disclosed).toEqual([ID, 0n, 0n, 110105n, 0n, 0n, 0n, 0n]);
  });
});

describe('every operator, true and false', () => {
  const cases: [Predicate, boolean][] = [
    [{ attribute: 'region', op: 'EQ', value: 110105 }, true],
    [{ attribute: 'region', op: 'EQ', value: 110106 }, false],
    [{ attribute: 'region', op: 'NE', value: 110106 }, true],
    [{ attribute: 'region', op: 'NE', value: 110105 }, false],
    [{ attribute: 'nationality', op: 'LT', value: 157 }, true],
    [{ attribute: 'nationality', op: 'LT', value: 156 }, false],
    [{ attribute: 'nationality', op: 'LTE', value: 156 }, true],
    [{ attribute: 'nationality', op: 'LTE', value: 155 }, false],
    [{ attribute: 'nationality', op: 'GT', value: 155 }, true],
    [{ attribute: 'nationality', op: 'GT', value: 156 }, false],
    [{ attribute: 'nationality', op: 'GTE', value: 156 }, true],
    [{ attribute: 'nationality', op: 'GTE', value: 157 }, false],
    [{ attribute: 'region', op: 'BETWEEN', value: [110105, 110105] }, true],
    [{ attribute: 'region', op: 'BETWEEN', value: [110000, 110104] }, false],
    [{ attribute: 'region', op: 'BETWEEN', value: [110106, 119999] }, false],
    [{ attribute: 'nationality', op: 'IN', value: [344, 156, 446] }, true],
    [{ attribute: 'nationality', op: 'IN', value: [344, 446] }, false],
    [{ attribute: 'nationality', op: 'NIN', value: [344, 446] }, true],
    [{ attribute: 'nationality', op: 'NIN', value: [344, 156] }, false],
    [{ attribute: 'idNumber', op: 'IN', value: ['E12345678', 'G00000000'] }, true],
    [{ attribute: 'idNumber', op: 'NIN', value: ['E12345678'] }, false],
    [{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }, true],
    [{ attribute: 'birthDate', op: 'AGE_GTE', value: 19 }, false],
    [{ attribute: 'validUntil', op: 'GT', value: 20301230 }, true],
    [{ attribute: 'validUntil', op: 'GT', value: 20301231 }, false],
  ];
  it.each(cases)('%j holds: %s', async (p, holds) => {
    const input = await rawInput({ slots: slots(), policy: policy([p]) });
    if (holds) await expectPass(input);
    else await expectFail(input, 'PREDICATE_UNSATISFIED', 'a predicate does not hold');
  });

  it('checks all four predicate slots together', async () => {
    const preds: Predicate[] = [
      age18,
      { attribute: 'region', op: 'BETWEEN', value: [110000, 119999] },
      { attribute: 'nationality', op: 'IN', value: [156] },
      { attribute: 'validUntil', op: 'GTE', value: TODAY },
    ];
    await expectPass(await rawInput({ slots: slots(), policy: policy(preds) }));
    preds[3] = { attribute: 'nationality', op: 'NE', value: 156 };
    await expectFail(await rawInput({ slots: slots(), policy: policy(preds) }), 'PREDICATE_UNSATISFIED');
  });
});

describe('ZkidPresentation rejects, for the stated reason', () => {
  it('a holder who turns 18 tomorrow', async () => {
    await expectFail(await rawInput({ slots: slots({ birthDate: 20081126n }), policy: policy([age18]) }), 'PREDICATE_UNSATISFIED');
  });

  it('a credential that expired yesterday, and one expiring today', async () => {
    await expectFail(
      await rawInput({ slots: slots({ validUntil: 20261124n }), policy: policy([]) }),
      'CREDENTIAL_EXPIRED',
      'today >= validUntil',
    );
    await expectFail(
      await rawInput({ slots: slots({ validUntil: BigInt(TODAY) }), policy: policy([]) }),
      'CREDENTIAL_EXPIRED',
      'today >= validUntil',
    );
    await expectPass(await rawInput({ slots: slots({ validUntil: BigInt(TODAY) + 1n }), policy: policy([]) }));
  });

  it.each([
    ['serial 0', 0n],
    ['the first serial of a leaf', 252n * 1000n],
    ['the last serial of a leaf', 252n * 1000n + 251n],
    ['the last serial of the tree', MAX_SERIAL - 1n],
  ])('a revoked serial: %s', async (_label, serial) => {
    // Neighbours revoked too, so only the serial's own bit matters.
    const t = tree([serial, ...(serial > 0n ? [serial - 1n] : []), ...(serial + 1n < MAX_SERIAL ? [serial + 1n] : [])]);
    await expectFail(
      await rawInput({ slots: slots({ serial }), tree: t, policy: policy([]) }),
      'CREDENTIAL_REVOKED',
      'the serial is revoked',
    );
    t.unrevoke(serial);
    await expectPass(await rawInput({ slots: slots({ serial }), tree: t, policy: policy([]) }));
  });

  it('a revocation root the path does not lead to (the tree and the circuit hash alike)', async () => {
    const input = await rawInput({ slots: slots(), tree: tree([SERIAL + 1n]), policy: policy([]) });
    input.revocationRoot = toDecimal(tree([SERIAL + 2n]).root);
    await expectFail(input, 'INVALID_REVOCATION_DATA', 'does not lead to the root');
  });

  it('a tampered slot (signed credential, one attribute changed)', async () => {
    const input = await rawInput({ slots: slots(), policy: policy([]) });
    input.slots[3] = '110106';
    await expectFail(input, 'INVALID_SIGNATURE');
  });

  it("another issuer's key", async () => {
    await expectFail(await rawInput({ slots: slots(), signWith: OTHER_ISSUER_PRIVATE, policy: policy([]) }), 'INVALID_SIGNATURE');
  });

  it('a wrong holder secret', async () => {
    await expectFail(await rawInput({ slots: slots(), secret: HOLDER_SECRET + 1n, policy: policy([]) }), 'HOLDER_MISMATCH');
  });

  it('an order comparison on a value wider than the comparator', async () => {
    const wide = 1n << 40n;
    await expectFail(
      await rawInput({ slots: slots({ region: wide }), policy: policy([{ attribute: 'region', op: 'GT', value: 5 }]) }),
      'PREDICATE_UNSATISFIED',
      'wider than 32 bits',
    );
    // Equality on the same wide value is fine: no comparator is involved.
    await expectPass(await rawInput({ slots: slots({ region: wide }), policy: policy([{ attribute: 'region', op: 'NE', value: 5 }]) }));
  });

  it('an order comparison on the hash-like idNumber slot', async () => {
    const p = { attribute: 'idNumber', op: 'GT', value: 0 } as Predicate;
    await expectFail(await rawInput({ slots: slots(), policy: policy([p]) }), 'PREDICATE_UNSATISFIED', 'hash-like slot');
  });

  it('a serial beyond the tree', async () => {
    // Signed by the issuer, so only the range check can refuse it.
    const input = await rawInput({ slots: slots({ serial: MAX_SERIAL }), revSerial: 0n, policy: policy([]) });
    await expectFail(input, 'SERIAL_OUT_OF_RANGE');
  });

  it('an IN/NIN set that does not match setHash', async () => {
    const input = await rawInput({ slots: slots(), policy: policy([{ attribute: 'nationality', op: 'NIN', value: [344] }]) });
    input.set[15] = '156';
    await expectFail(input, 'INVALID_REQUEST', 'does not match setHash');
  });

  it('inputs >= the field modulus, before the wasm could silently reduce them', async () => {
    const input = await rawInput({ slots: slots(), policy: policy([]) });
    input.holderSecret = (HOLDER_SECRET + 21888242871839275222246405745257275088548364400416034343698204186575808495617n).toString();
    await expectFail(input, 'INVALID_FIELD_ELEMENT', 'holderSecret');
  });
});

describe('29 February birthdays (YYYYMMDD rule)', () => {
  let leap: bigint[];
  beforeAll(() => {
    leap = slots({ birthDate: 20080229n });
  });
  it('are not 18 on 28 February of a non-leap year', async () => {
    await expectFail(await rawInput({ slots: leap, today: 20260228, policy: policy([age18]) }), 'PREDICATE_UNSATISFIED');
  });
  it('are 18 on 1 March of a non-leap year', async () => {
    await expectPass(await rawInput({ slots: leap, today: 20260301, policy: policy([age18]) }));
  });
  it('are 16 on 29 February of a leap year', async () => {
    await expectPass(
      await rawInput({ slots: leap, today: 20240229, policy: policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 16 }]) }),
    );
  });
});

describe('one witness calculator, reused after failures', () => {
  const expired = () => rawInput({ slots: slots({ validUntil: 20261124n }), policy: policy([]) });
  const tooYoung = () => rawInput({ slots: slots(), policy: policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 19 }]) });
  /** The failure's code and message, and the (template, line) frames circom reported for it. */
  const failure = async (input: object) => {
    const e = await computeWitnessValues(wasm, input as Record<string, unknown>).then(
      () => expect.unreachable('the witness computed'),
      (err: { code: string; message: string; cause: Error }) => err,
    );
    return { code: e.code, message: e.message, frames: assertionFrames(e.cause.message).map((f) => `${f.template}:${f.line}`) };
  };

  it('fail (expired) -> fail (predicate) -> pass -> fail (expired) each report their own reason only', async () => {
    await expectPass(await rawInput({ slots: slots(), policy: policy([]) })); // the calculator exists
    // A rebuilt calculator would compile the circuit's wasm again (circom_runtime calls the global
    // WebAssembly.compile, which the spy sees, as the first call shows).
    const compile = vi.spyOn(WebAssembly, 'compile');
    onTestFinished(() => compile.mockRestore());
    await WebAssembly.compile(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    expect(compile).toHaveBeenCalledTimes(1);
    const a1 = await failure(await expired());
    expect(a1).toMatchObject({ code: 'CREDENTIAL_EXPIRED', message: expect.stringContaining('the credential has expired') });
    expect(a1.frames).toContain('ZkidPresentation:94');
    const b = await failure(await tooYoung());
    expect(b).toMatchObject({ code: 'PREDICATE_UNSATISFIED', message: expect.stringContaining('a predicate does not hold') });
    expect(b.frames).not.toContain('ZkidPresentation:94'); // none of the earlier failure's frames
    expect(b.frames).toContain('ZkidPresentation:135');
    // The passing witness after two failures satisfies every constraint of the committed circuit.
    await expectPass(await rawInput({ slots: slots(), policy: policy([{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }]) }));
    const a2 = await failure(await expired());
    expect(a2).toMatchObject({ code: 'CREDENTIAL_EXPIRED', message: expect.stringContaining('the credential has expired') });
    expect(a2.frames).toEqual(a1.frames); // exactly A's frames again, none of B's
    expect(compile, 'no calculator was rebuilt after the failures').toHaveBeenCalledTimes(1);
  });
});
