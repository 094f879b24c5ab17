import { describe, expect, it } from 'vitest';
import {
  cnResidentIdCheckChar,
  DOCUMENT_TYPES,
  decodeIdNumber,
  encodeIdNumber,
  validateCnResidentId,
} from '../../src/credential/id-number.ts';
import { FIELD_MODULUS } from '../../src/field.ts';

/** Independent ISO 7064 MOD 11-2: check = (12 - (sum of d_i * 2^(17-i) mod 11)) mod 11, 10 -> X. */
function checkChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const c = (12 - (sum % 11)) % 11;
  return c === 10 ? 'X' : String(c);
}
const withCheck = (first17: string) => first17 + checkChar(first17);

const invalidId = (message: string, field = 'idNumber') =>
  expect.objectContaining({ code: 'INVALID_ID_NUMBER', field, message: expect.stringContaining(message) });

describe('encodeIdNumber / decodeIdNumber', () => {
  it('uses 0x01 || ASCII, big-endian', () => {
    expect(encodeIdNumber('A1')).toBe(0x014131n);
    expect(encodeIdNumber('0')).toBe(0x0130n);
    expect(encodeIdNumber('-')).toBe(0x012dn);
    expect(decodeIdNumber(0x014131n)).toBe('A1');
  });

  it.each([
    ['11010519491231002X', '11010519491231002X'],
    ['11010519491231002x', '11010519491231002X'],
    ['e12345678', 'E12345678'],
    ['AB-1234-z', 'AB-1234-Z'],
    ['0', '0'],
    ['00', '00'],
    ['Z'.repeat(30), 'Z'.repeat(30)],
  ])('round-trips %s to its canonical form', (input, canonical) => {
    const v = encodeIdNumber(input);
    expect(decodeIdNumber(v)).toBe(canonical);
    expect(encodeIdNumber(canonical)).toBe(v);
    expect(v < 2n ** 248n && v < FIELD_MODULUS).toBe(true);
  });

  it('keeps leading zeros and length apart (injective)', () => {
    const values = ['0', '00', '000', '1', '01', '10'].map((s) => encodeIdNumber(s));
    expect(new Set(values).size).toBe(values.length);
  });

  it.each([
    ['empty', '', '1 to 30'],
    ['31 characters', 'A'.repeat(31), '1 to 30'],
    ['a space', 'AB 123', 'only digits'],
    ['an underscore', 'AB_123', 'only digits'],
    ['non-ASCII that upper-cases into ASCII', 'straße', 'only digits'],
    ['a full-width digit', '１２３', 'only digits'],
    ['a non-string', 12345 as unknown as string, 'string'],
  ])('rejects %s', (_label, value, reason) => {
    expect(() => encodeIdNumber(value)).toThrowError(invalidId(reason));
  });

  it.each([
    ['zero', 0n],
    ['a negative value', -1n],
    ['a value without the sentinel', 0x4131n],
    ['the sentinel alone', 0x01n],
    ['a wrong sentinel', 0x024131n],
    ['a lower-case (non-canonical) byte', 0x016131n],
    ['a forbidden byte', 0x014120n],
    ['31 characters', BigInt(`0x01${'41'.repeat(31)}`)],
    ['a field element near r', FIELD_MODULUS - 1n],
  ])('decode rejects %s', (_label, v) => {
    expect(() => decodeIdNumber(v)).toThrowError(invalidId('not a document number encoding'));
  });
});

describe('DOCUMENT_TYPES', () => {
  it('has the documented values', () => {
    expect(DOCUMENT_TYPES).toEqual({ OTHER: 0, CN_RESIDENT_ID: 1, PASSPORT: 2 });
  });
});

describe('validateCnResidentId', () => {
  it('accepts the standard example with a trailing X', () => {
    expect(validateCnResidentId('11010519491231002X')).toEqual({ birthDate: 19491231, region: 110105 });
    expect(validateCnResidentId('11010519491231002x')).toEqual({ birthDate: 19491231, region: 110105 });
  });

  it('accepts numbers computed with an independent check-digit function', () => {
    const ids = [withCheck('31010420000229123'), withCheck('44030519800101456'), withCheck('65010219991231001')];
    expect(validateCnResidentId(ids[0] as string)).toEqual({ birthDate: 20000229, region: 310104 });
    expect(validateCnResidentId(ids[1] as string)).toEqual({ birthDate: 19800101, region: 440305 });
    expect(validateCnResidentId(ids[2] as string)).toEqual({ birthDate: 19991231, region: 650102 });
    for (const id of ids) expect(cnResidentIdCheckChar(id.slice(0, 17))).toBe(id[17]);
    expect(checkChar('11010519491231002')).toBe('X');
  });

  it.each([
    ['a wrong check digit', '110105194912310021', 'check digit'],
    ['a lower-case x where a digit is due', `${withCheck('44030519800101456').slice(0, 17)}x`, 'check digit'],
    ['17 characters', '11010519491231002', '18 characters'],
    ['19 characters', '11010519491231002X1', '18 characters'],
    ['X in the middle', '1101051949123X0021', '17 digits followed by a digit or X'],
    ['a letter', 'A1010519491231002X', '17 digits followed by a digit or X'],
    ['30 February', withCheck('11010520000230001'), 'birth date'],
    ['29 February 1900', withCheck('11010519000229001'), 'birth date'],
    ['month 13', withCheck('11010519491331001'), 'birth date'],
    ['year 1799', withCheck('11010517991231001'), 'birth date'],
  ])('rejects %s', (_label, id, reason) => {
    expect(() => validateCnResidentId(id)).toThrowError(invalidId(reason));
  });

  it('uses the field name given', () => {
    expect(() => validateCnResidentId('110105194912310021', 'attributes.idNumber')).toThrowError(
      invalidId('check digit', 'attributes.idNumber'),
    );
  });

  it('accepts 29 February in a leap year', () => {
    expect(validateCnResidentId(withCheck('11010520000229001')).birthDate).toBe(20000229);
  });
});
