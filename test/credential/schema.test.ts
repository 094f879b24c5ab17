import { describe, expect, it } from 'vitest';
import { encodeIdNumber } from '../../src/credential/id-number.ts';
import {
  credentialHash,
  credentialSlots,
  MAX_SERIAL,
  parseCredential,
  SCHEMA_ID,
  SCHEMA_VERSION,
  SERIALS_PER_LEAF,
  SLOT_NAMES,
  slotIndex,
  validateAttributes,
} from '../../src/credential/schema.ts';
import { FIELD_MODULUS } from '../../src/field.ts';
import { poseidon } from '../../src/poseidon.ts';
import { CN_ATTRIBUTES, PASSPORT_ATTRIBUTES } from './fixtures.ts';

const err = (code: string, field: string) => expect.objectContaining({ code, field });

describe('schema constants', () => {
  it('lists the slots of v1 in order', () => {
    expect(SCHEMA_VERSION).toBe(1n);
    expect(SCHEMA_ID).toBe('zkid/credential/v1');
    expect(SLOT_NAMES).toEqual([
      'idNumber',
      'birthDate',
      'validUntil',
      'region',
      'nationality',
      'documentType',
      'serial',
      'holderCommitment',
    ]);
    expect(slotIndex('idNumber')).toBe(0);
    expect(slotIndex('documentType')).toBe(5);
    expect(slotIndex('holderCommitment')).toBe(7);
    expect(() => slotIndex('nope' as never)).toThrowError(err('INVALID_ARGUMENT', 'name'));
    expect(SERIALS_PER_LEAF).toBe(252);
    expect(MAX_SERIAL).toBe(4_227_858_432n);
  });
});

