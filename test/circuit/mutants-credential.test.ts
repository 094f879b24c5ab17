/**
 * Mutants of CredentialCheck (credential.circom) and of the circomlib signature path it uses
 * (EdDSAPoseidonVerifier, Num2Bits_strict's AliasCheck, BabyCheck), compiled alone: each guard
 * removed, a forged witness that exploits its absence, accepted by the mutant and refused by the
 * real circuit at that guard.
 */
import { createRequire } from 'node:module';
import { buildEddsa } from 'circomlibjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { derivedTemplate, type Edit, type MainSpec, removeLine } from '../../scripts/lib/mutants.ts';
import type { Circuit } from '../../scripts/lib/r1cs.ts';
import { FIELD_P } from '../../scripts/lib/r1cs.ts';
import { holderCommitment } from '../../src/credential/holder.ts';
import { encodeIdNumber } from '../../src/credential/id-number.ts';
import { credentialHash } from '../../src/credential/schema.ts';
import { toDecimal } from '../../src/field.ts';
import { poseidon } from '../../src/poseidon.ts';
import { HOLDER_SECRET, ISSUER_PRIVATE, issuer, rawSign } from '../helpers/zkid.ts';
import { expectHonest, expectMutantAccepts, expectMutantRefuses, realCircuit } from './mutant-harness.ts';

const FILE = 'credential.circom';
const EDDSA = 'circomlib/eddsaposeidon.circom';
const MAIN: MainSpec = { file: FILE, template: 'CredentialCheck', params: [8, 1], public: ['issuerAx', 'issuerAy'] };
/** BabyJubJub's prime subgroup order (circomlib's EdDSA requires S below it). */
const SUBORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041n;
const A_COEFF = 168700n;
const D_COEFF = 168696n;

const slotsWith = (region: bigint) => [
  encodeIdNumber('E12345678'),
  20081125n,
  20301231n,
  region,
  156n,
  2n,
  252000n,
  holderCommitment(HOLDER_SECRET),
];

async function input(o: { slots?: bigint[]; secret?: bigint; sig?: { R8: [string, string]; S: string }; key?: [string, string] } = {}) {
  const slots = o.slots ?? slotsWith(110105n);
  const key = await issuer();
  const sig = o.sig ?? (await rawSign(ISSUER_PRIVATE, slots));
  return {
    slots: slots.map(toDecimal),
    holderSecret: toDecimal(o.secret ?? HOLDER_SECRET),
    issuerAx: (o.key ?? key.publicKey)[0],
    issuerAy: (o.key ?? key.publicKey)[1],
    sigR8x: sig.R8[0],
    sigR8y: sig.R8[1],
    sigS: sig.S,
  };
}

const modPow = (b: bigint, e: bigint, m: bigint): bigint => {
  let r = 1n;
  let x = b % m;
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) r = (r * x) % m;
    x = (x * x) % m;
  }
  return r;
};

let real: Circuit;
beforeAll(async () => {
  real = await realCircuit(MAIN);
}, 600_000);

