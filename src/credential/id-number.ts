/**
 * Document numbers and their field-element encoding (credential slot 0).
 *
 * Canonical form: 1 to 30 characters from [0-9A-Z-]; lower-case letters are upper-cased first,
 * anything else is rejected (no trimming).
 *
 * Encoding: the big-endian integer of the bytes `0x01 || ASCII(idNumber)`. The 0x01 sentinel
 * keeps the length (the value's byte length is the string's length + 1), so the map from
 * canonical strings to integers is injective, and decoding reads bytes down to the sentinel.
 * At most 31 bytes, so the value is < 2^248 < r.
 * Example: 'A1' -> 0x014131 = 82225.
 */

import { parseDate } from '../dates.ts';
import { ZkidError } from '../errors.ts';

/** Document kinds (credential slot 5, an integer 0..255). */
export const DOCUMENT_TYPES = {
  OTHER: 0,
  /** 18-character PRC Resident Identity Card number (GB 11643-1999). */
  CN_RESIDENT_ID: 1,
  PASSPORT: 2,
} as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[keyof typeof DOCUMENT_TYPES];

export const MAX_ID_LENGTH = 30;
const CANONICAL = /^[0-9A-Z-]{1,30}$/;
const SENTINEL = 0x01n;

/**
 * Canonicalise a document number (upper-case) and check its characters and length.
 * @param field name of the parameter, used in errors
 * @throws ZkidError INVALID_ID_NUMBER for a non-string, an empty or over-long value, or a
 *   character outside [0-9A-Za-z-]
 */
export function canonicalIdNumber(id: unknown, field = 'idNumber'): string {
  if (typeof id !== 'string') throw new ZkidError('INVALID_ID_NUMBER', `${field} must be a string`, field);
  if (id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new ZkidError('INVALID_ID_NUMBER', `${field} must be 1 to ${MAX_ID_LENGTH} characters long`, field);
  }
  // Test before upper-casing: toUpperCase maps some non-ASCII letters into A-Z ('ß' -> 'SS').
  if (!/^[0-9A-Za-z-]+$/.test(id)) {
    throw new ZkidError('INVALID_ID_NUMBER', `${field} may contain only digits, letters A-Z and '-'`, field);
  }
  return id.toUpperCase();
}

/**
 * Encode a document number as a field element (see the module comment).
 * @param field name of the parameter, used in errors (default 'idNumber')
 * @throws ZkidError INVALID_ID_NUMBER for an invalid document number
 * @example encodeIdNumber('a1') === encodeIdNumber('A1') // true, 0x014131n
 */
export function encodeIdNumber(id: string, field = 'idNumber'): bigint {
  let v = SENTINEL;
  for (const ch of canonicalIdNumber(id, field)) v = (v << 8n) | BigInt(ch.charCodeAt(0));
  return v;
}

/**
 * Decode a field element back to the canonical document number.
 * @param field name of the parameter, used in errors (default 'idNumber')
 * @throws ZkidError INVALID_ID_NUMBER when `v` is not the encoding of a canonical document number
 * @example decodeIdNumber(0x014131n) // 'A1'
 */
export function decodeIdNumber(v: bigint, field = 'idNumber'): string {
  if (typeof v !== 'bigint' || v <= 0n) throw new ZkidError('INVALID_ID_NUMBER', `${field} is not a document number encoding`, field);
  const codes: number[] = [];
  let rest = v;
  while (rest > 0xffn) {
    codes.push(Number(rest & 0xffn));
    rest >>= 8n;
  }
  if (rest !== SENTINEL || codes.length === 0 || codes.length > MAX_ID_LENGTH) {
    throw new ZkidError('INVALID_ID_NUMBER', `${field} is not a document number encoding`, field);
  }
  const id = String.fromCharCode(...codes.reverse());
  // Only canonical (upper-case) strings are encodings: 'a1' never encodes, so reject it here.
  if (!CANONICAL.test(id)) throw new ZkidError('INVALID_ID_NUMBER', `${field} is not a document number encoding`, field);
  return id;
}

const CN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CN_CHECK_CHARS = '10X98765432';

/**
 * The ISO 7064 MOD 11-2 check character of the first 17 digits of a PRC resident ID number.
 * @throws ZkidError INVALID_ID_NUMBER (field 'idNumber') unless given exactly 17 digits
 */
export function cnResidentIdCheckChar(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) throw new ZkidError('INVALID_ID_NUMBER', 'expected 17 digits', 'idNumber');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (CN_WEIGHTS[i] as number);
  return CN_CHECK_CHARS[sum % 11] as string;
}

/**
 * Validate an 18-character PRC Resident Identity Card number (GB 11643-1999): 6-digit region
 * of first registration, 8-digit birth date, 3-digit sequence, check character (digit or X).
 * Lower-case 'x' is accepted. The region is not checked against the province list here: it is
 * the place of first registration and need not be the holder's current region.
 * @param field name of the parameter, used in errors (default 'idNumber')
 * @returns the embedded birth date (YYYYMMDD) and region code (first 6 digits)
 * @throws ZkidError INVALID_ID_NUMBER with a message naming the problem: length, characters,
 *   birth date or check digit
 * @example validateCnResidentId('11010519491231002X') // { birthDate: 19491231, region: 110105 }
 */
export function validateCnResidentId(id: string, field = 'idNumber'): { birthDate: number; region: number } {
  if (typeof id !== 'string') throw new ZkidError('INVALID_ID_NUMBER', `${field} must be a string`, field);
  if (id.length !== 18) {
    throw new ZkidError('INVALID_ID_NUMBER', `${field} must be 18 characters long for a resident ID (got ${id.length})`, field);
  }
  const upper = id.toUpperCase();
  if (!/^[0-9]{17}[0-9X]$/.test(upper)) {
    throw new ZkidError('INVALID_ID_NUMBER', `${field} must be 17 digits followed by a digit or X`, field);
  }
  let birthDate: number;
  try {
    birthDate = parseDate(field, upper.slice(6, 14));
  } catch {
    throw new ZkidError('INVALID_ID_NUMBER', `${field} has an invalid birth date (characters 7 to 14)`, field);
  }
  if (cnResidentIdCheckChar(upper.slice(0, 17)) !== upper[17]) {
    throw new ZkidError('INVALID_ID_NUMBER', `${field} has a wrong check digit`, field);
  }
  return { birthDate, region: Number(upper.slice(0, 6)) };
}
