/**
 * The credential schema, version 1: eight field-element slots, their validation, and the hash
 * the issuer signs, `credentialHash = Poseidon(SCHEMA_VERSION, slot0, ..., slot7)`.
 * Any change to the slot list or an encoding must bump SCHEMA_VERSION and SCHEMA_ID.
 */
import { parseDate } from '../dates.ts';
import { type ErrorCode, ZkidError } from '../errors.ts';
import { isCanonicalDecimal, parseFieldElement, toDecimal } from '../field.ts';
import { poseidon } from '../poseidon.ts';
import { MAX_SERIAL, parseSerial, SERIALS_PER_LEAF } from '../revocation/common.ts';
import { canonicalIdNumber, DOCUMENT_TYPES, encodeIdNumber, validateCnResidentId } from './id-number.ts';

export const SCHEMA_VERSION = 1n;
export const SCHEMA_ID = 'zkid/credential/v1';

/** Slot order of schema v1: the index is the position in `credentialHash` after the version. */
export const SLOT_NAMES = [
  'idNumber',
  'birthDate',
  'validUntil',
  'region',
  'nationality',
  'documentType',
  'serial',
  'holderCommitment',
] as const;
export type SlotName = (typeof SLOT_NAMES)[number];

/** Re-exported: the one definition of serials (their range follows from the tree shape) lives with the revocation tree. */
export { MAX_SERIAL, parseSerial, SERIALS_PER_LEAF };

/** The issuer-attested attributes (dates are YYYYMMDD numbers). */
export interface CredentialAttributes {
  idNumber: string;
  birthDate: number;
  validUntil: number;
  region: number;
  nationality: number;
  documentType: number;
}

/** A signed credential as stored by the holder; big numbers are canonical decimal strings. */
export interface Credential {
  schema: 'zkid/credential/v1';
  attributes: CredentialAttributes;
  serial: string;
  holderCommitment: string;
  issuer: { publicKey: [string, string] };
  signature: { R8: [string, string]; S: string };
}

/**
 * Index of a slot in schema v1.
 * @throws ZkidError INVALID_ARGUMENT (field 'name') for an unknown slot name
 * @example slotIndex('birthDate') // 1
 */
export function slotIndex(name: SlotName): number {
  const i = SLOT_NAMES.indexOf(name);
  if (i < 0) throw new ZkidError('INVALID_ARGUMENT', `unknown slot '${String(name)}'`, 'name');
  return i;
}

/** GB/T 2260 province-level codes (first two digits of a region code). */
const CN_PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
]);

const ATTRIBUTE_KEYS = new Set<string>(['idNumber', 'birthDate', 'validUntil', 'region', 'nationality', 'documentType']);
const CREDENTIAL_KEYS = new Set<string>(['schema', 'attributes', 'serial', 'holderCommitment', 'issuer', 'signature']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An integer in [min, max] given as a safe-integer number, a bigint or a canonical decimal string. */
function parseInteger(code: ErrorCode, field: string, value: unknown, min: number, max: number): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (isCanonicalDecimal(value, 16)) n = Number(value);
  else throw new ZkidError(code, `${field} must be an integer`, field);
  if (!Number.isSafeInteger(n)) throw new ZkidError(code, `${field} must be an integer`, field);
  if (n < min || n > max) throw new ZkidError(code, `${field} must be between ${min} and ${max}`, field);
  return n;
}

/**
 * Validate and canonicalise credential attributes (the boundary check for issuing and loading).
 * @param input an object with exactly the keys of CredentialAttributes
 * @returns the attributes in canonical form (idNumber upper-cased, dates as YYYYMMDD numbers)
 * @throws ZkidError naming the field ('attributes.<name>'): INVALID_ATTRIBUTE for a non-object,
 *   an unknown key, or a bad region, nationality or documentType; INVALID_DATE for a bad date or
 *   validUntil not after birthDate; INVALID_ID_NUMBER for a bad document number, or, for
 *   documentType 1 (CN resident ID), a failed check or an embedded birth date != birthDate
 * @example validateAttributes({ idNumber: '11010519491231002X', birthDate: 19491231,
 *   validUntil: 20300101, region: 110105, nationality: 156, documentType: 1 })
 */
