/**
 * Mutants of BitmapNonRevocation (revocation.circom), compiled alone at a small tree (8-ary, one
 * level: leaves 0-7, serials 0-2015): each guard removed, a forged witness that exploits its
 * absence, accepted by the mutant and refused by the real circuit at that guard.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Edit, MainSpec } from '../../scripts/lib/mutants.ts';
import { derivedTemplate, removeLine } from '../../scripts/lib/mutants.ts';
import type { Circuit } from '../../scripts/lib/r1cs.ts';
import { toDecimal } from '../../src/field.ts';
import { RevocationTree } from '../../src/revocation/tree.ts';
import { expectHonest, expectMutantAccepts, expectMutantRefuses, realCircuit } from './mutant-harness.ts';

const FILE = 'revocation.circom';
const MAIN: MainSpec = { file: FILE, template: 'BitmapNonRevocation', params: [3, 1], public: ['root'] };

// Revoked: serial 757 = 252*3 + 1 (leaf 3, bit 1), and serials 504, 509 (leaf 2, bits 0 and 5).
const REVOKED = 757n;
const tree = new RevocationTree({ arityBits: 3, levels: 1 });
tree.revokeMany([REVOKED, 504n, 509n]);

/** Circuit input: `serial` with the leaf and path of `leafSerial` (default: its own). */
function input(serial: bigint, leafSerial: bigint = serial, o: { leaf?: bigint; root?: bigint } = {}) {
  const w = tree.witness(leafSerial);
  return {
    serial: toDecimal(serial),
    leaf: toDecimal(o.leaf ?? w.leaf),
    siblings: w.siblings.map((l) => l.map(toDecimal)),
    root: toDecimal(o.root ?? tree.root),
  };
}

/** Replace a hint (a `<--` line: no constraint) in the forger only. */
const hint = (find: string, replace: string, file = FILE): Edit => ({ file, find, replace });

let real: Circuit;
beforeAll(async () => {
  real = await realCircuit(MAIN);
}, 600_000);

