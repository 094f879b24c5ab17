import { describe, expect, it } from 'vitest';
import { FIELD_MODULUS, parseFieldElement } from '../src/field.ts';
import { poseidon } from '../src/poseidon.ts';

describe('parseFieldElement', () => {
  it('accepts canonical decimals and bigints below r', () => {
    expect(parseFieldElement('x', '0')).toBe(0n);
    expect(parseFieldElement('x', (FIELD_MODULUS - 1n).toString())).toBe(FIELD_MODULUS - 1n);
    expect(parseFieldElement('x', 7n)).toBe(7n);
  });
  it.each([
    ['r itself', FIELD_MODULUS.toString(), 'less than the field modulus'],
    ['r + 1', (FIELD_MODULUS + 1n).toString(), 'less than the field modulus'],
    ['negative', '-1', 'canonical decimal'],
    ['hex', '0x10', 'canonical decimal'],
    ['leading zero', '007', 'canonical decimal'],
    ['spaces', ' 7', 'canonical decimal'],
    ['empty', '', 'canonical decimal'],
    ['float', 1.5, 'integer'],
  ])('rejects %s', (_label, value, reason) => {
    expect(() => parseFieldElement('holderSecret', value)).toThrowError(
      expect.objectContaining({ code: 'INVALID_FIELD_ELEMENT', field: 'holderSecret', message: expect.stringContaining(reason) }),
    );
  });
});

describe('poseidon', () => {
  it('matches the reference value of circomlib Poseidon(2)', () => {
    // circomlibjs test vector: poseidon([1, 2])
    expect(poseidon([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  });
});

describe('poseidon backends', () => {
  it('give identical outputs for 1 to 16 inputs (wasm backend vs poseidon-lite)', async () => {
    const { enableWasmPoseidon } = await import('../src/poseidon-wasm.ts');
    const { poseidonLite } = await import('../src/poseidon.ts');
    await enableWasmPoseidon();
    for (let n = 1; n <= 16; n++) {
      const xs = Array.from({ length: n }, (_, i) => FIELD_MODULUS - 1n - BigInt(i) * 7919n);
      expect(poseidon(xs), `n = ${n}`).toBe(poseidonLite(xs));
    }
  });
});