export function validateAttributes(input: unknown): CredentialAttributes {
  if (!isRecord(input)) throw new ZkidError('INVALID_ATTRIBUTE', 'attributes must be an object', 'attributes');
  for (const key of Object.keys(input)) {
    if (!ATTRIBUTE_KEYS.has(key)) throw new ZkidError('INVALID_ATTRIBUTE', `unknown attribute '${key}'`, `attributes.${key}`);
  }
  // documentType first: the rules for idNumber and region depend on it.
  const documentType = parseInteger('INVALID_ATTRIBUTE', 'attributes.documentType', input.documentType, 0, 255);
  const isCnResidentId = documentType === DOCUMENT_TYPES.CN_RESIDENT_ID;
  const idNumber = canonicalIdNumber(input.idNumber, 'attributes.idNumber');
  const birthDate = parseDate('attributes.birthDate', input.birthDate);
  const validUntil = parseDate('attributes.validUntil', input.validUntil);
  if (validUntil <= birthDate) {
    throw new ZkidError('INVALID_DATE', 'attributes.validUntil must be after attributes.birthDate', 'attributes.validUntil');
  }
  const region = parseInteger('INVALID_ATTRIBUTE', 'attributes.region', input.region, 0, 2 ** 32 - 1);
  if (isCnResidentId && (region < 110000 || region > 829999 || !CN_PROVINCES.has(Math.floor(region / 10000)))) {
    throw new ZkidError(
      'INVALID_ATTRIBUTE',
      'attributes.region must be a 6-digit GB/T 2260 code with a valid province',
      'attributes.region',
    );
  }
  const nationality = parseInteger('INVALID_ATTRIBUTE', 'attributes.nationality', input.nationality, 1, 999);
  if (isCnResidentId) {
    // The region embedded in the number (first registration) may differ from the current region:
    // only the birth date must agree.
    const embedded = validateCnResidentId(idNumber, 'attributes.idNumber');
    if (embedded.birthDate !== birthDate) {
      throw new ZkidError(
        'INVALID_ID_NUMBER',
        `the birth date in attributes.idNumber (${embedded.birthDate}) differs from attributes.birthDate (${birthDate})`,
        'attributes.idNumber',
      );
    }
  }
  return { idNumber, birthDate, validUntil, region, nationality, documentType };
}

/**
 * The eight slots of schema v1, in SLOT_NAMES order.
 * @param c already validated attributes (see validateAttributes) with the serial and holder commitment
 * @throws ZkidError INVALID_ID_NUMBER, INVALID_FIELD_ELEMENT or SERIAL_OUT_OF_RANGE for bad values
 */
export function credentialSlots(c: {
  attributes: CredentialAttributes;
  serial: string | bigint;
  holderCommitment: string | bigint;
}): bigint[] {
  const a = c.attributes;
  return [
    encodeIdNumber(a.idNumber, 'attributes.idNumber'),
    BigInt(a.birthDate),
    BigInt(a.validUntil),
    BigInt(a.region),
    BigInt(a.nationality),
    BigInt(a.documentType),
    parseSerial('serial', c.serial),
    parseFieldElement('holderCommitment', c.holderCommitment),
  ];
}

/**
 * The hash the issuer signs: Poseidon(SCHEMA_VERSION, slot0, ..., slot7), 9 inputs.
 * @throws ZkidError INVALID_ARGUMENT (field 'slots') unless given 8 slots;
 *   INVALID_FIELD_ELEMENT (field 'slots[i]') for a slot outside the field
 */
export function credentialHash(slots: readonly bigint[]): bigint {
  if (slots.length !== SLOT_NAMES.length) {
    throw new ZkidError('INVALID_ARGUMENT', `expected ${SLOT_NAMES.length} slots, got ${slots.length}`, 'slots');
  }
  return poseidon([SCHEMA_VERSION, ...slots.map((s, i) => parseFieldElement(`slots[${i}]`, s))]);
}

function parsePair(field: string, value: unknown): [string, string] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new ZkidError('INVALID_CREDENTIAL', `${field} must be an array of two decimal strings`, field);
  }
  return [toDecimal(parseFieldElement(`${field}[0]`, value[0])), toDecimal(parseFieldElement(`${field}[1]`, value[1]))];
}

function parseObject(field: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (!isRecord(value)) throw new ZkidError('INVALID_CREDENTIAL', `${field} must be an object`, field);
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw new ZkidError('INVALID_CREDENTIAL', `unknown key '${key}' in ${field}`, `${field}.${key}`);
  }
  return value;
}

/**
 * Validate the structure of a credential (e.g. parsed JSON) and return it in canonical form.
 * Does not verify the signature (see verifyCredentialSignature).
 * @throws ZkidError naming the field: INVALID_CREDENTIAL for a wrong shape, unknown key or schema;
 *   the attribute codes of validateAttributes; SERIAL_OUT_OF_RANGE; INVALID_FIELD_ELEMENT for
 *   serial, holderCommitment, issuer.publicKey[i], signature.R8[i], signature.S
 */
export function parseCredential(json: unknown): Credential {
  if (!isRecord(json)) throw new ZkidError('INVALID_CREDENTIAL', 'credential must be an object', 'credential');
  for (const key of Object.keys(json)) {
    if (!CREDENTIAL_KEYS.has(key)) throw new ZkidError('INVALID_CREDENTIAL', `unknown key '${key}' in credential`, key);
  }
  if (json.schema !== SCHEMA_ID) throw new ZkidError('INVALID_CREDENTIAL', `schema must be '${SCHEMA_ID}'`, 'schema');
  const attributes = validateAttributes(json.attributes);
  const serial = parseSerial('serial', json.serial);
  const holderCommitment = parseFieldElement('holderCommitment', json.holderCommitment);
  const issuer = parseObject('issuer', json.issuer, ['publicKey']);
  const signature = parseObject('signature', json.signature, ['R8', 'S']);
  return {
    schema: SCHEMA_ID,
    attributes,
    serial: toDecimal(serial),
    holderCommitment: toDecimal(holderCommitment),
    issuer: { publicKey: parsePair('issuer.publicKey', issuer.publicKey) },
    signature: {
      R8: parsePair('signature.R8', signature.R8),
      S: toDecimal(parseFieldElement('signature.S', signature.S)),
    },
  };
}