// A first run compiles (a minute or more per variant on a loaded 2-core machine); later runs hit the cache.
describe('BitmapNonRevocation mutants', { timeout: 900_000 }, () => {
  it('(an honest witness satisfies the real circuit; serial 757 is revoked in the tree)', async () => {
    expect(tree.isRevoked(REVOKED)).toBe(true);
    await expectHonest(MAIN, real, input(REVOKED + 1n));
  });

  it("mutant 'revocation: b < 252': serial 252*(j+1)+k proven unrevoked through bit 252+k of leaf j", async () => {
    // Serial 757 = 252*3 + 1 is revoked; split it as j = 2, b = 253: bit 253 of leaf 2 does not
    // exist in a 252-bit leaf, so it reads as 0.
    await expectMutantAccepts({
      guard: 'revocation: b < 252',
      main: MAIN,
      real,
      mutation: removeLine(FILE, 'bRange.out === 1;'),
      hints: [
        hint('signal j <-- serial \\ 252;', 'signal j <-- serial \\ 252 - 1;'),
        hint('signal b <-- serial % 252;', 'signal b <-- serial % 252 + 252;'),
      ],
      input: input(REVOKED, 252n * 2n),
      refusedBy: /^main\.bRange\./,
    });
  });

  it("mutant 'revocation: serial === 252*j + b': any serial proven unrevoked through any zero bit", async () => {
    await expectMutantAccepts({
      guard: 'revocation: serial === 252*j + b',
      main: MAIN,
      real,
      mutation: removeLine(FILE, 'serial === 252 * j + b;'),
      hints: [hint('signal j <-- serial \\ 252;', 'signal j <-- 2;'), hint('signal b <-- serial % 252;', 'signal b <-- 3;')],
      input: input(REVOKED, 252n * 2n),
      refusedBy: /^main\.(serial|j|b)$/,
    });
  });

  it("mutant 'revocation: bit === 0': a revoked serial proven unrevoked", async () => {
    await expectMutantAccepts({
      guard: 'revocation: bit === 0',
      main: MAIN,
      real,
      mutation: removeLine(FILE, 'bit === 0;'),
      input: input(REVOKED),
      refusedBy: /^main\.(bitTerm|chunkBits|loSel)/,
    });
  });

  it("mutant 'revocation: OneHot success === 1': an all-zero selector reads bit 0 of a revoked serial", async () => {
    // circomlib's Decoder leaves out[] all zero when it likes (success = 0); the forger's Decoder
    // does so for the 16-way bit selectors (the 8-way path selectors stay honest).
    await expectMutantAccepts({
      guard: 'revocation: OneHot success === 1',
      main: MAIN,
      real,
      mutation: removeLine(FILE, 'd.success === 1;'),
      hints: [hint('out[i] <-- (inp == i) ? 1 : 0;', 'out[i] <-- (w == 16) ? 0 : ((inp == i) ? 1 : 0);', 'circomlib/multiplexer.circom')],
      input: input(REVOKED),
      refusedBy: /^main\.(hiSel|loSel)\./,
    });
  });

  it("mutant 'revocation: leaf bits boolean': a revoked bit moved into another chunk as a non-boolean weight", async () => {
    // Serial 504 + 17 is revoked (leaf 2, bit 17, chunk 1). Without booleanity the leaf may
    // decompose with bit 17 = 0 and bit 0 carrying 2^17 extra: the sum is the same leaf, chunk 1
    // (re-decomposed by chunkBits) reads 0 at the serial's bit, and chunk 0 is not selected.
    const serial = 252n * 2n + 17n;
    const t = new RevocationTree({ arityBits: 3, levels: 1 });
    t.revokeMany([serial]);
    const w = t.witness(serial);
    const loose = await derivedTemplate('bitify.circom', 'Num2Bits', 'Num2BitsLoose', [['out[i] * (out[i] -1 ) === 0;', '']]);
    await expectMutantAccepts({
      guard: 'revocation: leaf bits boolean',
      main: MAIN,
      real,
      mutation: [
        { file: FILE, find: '// OneHot(N): out[i] = (in == i)', replace: `${loose}\n// OneHot(N): out[i] = (in == i)` },
        { file: FILE, find: 'component leafBits = Num2Bits(252);', replace: 'component leafBits = Num2BitsLoose(252);' },
      ],
      hints: [hint('out[i] <-- (in >> i) & 1;', `out[i] <-- i == 17 ? 0 : (i == 0 ? ((in >> i) & 1) + ${1n << 17n} : (in >> i) & 1);`)],
      input: {
        serial: toDecimal(serial),
        leaf: toDecimal(w.leaf),
        siblings: w.siblings.map((l) => l.map(toDecimal)),
        root: toDecimal(t.root),
      },
      refusedBy: /^main\.leafBits\.out\[(0|17)\]$/,
    });
  });

  it("mutant 'revocation: root === cur[LEVELS]': a leaf with the serial's bit cleared, under the real root", async () => {
    await expectMutantAccepts({
      guard: 'revocation: root === cur[LEVELS]',
      main: MAIN,
      real,
      mutation: removeLine(FILE, 'root === cur[LEVELS];'),
      input: input(REVOKED, REVOKED, { leaf: 0n }),
      refusedBy: /^main\.root$/,
    });
  });

  it("mutant 'revocation: Merkle index bits boolean' is redundant: OneHot(A) range-checks every index digit", async () => {
    // Without booleanity, j = 8 (beyond this 8-leaf tree) decomposes as bits (0, 0, 2); the digit
    // 8 then fails OneHot(8).success === 1, so the mutant still refuses (see circuits/REVIEW.md).
    const loose = await derivedTemplate('bitify.circom', 'Num2Bits', 'Num2BitsLoose', [['out[i] * (out[i] -1 ) === 0;', '']]);
    const mutation: Edit = {
      file: FILE,
      find: 'component jBits = Num2Bits(INDEX_BITS);',
      replace: 'component jBits = Num2BitsLoose(INDEX_BITS);',
    };
    const withLoose: Edit = { file: FILE, find: '// OneHot(N): out[i] = (in == i)', replace: `${loose}\n// OneHot(N): out[i] = (in == i)` };
    await expectMutantRefuses({
      guard: 'revocation: Merkle index bits boolean',
      main: MAIN,
      real,
      mutation: [withLoose, mutation],
      hints: [
        hint('out[i] <-- (in >> i) & 1;', 'out[i] <-- i == n - 1 ? in >> i : (in >> i) & 1;'),
        removeLine(FILE, 'd.success === 1;'),
        removeLine(FILE, 'root === cur[LEVELS];'),
      ],
      input: input(252n * 8n + 3n, 3n),
      refusedBy: /^main\.pos\[0\]\.d\./,
    });
  });
});
