import { buildEddsa, type Eddsa } from 'circomlibjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../../scripts/lib/prng.ts';
import { BASE8, mulPoint, onCurve, type Point, SUBGROUP_ORDER, verifyEddsaPoseidon } from '../../src/credential/babyjub.ts';
import { publicKeyFromPrivate, signPoseidon } from '../../src/credential/eddsa.ts';
import { FIELD_MODULUS, toDecimal } from '../../src/field.ts';
import { type RootRecord, rootMessage, verifyRootSignature } from '../../src/revocation/root.ts';

let eddsa: Eddsa;

beforeAll(async () => {
  eddsa = await buildEddsa();
});

const next = prng(20261202);
function randomBytes(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
}
function randomFieldElement(): bigint {
  return BigInt(`0x${Buffer.from(randomBytes(32)).toString('hex')}`) % FIELD_MODULUS;
}

/** 20 private keys from a seeded PRNG, and for each: the edge messages and a random one. */
const KEYS = Array.from({ length: 20 }, () => randomBytes(32));
const EDGE_MESSAGES = [0n, 1n, FIELD_MODULUS - 1n, 2n ** 253n];
const CASES = KEYS.flatMap((key, i) => [...EDGE_MESSAGES, randomFieldElement()].map((message) => ({ i, key, message })));

const refPublicKey = (key: Uint8Array): Point => {
  const A = eddsa.prv2pub(key);
  return [eddsa.F.toObject(A[0]), eddsa.F.toObject(A[1])];
};

const refVerify = (message: bigint, sig: { R8: Point; S: bigint }, A: Point): boolean =>
  eddsa.verifyPoseidon(eddsa.F.e(message), { R8: [eddsa.F.e(sig.R8[0]), eddsa.F.e(sig.R8[1])], S: sig.S }, [
    eddsa.F.e(A[0]),
    eddsa.F.e(A[1]),
  ]);

describe('EdDSA-Poseidon signer (eddsa.ts)', () => {
  it('matches the published iden3 test vector (key 0001..0001, message LE 000102030405060708090000)', () => {
    const key = Buffer.from('0001020304050607080900010203040506070809000102030405060708090001', 'hex');
    const message = BigInt('0x000009080706050403020100');
    expect(publicKeyFromPrivate(key)).toEqual([
      13277427435165878497778222415993513565335242147425444199013288855685581939618n,
      13622229784656158136036771217484571176836296686641868549125388198837476602820n,
    ]);
    expect(signPoseidon(key, message)).toEqual({
      R8: [
        11384336176656855268977457483345535180380036354188103142384839473266348197733n,
        15383486972088797283337779941324724402501462225528836549661220478783371668959n,
      ],
      S: 1672775540645840396591609181675628451599263765380031905495115170613215233181n,
    });
  });

  it("derives circomlibjs's prv2pub public key for 20 random keys, a point of the prime-order subgroup", () => {
    for (const key of KEYS) {
      const A = publicKeyFromPrivate(key);
      expect(A).toEqual(refPublicKey(key));
      expect(onCurve(A)).toBe(true);
      expect(mulPoint(A, SUBGROUP_ORDER)).toEqual([0n, 1n]);
    }
  });

  it("signs exactly as circomlibjs's signPoseidon: 20 random keys x messages 0, 1, r-1, 2^253 and a random one", () => {
    expect(CASES).toHaveLength(100);
    for (const { key, message } of CASES) {
      const sig = signPoseidon(key, message);
      const ref = eddsa.signPoseidon(key, eddsa.F.e(message));
      expect(sig).toEqual({ R8: [eddsa.F.toObject(ref.R8[0]), eddsa.F.toObject(ref.R8[1])], S: ref.S });
    }
  });

  it('makes signatures that verify with babyjub.ts (all 100) and circomlibjs verifyPoseidon (20), on the curve, S below the subgroup order', () => {
    for (const [n, { i, key, message }] of CASES.entries()) {
      const sig = signPoseidon(key, message);
      const A = publicKeyFromPrivate(key);
      expect(onCurve(sig.R8)).toBe(true);
      expect(sig.S < SUBGROUP_ORDER).toBe(true);
      // S*B8 == R8 + 8*H*A, and not for another message or another key
      expect(verifyEddsaPoseidon(message, sig, A)).toBe(true);
      const other = message === 0n ? 1n : message - 1n;
      expect(verifyEddsaPoseidon(other, sig, A)).toBe(false);
      const otherA = publicKeyFromPrivate(KEYS[(i + 1) % KEYS.length] as Uint8Array);
      expect(verifyEddsaPoseidon(message, sig, otherA)).toBe(false);
      // circomlibjs's verifier (slow: affine arithmetic) on one message of each key, each message kind 4 times
      if (n % 5 === i % 5) {
        expect(refVerify(message, sig, A)).toBe(true);
        if (i % 2 === 0) expect(refVerify(other, sig, A)).toBe(false);
      }
    }
  });

  it("signs root messages that root.ts's verifyRootSignature (the wallet's check) accepts", () => {
    for (const key of KEYS.slice(0, 5)) {
      const A = publicKeyFromPrivate(key);
      const publicKey: [string, string] = [toDecimal(A[0]), toDecimal(A[1])];
      const record: RootRecord = { revision: 7, root: toDecimal(randomFieldElement()), publishedAt: new Date('2026-12-02T01:00:00.000Z') };
      const sig = signPoseidon(key, rootMessage(record));
      const signed = {
        ...record,
        signatures: [{ publicKey, R8: [toDecimal(sig.R8[0]), toDecimal(sig.R8[1])] as [string, string], S: toDecimal(sig.S) }],
      };
      expect(verifyRootSignature(signed, publicKey)).toBe(true);
      expect(verifyRootSignature({ ...signed, revision: 8 }, publicKey)).toBe(false);
    }
  });

  it('is deterministic: the nonce comes from the key and the message', () => {
    const key = KEYS[0] as Uint8Array;
    expect(signPoseidon(key, 42n)).toEqual(signPoseidon(key, 42n));
    expect(signPoseidon(key, 42n).R8).not.toEqual(signPoseidon(key, 43n).R8);
    // r is reduced mod the subgroup order, so R8 = r*Base8 lies in the subgroup
    expect(mulPoint(signPoseidon(key, 42n).R8, SUBGROUP_ORDER)).toEqual([0n, 1n]);
    expect(mulPoint(BASE8, SUBGROUP_ORDER)).toEqual([0n, 1n]);
  });

  it('rejects a private key that is not 32 bytes and a message outside [0, r)', () => {
    const key = KEYS[0] as Uint8Array;
    const err = (field: string) => expect.objectContaining({ name: 'ZkidError', code: 'INVALID_ARGUMENT', field });
    expect(() => publicKeyFromPrivate(key.subarray(0, 31))).toThrowError(err('privateKey'));
    expect(() => signPoseidon(new Uint8Array(33), 1n)).toThrowError(err('privateKey'));
    expect(() => signPoseidon('00'.repeat(32) as unknown as Uint8Array, 1n)).toThrowError(err('privateKey'));
    expect(() => signPoseidon(key, FIELD_MODULUS)).toThrowError(err('message'));
    expect(() => signPoseidon(key, -1n)).toThrowError(err('message'));
    expect(() => signPoseidon(key, 5 as unknown as bigint)).toThrowError(err('message'));
  });
});