describe('validateAttributes', () => {
  it('accepts valid attributes and canonicalises them', () => {
    expect(validateAttributes(CN_ATTRIBUTES)).toEqual(CN_ATTRIBUTES);
    expect(validateAttributes(PASSPORT_ATTRIBUTES)).toEqual(PASSPORT_ATTRIBUTES);
    expect(
      validateAttributes({
        ...CN_ATTRIBUTES,
        idNumber: '11010519491231002x',
        birthDate: '1949-12-31',
        validUntil: '20300101',
        region: '110105',
      }),
    ).toEqual(CN_ATTRIBUTES);
    // Region of residence may differ from the region embedded in the number.
    expect(validateAttributes({ ...CN_ATTRIBUTES, region: 440305 }).region).toBe(440305);
    expect(validateAttributes({ ...PASSPORT_ATTRIBUTES, documentType: 255, region: 2 ** 32 - 1, nationality: 999 }).documentType).toBe(255);
    expect(validateAttributes({ ...PASSPORT_ATTRIBUTES, documentType: 0, nationality: 1 }).nationality).toBe(1);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'attributes'],
  ])('rejects %s', (_label, input) => {
    expect(() => validateAttributes(input)).toThrowError(err('INVALID_ATTRIBUTE', 'attributes'));
  });

  it('rejects unknown keys', () => {
    expect(() => validateAttributes({ ...CN_ATTRIBUTES, name: 'x' })).toThrowError(err('INVALID_ATTRIBUTE', 'attributes.name'));
  });

  type Case = [string, Record<string, unknown>, string, string];
  const cases: Case[] = [
    // idNumber
    ['idNumber missing', { idNumber: undefined }, 'INVALID_ID_NUMBER', 'attributes.idNumber'],
    ['idNumber a number', { idNumber: 110105 }, 'INVALID_ID_NUMBER', 'attributes.idNumber'],
    ['idNumber empty', { idNumber: '' }, 'INVALID_ID_NUMBER', 'attributes.idNumber'],
    ['idNumber too long', { idNumber: '1'.repeat(31) }, 'INVALID_ID_NUMBER', 'attributes.idNumber'],
    ['idNumber with a space', { idNumber: '110105 19491231002X' }, 'INVALID_ID_NUMBER', 'attributes.idNumber'],
    ['CN idNumber with a bad check digit', { idNumber: '110105194912310021' }, 'INVALID_ID_NUMBER', 'attributes.idNumber'],
    ['CN idNumber of a passport form', { idNumber: 'E12345678' }, 'INVALID_ID_NUMBER', 'attributes.idNumber'],
    ['CN idNumber whose birth date differs', { birthDate: 19491230 }, 'INVALID_ID_NUMBER', 'attributes.idNumber'],
    // birthDate
    ['birthDate missing', { birthDate: undefined }, 'INVALID_DATE', 'attributes.birthDate'],
    ['birthDate 30 February', { birthDate: 19490230 }, 'INVALID_DATE', 'attributes.birthDate'],
    ['birthDate 29 February 1900', { birthDate: 19000229 }, 'INVALID_DATE', 'attributes.birthDate'],
    ['birthDate before 1800', { birthDate: 17991231 }, 'INVALID_DATE', 'attributes.birthDate'],
    ['birthDate a word', { birthDate: 'yesterday' }, 'INVALID_DATE', 'attributes.birthDate'],
    // validUntil
    ['validUntil missing', { validUntil: undefined }, 'INVALID_DATE', 'attributes.validUntil'],
    ['validUntil 31 June', { validUntil: 20300631 }, 'INVALID_DATE', 'attributes.validUntil'],
    ['validUntil equal to birthDate', { validUntil: 19491231 }, 'INVALID_DATE', 'attributes.validUntil'],
    ['validUntil before birthDate', { validUntil: 19401231 }, 'INVALID_DATE', 'attributes.validUntil'],
    // region
    ['region missing', { region: undefined }, 'INVALID_ATTRIBUTE', 'attributes.region'],
    ['region negative', { region: -1 }, 'INVALID_ATTRIBUTE', 'attributes.region'],
    ['region a fraction', { region: 110105.5 }, 'INVALID_ATTRIBUTE', 'attributes.region'],
    ['region a hex string', { region: '0x1ae59' }, 'INVALID_ATTRIBUTE', 'attributes.region'],
    ['region too large', { documentType: 2, idNumber: 'E1', region: 2 ** 32 }, 'INVALID_ATTRIBUTE', 'attributes.region'],
    ['CN region with 5 digits', { region: 11010 }, 'INVALID_ATTRIBUTE', 'attributes.region'],
    ['CN region with 7 digits', { region: 1101050 }, 'INVALID_ATTRIBUTE', 'attributes.region'],
    ['CN region in no province (16)', { region: 160000 }, 'INVALID_ATTRIBUTE', 'attributes.region'],
    ['CN region in no province (83)', { region: 830000 }, 'INVALID_ATTRIBUTE', 'attributes.region'],
    ['CN region 0', { region: 0 }, 'INVALID_ATTRIBUTE', 'attributes.region'],
    // nationality
    ['nationality missing', { nationality: undefined }, 'INVALID_ATTRIBUTE', 'attributes.nationality'],
    ['nationality 0', { nationality: 0 }, 'INVALID_ATTRIBUTE', 'attributes.nationality'],
    ['nationality 1000', { nationality: 1000 }, 'INVALID_ATTRIBUTE', 'attributes.nationality'],
    ['nationality alpha-2', { nationality: 'CN' }, 'INVALID_ATTRIBUTE', 'attributes.nationality'],
    ['nationality a fraction', { nationality: 156.1 }, 'INVALID_ATTRIBUTE', 'attributes.nationality'],
    // documentType
    ['documentType missing', { documentType: undefined }, 'INVALID_ATTRIBUTE', 'attributes.documentType'],
    ['documentType negative', { documentType: -1 }, 'INVALID_ATTRIBUTE', 'attributes.documentType'],
    ['documentType 256', { documentType: 256 }, 'INVALID_ATTRIBUTE', 'attributes.documentType'],
    ['documentType a fraction', { documentType: 1.5 }, 'INVALID_ATTRIBUTE', 'attributes.documentType'],
    ['documentType with leading zero', { documentType: '01' }, 'INVALID_ATTRIBUTE', 'attributes.documentType'],
    ['documentType a boolean', { documentType: true }, 'INVALID_ATTRIBUTE', 'attributes.documentType'],
  ];
  it.each(cases)('rejects %s', (_label, change, code, field) => {
    expect(() => validateAttributes({ ...CN_ATTRIBUTES, ...change })).toThrowError(err(code, field));
  });

  it('accepts a non-CN region and document number for other document types', () => {
    expect(validateAttributes({ ...CN_ATTRIBUTES, documentType: 0, idNumber: 'X-1', region: 160000 }).idNumber).toBe('X-1');
  });
});

describe('credentialSlots / credentialHash', () => {
  const holderCommitment = poseidon([42n]);

  it('lays out the slots in order', () => {
    const slots = credentialSlots({ attributes: CN_ATTRIBUTES, serial: '123456', holderCommitment });
    expect(slots).toEqual([encodeIdNumber('11010519491231002X'), 19491231n, 20300101n, 110105n, 156n, 1n, 123456n, holderCommitment]);
    expect(slots).toHaveLength(SLOT_NAMES.length);
    expect(slots[slotIndex('serial')]).toBe(123456n);
  });

  it('hashes Poseidon(1, slot0..slot7)', () => {
    const slots = credentialSlots({ attributes: PASSPORT_ATTRIBUTES, serial: 7n, holderCommitment: holderCommitment.toString() });
    expect(credentialHash(slots)).toBe(poseidon([1n, ...slots]));
    expect(credentialHash(slots)).not.toBe(poseidon(slots));
  });

  it('rejects a wrong slot count or a slot outside the field', () => {
    expect(() => credentialHash([1n, 2n])).toThrowError(err('INVALID_ARGUMENT', 'slots'));
    expect(() => credentialHash([0n, 0n, 0n, 0n, 0n, 0n, 0n, FIELD_MODULUS])).toThrowError(err('INVALID_FIELD_ELEMENT', 'slots[7]'));
  });

  it('rejects a serial out of range or a bad holder commitment', () => {
    expect(() => credentialSlots({ attributes: CN_ATTRIBUTES, serial: MAX_SERIAL, holderCommitment })).toThrowError(
      err('SERIAL_OUT_OF_RANGE', 'serial'),
    );
    expect(() => credentialSlots({ attributes: CN_ATTRIBUTES, serial: 1n, holderCommitment: FIELD_MODULUS })).toThrowError(
      err('INVALID_FIELD_ELEMENT', 'holderCommitment'),
    );
  });
});

