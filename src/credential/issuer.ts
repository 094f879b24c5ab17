/**
 * The issuer: EdDSA-Poseidon keys on BabyJubJub and credential signing (eddsa.ts: circomlibjs's
 * algorithm without its build step; babyjub.ts verifies).
 * A signature here is exactly what circomlib's EdDSAPoseidonVerifier accepts for
 * M = credentialHash: S < subgroup order, 8*A not the identity, and S*B8 == R8 + 8*H(R8, A, M)*A.
 */
import { ZkidError } from '../errors.ts';
import { parseFieldElement, toDecimal } from '../field.ts';
import { isUsablePublicKey, type Point, verifyEddsaPoseidon } from './babyjub.ts';
import { publicKeyFromPrivate, signPoseidon } from './eddsa.ts';
import {
  type Credential,
  credentialHash,
  credentialSlots,
  MAX_SERIAL,
  parseCredential,
  parseSerial,
  SCHEMA_ID,
  validateAttributes,
} from './schema.ts';

/** An issuer key pair: the 32-byte private key as 64 lower-case hex characters, the public point in decimal. */
export interface IssuerKey {
  privateKey: string /* 64 hex chars */;
  publicKey: [string, string];
}

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function parsePrivateKey(hex: unknown, field = 'privateKey'): string {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new ZkidError('INVALID_ARGUMENT', `${field} must be 64 hexadecimal characters (32 bytes)`, field);
  }
  return hex.toLowerCase();
}

function pointToDecimal(p: Point): [string, string] {
  return [toDecimal(p[0]), toDecimal(p[1])];
}

/**
 * Derive the key pair of a private key.
 * @param hex the private key: 64 hexadecimal characters (either case)
 * @throws ZkidError INVALID_ARGUMENT (field 'privateKey') for anything else
 */
export async function issuerKeyFromPrivate(hex: string): Promise<IssuerKey> {
  const privateKey = parsePrivateKey(hex);
  return { privateKey, publicKey: pointToDecimal(publicKeyFromPrivate(hexToBytes(privateKey))) };
}

/**
 * A key pair ready to sign with: the private key's bytes, once its public key is checked to be the
 * one derived from it (credential and root signers alike).
 * @param prefix put before the field names of errors, e.g. 'keys[2].'
 * @throws ZkidError INVALID_ARGUMENT ('<prefix>privateKey' not 64 hex characters, '<prefix>publicKey' not its own)
 */
export function signingKey(
  key: { privateKey: unknown; publicKey: unknown },
  prefix = '',
): { bytes: Uint8Array; publicKey: [string, string] } {
  const bytes = hexToBytes(parsePrivateKey(key.privateKey, `${prefix}privateKey`));
  const publicKey = pointToDecimal(publicKeyFromPrivate(bytes));
  const given = key.publicKey;
  if (!Array.isArray(given) || given[0] !== publicKey[0] || given[1] !== publicKey[1]) {
    throw new ZkidError('INVALID_ARGUMENT', `${prefix}publicKey does not belong to ${prefix}privateKey`, `${prefix}publicKey`);
  }
  return { bytes, publicKey };
}

/** A new issuer key from 32 bytes of the platform CSPRNG. */
export async function generateIssuerKey(): Promise<IssuerKey> {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return issuerKeyFromPrivate(Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''));
}

/**
 * Validate a credential's contents and sign its credentialHash.
 * @param key the issuer key; its publicKey must match its privateKey
 * @param input attributes (validated with validateAttributes), a serial < MAX_SERIAL and the
 *   holder's commitment Poseidon(holderSecret)
 * @returns the credential with canonical attributes and decimal-string numbers
 * @throws ZkidError INVALID_ARGUMENT ('privateKey', 'publicKey', 'input'); the codes of
 *   validateAttributes; SERIAL_OUT_OF_RANGE or INVALID_FIELD_ELEMENT ('serial');
 *   INVALID_FIELD_ELEMENT ('holderCommitment')
 */
export async function signCredential(
  key: IssuerKey,
  input: { attributes: unknown; serial: string | bigint; holderCommitment: string | bigint },
): Promise<Credential> {
  if (typeof key !== 'object' || key === null) throw new ZkidError('INVALID_ARGUMENT', 'key must be an IssuerKey', 'key');
  if (typeof input !== 'object' || input === null) throw new ZkidError('INVALID_ARGUMENT', 'input must be an object', 'input');
  const attributes = validateAttributes(input.attributes);
  const serial = parseSerial('serial', input.serial);
  const commitment = parseFieldElement('holderCommitment', input.holderCommitment);
  const signer = signingKey(key);
  const hash = credentialHash(credentialSlots({ attributes, serial, holderCommitment: commitment }));
  const sig = signPoseidon(signer.bytes, hash);
  return {
    schema: SCHEMA_ID,
    attributes,
    serial: toDecimal(serial),
    holderCommitment: toDecimal(commitment),
    issuer: { publicKey: signer.publicKey },
    signature: { R8: pointToDecimal(sig.R8), S: toDecimal(sig.S) },
  };
}

/**
 * Check a credential's signature under the issuer key it names (whether that issuer is trusted
 * is the caller's decision). Never throws.
 * @returns true when the credential is well formed and its signature is one the circuit accepts
 */
export async function verifyCredentialSignature(c: Credential): Promise<boolean> {
  try {
    const parsed = parseCredential(c);
    const A: Point = [BigInt(parsed.issuer.publicKey[0]), BigInt(parsed.issuer.publicKey[1])];
    const R8: Point = [BigInt(parsed.signature.R8[0]), BigInt(parsed.signature.R8[1])];
    // The circuit rejects a public key of small order (x of 8*A is 0); circomlibjs's verifyPoseidon
    // does not, and with A = identity any message would verify.
    if (!isUsablePublicKey(A)) return false;
    const hash = credentialHash(credentialSlots(parsed));
    return verifyEddsaPoseidon(hash, { R8, S: BigInt(parsed.signature.S) }, A);
  } catch {
    return false;
  }
}

/**
 * A revocation serial uniform in [0, MAX_SERIAL), from the platform CSPRNG. Serials are random,
 * not sequential: a sequence would leak the order (and so the time) of issuance.
 */
export function randomSerial(): bigint {
  // MAX_SERIAL = 4,227,858,432 < 2^32: draw 32 bits and reject values >= MAX_SERIAL
  // (about 1.6% of draws), so there is no modulo bias.
  const word = new Uint32Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(word);
    const v = BigInt(word[0] as number);
    if (v < MAX_SERIAL) return v;
  }
}