// A first run compiles (a minute or more per variant on a loaded 2-core machine); later runs hit the cache.
describe('CredentialCheck and signature-path mutants', { timeout: 900_000 }, () => {
  it('(an honest witness satisfies the real circuit)', async () => {
    await expectHonest(MAIN, real, await input());
  });

  it("mutant 'credential: holder commitment': a stolen credential presented without its holder's secret", async () => {
    await expectMutantAccepts({
      guard: 'credential: holder commitment',
      main: MAIN,
      real,
      mutation: removeLine(FILE, 'slots[SLOTS - 1] === commitment;'),
      input: await input({ secret: HOLDER_SECRET + 1n }),
      refusedBy: /^main\.(slots\[7\]|commitment)$/,
    });
  });

  it("mutant 'credential: the signature covers the slots (M = credentialHash)': one attribute changed", async () => {
    // The issuer signed region 110105; the holder claims 310000 and feeds the verifier the hash
    // that was signed.
    const signed = slotsWith(110105n);
    const sig = await rawSign(ISSUER_PRIVATE, signed);
    await expectMutantAccepts({
      guard: 'credential: the signature covers the slots (M = credentialHash)',
      main: MAIN,
      real,
      mutation: { file: FILE, find: 'sig.M <== credentialHash;', replace: 'sig.M <-- credentialHash;' },
      hints: [{ file: FILE, find: 'sig.M <== credentialHash;', replace: `sig.M <-- ${credentialHash(signed)};` }],
      forgerKeepsGuard: true,
      input: await input({ slots: slotsWith(310000n), sig }),
      refusedBy: /^main\.(sig\.M|credentialHash|h\.out)$/,
    });
  });

  it("mutant 'credential: signature enabled = 1': any signature accepted", async () => {
    const honest = await rawSign(ISSUER_PRIVATE, slotsWith(110105n));
    await expectMutantAccepts({
      guard: 'credential: signature enabled = 1',
      main: MAIN,
      real,
      mutation: { file: FILE, find: 'sig.enabled <== 1;', replace: 'sig.enabled <== 0;' },
      input: await input({ sig: { R8: honest.R8, S: '1234567' } }),
      // O2 folds ForceEqualIfEnabled into "S*B8 == R8 + 8hA" on the adder's outputs
      refusedBy: /^main\.sig\.(eqCheck[XY]\.|addRight\.[xy]out$)/,
    });
  });

  it("mutant 'EdDSA: S < subgroup order': a second signature S + l for the same message", async () => {
    const honest = await rawSign(ISSUER_PRIVATE, slotsWith(110105n));
    await expectMutantAccepts({
      guard: 'EdDSA: S < subgroup order',
      main: MAIN,
      real,
      mutation: removeLine(EDDSA, 'compConstant.out*enabled === 0;'),
      input: await input({ sig: { R8: honest.R8, S: (BigInt(honest.S) + SUBORDER).toString() } }),
      refusedBy: /^main\.sig\.(compConstant|snum2bits)\./,
    });
  });

  it("mutant 'EdDSA: 8*A is not the identity': a low-order issuer key verifies any message", async () => {
    // With A = (0, 1), 8*h*A is the identity, so S*B8 == R8 holds for R8 = S*B8 and any M.
    const eddsa = await buildEddsa();
    const R8 = eddsa.babyJub.mulPointEscalar(eddsa.babyJub.Base8, 5n);
    const sig = { R8: [eddsa.F.toObject(R8[0]).toString(), eddsa.F.toObject(R8[1]).toString()] as [string, string], S: '5' };
    await expectMutantAccepts({
      guard: 'EdDSA: 8*A is not the identity',
      main: MAIN,
      real,
      mutation: removeLine(EDDSA, 'isZero.out*enabled === 0;'),
      input: await input({ sig, key: ['0', '1'] }),
      refusedBy: /^main\.sig\.isZero\./,
    });
  });

  it("mutant 'EdDSA: alias check of h (Num2Bits_strict)': a signature for h + p instead of h", async () => {
    // Without AliasCheck, h's 254 bits may spell h + p. A signature made for the scalar h + p
    // (S' = S + p*s mod l) then verifies in the mutant; the real verifier refuses it.
    const key = await issuer();
    const require = createRequire(import.meta.url);
    const blake = require('blake-hash') as (alg: string) => { update(b: Buffer): { digest(): Buffer } };
    const h1 = blake('blake512').update(Buffer.from(ISSUER_PRIVATE, 'hex')).digest();
    const sBuf = Buffer.from(h1.subarray(0, 32));
    sBuf[0] = (sBuf[0] as number) & 0xf8;
    sBuf[31] = ((sBuf[31] as number) & 0x7f) | 0x40;
    const s = BigInt(`0x${Buffer.from(sBuf).reverse().toString('hex')}`);
    // Find a credential whose h fits 254 bits after adding p (about one in three does).
    let slots: bigint[] = [];
    let sig = { R8: ['', ''] as [string, string], S: '' };
    for (let region = 110105n; ; region++) {
      slots = slotsWith(region);
      sig = await rawSign(ISSUER_PRIVATE, slots);
      const h = poseidon([BigInt(sig.R8[0]), BigInt(sig.R8[1]), BigInt(key.publicKey[0]), BigInt(key.publicKey[1]), credentialHash(slots)]);
      if (h + FIELD_P < 1n << 254n) break;
    }
    const forgedS = (BigInt(sig.S) + FIELD_P * s) % SUBORDER;
    const forgedBits = await derivedTemplate('bitify.circom', 'Num2Bits', 'ForgedNum2Bits', [
      ['var lc1=0;', 'var lc1=0;\n    var carry = 1;'],
      // bits of in + p = in + (p - 1) + 1, by schoolbook addition
      [
        'out[i] <-- (in >> i) & 1;',
        'var sum = ((in >> i) & 1) + ((-1 >> i) & 1) + carry;\n        out[i] <-- sum % 2;\n        carry = sum \\ 2;',
      ],
    ]);
    const forgedStrict = await derivedTemplate('bitify.circom', 'Num2Bits_strict', 'ForgedNum2BitsStrict', [
      ['component n2b = Num2Bits(254);', 'component n2b = ForgedNum2Bits(254);'],
    ]);
    const hints: Edit[] = [
      {
        file: EDDSA,
        find: 'template EdDSAPoseidonVerifier() {',
        replace: `${forgedBits}\n${forgedStrict}\ntemplate EdDSAPoseidonVerifier() {`,
      },
      { file: EDDSA, find: 'component h2bits = Num2Bits_strict();', replace: 'component h2bits = ForgedNum2BitsStrict();' },
    ];
    await expectMutantAccepts({
      guard: 'EdDSA: alias check of h (Num2Bits_strict)',
      main: MAIN,
      real,
      mutation: removeLine('circomlib/aliascheck.circom', 'compConstant.out === 0;'),
      hints,
      input: await input({ slots, sig: { R8: sig.R8, S: forgedS.toString() } }),
      refusedBy: /^main\.sig\.h2bits\.aliasCheck\./,
    });
  });

  it("mutant 'credential: R8 on curve' is defence in depth: the signature equation still binds R8", async () => {
    // BabyAdd's formulas have exceptional inputs only where 1 +- d*x1*x2*y1*y2 = 0 together with a
    // zero numerator; solving those needs a square root of d or of a*d, and both are non-squares
    // mod p, so an off-curve R8 cannot make the addition degenerate. A forger would need an R8
    // whose hash-dependent sum R8 + 8*H(R8, A, M)*A lands on S*B8: a random target.
    expect(modPow(D_COEFF, (FIELD_P - 1n) / 2n, FIELD_P)).toBe(FIELD_P - 1n);
    expect(modPow((A_COEFF * D_COEFF) % FIELD_P, (FIELD_P - 1n) / 2n, FIELD_P)).toBe(FIELD_P - 1n);
    const honest = await rawSign(ISSUER_PRIVATE, slotsWith(110105n));
    const offCurve = { R8: [honest.R8[0], (BigInt(honest.R8[1]) + 1n).toString()] as [string, string], S: honest.S };
    const o = await expectMutantRefuses({
      guard: 'credential: R8 on curve',
      main: MAIN,
      real,
      mutation: removeLine('circomlib/babyjub.circom', 'a*x2 + y2 === 1 + d*x2*y2;'),
      // the forger only drops the equality assertion so that it can compute the rest
      hints: [removeLine('circomlib/comparators.circom', '(1 - isz.out)*enabled === 0;')],
      input: await input({ sig: offCurve }),
      refusedBy: /^main\.sig\.eqCheck[XY]\./,
    });
    expect(o.real.violations.some((v) => v.signals.some((x) => /^main\.r8OnCurve\./.test(x)))).toBe(true);
  });
});