describe('parseCredential', () => {
  const valid = {
    schema: 'zkid/credential/v1',
    attributes: CN_ATTRIBUTES,
    serial: '4227858431',
    holderCommitment: '12345',
    issuer: { publicKey: ['1', '2'] },
    signature: { R8: ['3', '4'], S: '5' },
  };

  it('accepts a well-formed credential and canonicalises it', () => {
    expect(parseCredential(valid)).toEqual(valid);
    expect(parseCredential(JSON.parse(JSON.stringify(valid)))).toEqual(valid);
    const loose = { ...valid, attributes: { ...CN_ATTRIBUTES, idNumber: '11010519491231002x' }, serial: 4227858431n };
    expect(parseCredential(loose)).toEqual(valid);
  });

  type Case = [string, unknown, string, string];
  const cases: Case[] = [
    ['null', null, 'INVALID_CREDENTIAL', 'credential'],
    ['an array', [], 'INVALID_CREDENTIAL', 'credential'],
    ['an unknown key', { ...valid, extra: 1 }, 'INVALID_CREDENTIAL', 'extra'],
    ['no schema', { ...valid, schema: undefined }, 'INVALID_CREDENTIAL', 'schema'],
    ['another schema', { ...valid, schema: 'zkid/credential/v2' }, 'INVALID_CREDENTIAL', 'schema'],
    ['no attributes', { ...valid, attributes: undefined }, 'INVALID_ATTRIBUTE', 'attributes'],
    ['a bad attribute', { ...valid, attributes: { ...CN_ATTRIBUTES, nationality: 0 } }, 'INVALID_ATTRIBUTE', 'attributes.nationality'],
    ['an unknown attribute', { ...valid, attributes: { ...CN_ATTRIBUTES, x: 1 } }, 'INVALID_ATTRIBUTE', 'attributes.x'],
    ['serial = MAX_SERIAL', { ...valid, serial: '4227858432' }, 'SERIAL_OUT_OF_RANGE', 'serial'],
    ['serial negative', { ...valid, serial: '-1' }, 'INVALID_FIELD_ELEMENT', 'serial'],
    ['serial missing', { ...valid, serial: undefined }, 'INVALID_FIELD_ELEMENT', 'serial'],
    ['holderCommitment = r', { ...valid, holderCommitment: FIELD_MODULUS.toString() }, 'INVALID_FIELD_ELEMENT', 'holderCommitment'],
    ['holderCommitment hex', { ...valid, holderCommitment: '0x10' }, 'INVALID_FIELD_ELEMENT', 'holderCommitment'],
    ['no issuer', { ...valid, issuer: undefined }, 'INVALID_CREDENTIAL', 'issuer'],
    ['issuer with an extra key', { ...valid, issuer: { publicKey: ['1', '2'], name: 'x' } }, 'INVALID_CREDENTIAL', 'issuer.name'],
    ['a one-coordinate key', { ...valid, issuer: { publicKey: ['1'] } }, 'INVALID_CREDENTIAL', 'issuer.publicKey'],
    [
      'a key coordinate >= r',
      { ...valid, issuer: { publicKey: ['1', FIELD_MODULUS.toString()] } },
      'INVALID_FIELD_ELEMENT',
      'issuer.publicKey[1]',
    ],
    ['no signature', { ...valid, signature: undefined }, 'INVALID_CREDENTIAL', 'signature'],
    ['signature with an extra key', { ...valid, signature: { ...valid.signature, A: '1' } }, 'INVALID_CREDENTIAL', 'signature.A'],
    ['R8 not an array', { ...valid, signature: { R8: '3,4', S: '5' } }, 'INVALID_CREDENTIAL', 'signature.R8'],
    ['R8 coordinate non-canonical', { ...valid, signature: { R8: ['03', '4'], S: '5' } }, 'INVALID_FIELD_ELEMENT', 'signature.R8[0]'],
    ['S missing', { ...valid, signature: { R8: ['3', '4'] } }, 'INVALID_FIELD_ELEMENT', 'signature.S'],
  ];
  it.each(cases)('rejects %s', (_label, input, code, field) => {
    expect(() => parseCredential(input)).toThrowError(err(code, field));
  });
});
