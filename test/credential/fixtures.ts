/** Shared valid inputs for the credential tests. */
import type { CredentialAttributes } from '../../src/credential/schema.ts';

/** A valid CN resident ID credential (the GB 11643 example number, trailing X). */
export const CN_ATTRIBUTES: CredentialAttributes = {
  idNumber: '11010519491231002X',
  birthDate: 19491231,
  validUntil: 20300101,
  region: 110105,
  nationality: 156,
  documentType: 1,
};

/** A valid passport credential. */
export const PASSPORT_ATTRIBUTES: CredentialAttributes = {
  idNumber: 'E12345678',
  birthDate: 20080229,
  validUntil: 20340615,
  region: 0,
  nationality: 156,
  documentType: 2,
};
