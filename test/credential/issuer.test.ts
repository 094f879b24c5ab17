import { buildEddsa, type Eddsa, type Point } from 'circomlibjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { holderCommitment } from '../../src/credential/holder.ts';
import {
  generateIssuerKey,
  type IssuerKey,
  issuerKeyFromPrivate,
  randomSerial,
  signCredential,
  verifyCredentialSignature,
} from '../../src/credential/issuer.ts';
import { type Credential, credentialHash, credentialSlots, MAX_SERIAL } from '../../src/credential/schema.ts';
import { FIELD_MODULUS } from '../../src/field.ts';
import { CN_ATTRIBUTES, PASSPORT_ATTRIBUTES } from './fixtures.ts';

const err = (code: string, field: string) => expect.objectContaining({ code, field });
const PRIVATE_KEY = '0001020304050607080900010203040506070809000102030405060708090001';
const COMMITMENT = holderCommitment(987654321n);

let eddsa: Eddsa;
let key: IssuerKey;
let other: IssuerKey;
let credential: Credential;

const point = (p: readonly [string, string]): Point => [eddsa.F.e(BigInt(p[0])), eddsa.F.e(BigInt(p[1]))];

beforeAll(async () => {
  eddsa = await buildEddsa();
  key = await issuerKeyFromPrivate(PRIVATE_KEY);
  other = await generateIssuerKey();
  credential = await signCredential(key, { attributes: CN_ATTRIBUTES, serial: 123456789n, holderCommitment: COMMITMENT });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('issuer keys', () => {
  it('derives the circomlibjs public key as decimal strings', async () => {
    const A = eddsa.prv2pub(Buffer.from(PRIVATE_KEY, 'hex'));
    expect(key.privateKey).toBe(PRIVATE_KEY);
    expect(key.publicKey).toEqual([eddsa.F.toObject(A[0]).toString(), eddsa.F.toObject(A[1]).toString()]);
    expect(eddsa.babyJub.inSubgroup(point(key.publicKey))).toBe(true);
    expect(await issuerKeyFromPrivate(PRIVATE_KEY.toUpperCase())).toEqual(key);
  });

  it('generates fresh random keys', async () => {
    const again = await generateIssuerKey();
    expect(other.privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(again.privateKey).not.toBe(other.privateKey);
    expect(await issuerKeyFromPrivate(other.privateKey)).toEqual(other);
  });

  it.each([
    ['63 characters', PRIVATE_KEY.slice(1)],
    ['65 characters', `${PRIVATE_KEY}0`],
    ['a 0x prefix', `0x${PRIVATE_KEY.slice(2)}`],
    ['a non-hex character', `g${PRIVATE_KEY.slice(1)}`],
    ['a number', 1234 as unknown as string],
  ])('rejects a private key with %s', async (_label, hex) => {
    await expect(issuerKeyFromPrivate(hex)).rejects.toThrowError(err('INVALID_ARGUMENT', 'privateKey'));
  });
});

describe('signCredential', () => {
  it('signs credentialHash so that circomlibjs verifyPoseidon accepts it', () => {
    const hash = credentialHash(credentialSlots(credential));
    const sig = { R8: point(credential.signature.R8), S: BigInt(credential.signature.S) };
    expect(eddsa.verifyPoseidon(eddsa.F.e(hash), sig, point(key.publicKey))).toBe(true);
    expect(eddsa.verifyPoseidon(eddsa.F.e(hash + 1n), sig, point(key.publicKey))).toBe(false);
  });

  it('returns canonical decimal strings and the canonical attributes', async () => {
    expect(credential.schema).toBe('zkid/credential/v1');
    expect(credential.attributes).toEqual(CN_ATTRIBUTES);
    expect(credential.serial).toBe('123456789');
    expect(credential.holderCommitment).toBe(COMMITMENT.toString());
    expect(credential.issuer.publicKey).toEqual(key.publicKey);
    for (const v of [...credential.signature.R8, credential.signature.S]) expect(v).toMatch(/^(0|[1-9][0-9]*)$/);
    const lower = await signCredential(key, {
      attributes: { ...CN_ATTRIBUTES, idNumber: '11010519491231002x' },
      serial: '123456789',
      holderCommitment: COMMITMENT.toString(),
    });
    expect(lower).toEqual(credential); // deterministic EdDSA over the same canonical slots
  });

  it('rejects bad input with the field named', async () => {
    const input = { attributes: CN_ATTRIBUTES, serial: 1n, holderCommitment: COMMITMENT };
    await expect(signCredential(key, { ...input, attributes: { ...CN_ATTRIBUTES, birthDate: 19491230 } })).rejects.toThrowError(
      err('INVALID_ID_NUMBER', 'attributes.idNumber'),
    );
    await expect(signCredential(key, { ...input, serial: MAX_SERIAL })).rejects.toThrowError(err('SERIAL_OUT_OF_RANGE', 'serial'));
    await expect(signCredential(key, { ...input, serial: '-1' })).rejects.toThrowError(err('INVALID_FIELD_ELEMENT', 'serial'));
    await expect(signCredential(key, { ...input, holderCommitment: FIELD_MODULUS })).rejects.toThrowError(
      err('INVALID_FIELD_ELEMENT', 'holderCommitment'),
    );
    await expect(signCredential({ ...key, privateKey: 'xyz' }, input)).rejects.toThrowError(err('INVALID_ARGUMENT', 'privateKey'));
    await expect(signCredential({ ...key, publicKey: other.publicKey }, input)).rejects.toThrowError(err('INVALID_ARGUMENT', 'publicKey'));
  });
});

describe('verifyCredentialSignature', () => {
  it('accepts a credential it signed, also after a JSON round trip', async () => {
    expect(await verifyCredentialSignature(credential)).toBe(true);
    expect(await verifyCredentialSignature(JSON.parse(JSON.stringify(credential)))).toBe(true);
    const passport = await signCredential(other, { attributes: PASSPORT_ATTRIBUTES, serial: 0n, holderCommitment: 1n });
    expect(await verifyCredentialSignature(passport)).toBe(true);
  });

  it('rejects a signature under another key', async () => {
    const byOther = await signCredential(other, { attributes: CN_ATTRIBUTES, serial: 123456789n, holderCommitment: COMMITMENT });
    expect(await verifyCredentialSignature(byOther)).toBe(true);
    expect(await verifyCredentialSignature({ ...credential, issuer: byOther.issuer })).toBe(false);
    expect(await verifyCredentialSignature({ ...byOther, issuer: credential.issuer })).toBe(false);
  });

  it.each([
    ['idNumber', { idNumber: withCheck('11010519491231003') }],
    ['birthDate and idNumber', { birthDate: 19491230, idNumber: withCheck('11010519491230002') }],
    ['validUntil', { validUntil: 20300102 }],
    ['region', { region: 110106 }],
    ['nationality', { nationality: 157 }],
    ['documentType', { documentType: 0 }],
  ])('rejects a credential whose %s changed', async (_label, change) => {
    const tampered = { ...credential, attributes: { ...credential.attributes, ...change } };
    expect(() => credentialSlots(tampered)).not.toThrow(); // still a valid credential, only the signature fails
    expect(await verifyCredentialSignature(tampered)).toBe(false);
  });

  it('rejects a changed serial, holder commitment or signature', async () => {
    expect(await verifyCredentialSignature({ ...credential, serial: '123456788' })).toBe(false);
    expect(await verifyCredentialSignature({ ...credential, holderCommitment: (COMMITMENT + 1n).toString() })).toBe(false);
    const S = BigInt(credential.signature.S);
    expect(await verifyCredentialSignature({ ...credential, signature: { ...credential.signature, S: (S + 1n).toString() } })).toBe(false);
    // Malleability: S + subgroup order gives the same point, but the circuit requires S < order.
    const malleable = (S + eddsa.babyJub.subOrder).toString();
    expect(await verifyCredentialSignature({ ...credential, signature: { ...credential.signature, S: malleable } })).toBe(false);
    const R8 = credential.signature.R8;
    expect(await verifyCredentialSignature({ ...credential, signature: { ...credential.signature, R8: [R8[1], R8[0]] } })).toBe(false);
  });

  it('rejects a small-order issuer key that circomlibjs alone would accept', async () => {
    // With A = identity (0, 1), R8 = S*B8 satisfies S*B8 == R8 + h*8*A for any message.
    const S = 12345n;
    const R8 = eddsa.babyJub.mulPointEscalar(eddsa.babyJub.Base8, S);
    const forged: Credential = {
      ...credential,
      issuer: { publicKey: ['0', '1'] },
      signature: { R8: [eddsa.F.toObject(R8[0]).toString(), eddsa.F.toObject(R8[1]).toString()], S: S.toString() },
    };
    const hash = credentialHash(credentialSlots(forged));
    expect(eddsa.verifyPoseidon(eddsa.F.e(hash), { R8, S }, [eddsa.F.e(0n), eddsa.F.e(1n)])).toBe(true);
    expect(await verifyCredentialSignature(forged)).toBe(false);
  });

  it('returns false, never throws, for malformed input', async () => {
    expect(await verifyCredentialSignature(null as unknown as Credential)).toBe(false);
    expect(await verifyCredentialSignature({ ...credential, serial: MAX_SERIAL.toString() })).toBe(false);
    expect(await verifyCredentialSignature({ ...credential, issuer: { publicKey: ['1', '2'] } })).toBe(false);
  });
});

describe('randomSerial', () => {
  it('stays in [0, MAX_SERIAL)', () => {
    const seen = new Set<bigint>();
    for (let i = 0; i < 200; i++) {
      const s = randomSerial();
      expect(s >= 0n && s < MAX_SERIAL).toBe(true);
      seen.add(s);
    }
    expect(seen.size).toBeGreaterThan(190);
  });

  it('rejects draws >= MAX_SERIAL instead of reducing them', () => {
    const draws = [0xffffffff, Number(MAX_SERIAL), Number(MAX_SERIAL) - 1];
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      (array as unknown as Uint32Array)[0] = draws.shift() as number;
      return array;
    });
    expect(randomSerial()).toBe(MAX_SERIAL - 1n);
    expect(spy).toHaveBeenCalledTimes(3);
  });
});

/** ISO 7064 MOD 11-2 check character, computed independently of the module under test. */
function withCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const c = (12 - (sum % 11)) % 11;
  return first17 + (c === 10 ? 'X' : String(c));
}
