import { describe, expect, it } from 'vitest';
import { BASE_MODULUS, CANONICAL_DECIMAL, FIELD_MODULUS, isCanonicalDecimal, parseCoordinate, parseFieldElement } from '../src/field.ts';
import { poseidon } from '../src/poseidon.ts';
import { capacityOf, DEFAULT_SHAPE, locateSerial, MAX_SERIAL, parseSerial } from '../src/revocation/common.ts';

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

describe('isCanonicalDecimal and CANONICAL_DECIMAL', () => {
  it('agree, and bound the number of digits', () => {
    for (const v of ['0', '7', '10', '123456789', '-1', '01', '1.0', ' 1', '1e3', '', '0x1', '１']) {
      expect(isCanonicalDecimal(v), v).toBe(CANONICAL_DECIMAL.test(v));
    }
    expect(isCanonicalDecimal('1234567890', 10)).toBe(true);
    expect(isCanonicalDecimal('12345678901', 10)).toBe(false);
    expect(isCanonicalDecimal(12)).toBe(false);
  });
});

describe('parseCoordinate', () => {
  it('accepts canonical decimals below q and nothing else', () => {
    expect(parseCoordinate('0')).toBe(0n);
    expect(parseCoordinate((BASE_MODULUS - 1n).toString())).toBe(BASE_MODULUS - 1n);
    // q > r: a coordinate may exceed the scalar field
    expect(parseCoordinate(FIELD_MODULUS.toString())).toBe(FIELD_MODULUS);
    for (const v of [BASE_MODULUS.toString(), (BASE_MODULUS + 5n).toString(), '01', '-1', 1, 1n, undefined]) {
      expect(parseCoordinate(v), String(v)).toBeUndefined();
    }
  });
});

describe('serials: one range rule', () => {
  it('MAX_SERIAL is the capacity of the default tree shape', () => {
    expect(MAX_SERIAL).toBe(capacityOf(DEFAULT_SHAPE));
    expect(MAX_SERIAL).toBe(252n * 2n ** BigInt(DEFAULT_SHAPE.arityBits * DEFAULT_SHAPE.levels));
  });
  it('parseSerial takes text and numbers, locateSerial numbers only; both apply the same bound', () => {
    expect(parseSerial('serial', '253')).toBe(253n);
    expect(parseSerial('serial', 253)).toBe(253n);
    expect(locateSerial(253n, DEFAULT_SHAPE)).toEqual({ serial: 253n, leafIndex: 1, bit: 1 });
    const last = (MAX_SERIAL - 1n).toString();
    expect(parseSerial('serial', last)).toBe(MAX_SERIAL - 1n);
    for (const call of [() => parseSerial('s', MAX_SERIAL.toString()), () => locateSerial(MAX_SERIAL, DEFAULT_SHAPE, 's')]) {
      expect(call).toThrowError(expect.objectContaining({ code: 'SERIAL_OUT_OF_RANGE', field: 's' }));
    }
    expect(() => parseSerial('s', '007')).toThrowError(expect.objectContaining({ code: 'INVALID_FIELD_ELEMENT', field: 's' }));
    expect(() => locateSerial('7', DEFAULT_SHAPE, 's')).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 's' }));
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
