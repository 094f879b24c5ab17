import { type BabyJub, buildEddsa, type Eddsa } from 'circomlibjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE8, mulPoint, onCurve, type Point, SUBGROUP_ORDER } from '../../src/credential/babyjub.ts';
import { generateIssuerKey, type IssuerKey } from '../../src/credential/issuer.ts';
import { toDecimal } from '../../src/field.ts';
import {
  acceptedRootsOf,
  checkSignedRoot,
  isUsableIssuerKey,
  parseRootRecord,
  type RootRecord,
  rootMessage,
  rootRecordToJson,
  verifyRootSignature,
} from '../../src/revocation/root.ts';
import { createRootSigner, type RootSigner } from '../../src/revocation/root-signer.ts';
import { RevocationTree } from '../../src/revocation/tree.ts';
import { expectZkidError } from './helpers.ts';

let key: IssuerKey;
let other: IssuerKey;
let sign: RootSigner;
let babyJub: BabyJub;
let eddsa: Eddsa;

/** circomlibjs's k * P, as bigints: the reference for the verifier's own curve arithmetic. */
function refMul(p: Point, k: bigint): Point {
  const F = babyJub.F;
  const r = babyJub.mulPointEscalar([F.e(p[0]), F.e(p[1])], k);
  return [F.toObject(r[0]), F.toObject(r[1])];
}

/** circomlib's generator of the whole curve (order 8 * SUBGROUP_ORDER); Base8 = 8 * it. */
const GENERATOR: Point = [
  995203441582195749578291179787384436505546430278305826713579947235728471134n,
  5472060717959818805561601436314318772137091100104008585924551046643952123905n,
];

function signed(over: Partial<RootRecord> = {}): RootRecord {
  const tree = new RevocationTree();
  tree.revoke(1234n);
  const base = { revision: 1, root: toDecimal(tree.root), publishedAt: new Date('2026-12-01T10:00:00.123Z'), ...over };
  return { ...base, signatures: sign(base) };
}

beforeAll(async () => {
  key = await generateIssuerKey();
  other = await generateIssuerKey();
  sign = await createRootSigner([key]);
  eddsa = await buildEddsa();
  babyJub = eddsa.babyJub;
});

describe('root signatures', () => {
  it("the root signer's signature (credential/eddsa.ts) verifies with the verifier the wallet uses (root.ts)", () => {
    const r = signed();
    expect(r.signatures).toHaveLength(1);
    expect(r.signatures?.[0]?.publicKey).toEqual(key.publicKey);
    expect(verifyRootSignature(r, key.publicKey)).toBe(true);
  });

  it("uses circomlib's curve: Base8 and the subgroup order are circomlibjs's, and points multiply as its mulPointEscalar does", () => {
    const F = babyJub.F;
    expect(BASE8).toEqual([F.toObject(babyJub.Base8[0]), F.toObject(babyJub.Base8[1])]);
    expect(SUBGROUP_ORDER).toBe(babyJub.subOrder);
    expect(refMul(GENERATOR, 8n)).toEqual(BASE8);
    expect(onCurve(BASE8) && onCurve(GENERATOR)).toBe(true);
    expect(onCurve([BASE8[0], BASE8[1] + 1n])).toBe(false);
    const p = refMul(BASE8, 987654321n);
    for (const k of [0n, 1n, 2n, 8n, 2n ** 200n + 12345n, (SUBGROUP_ORDER - 1n) * 8n]) {
      expect(mulPoint(p, k)).toEqual(refMul(p, k));
    }
    expect(mulPoint(BASE8, SUBGROUP_ORDER)).toEqual([0n, 1n]);
  });

  it('agrees with circomlibjs verifyPoseidon on the same message', () => {
    const r = signed();
    const s = r.signatures?.[0];
    if (!s) throw new Error('unsigned');
    const F = eddsa.F;
    const ok = eddsa.verifyPoseidon(F.e(rootMessage(r)), { R8: [F.e(BigInt(s.R8[0])), F.e(BigInt(s.R8[1]))], S: BigInt(s.S) }, [
      F.e(BigInt(key.publicKey[0])),
      F.e(BigInt(key.publicKey[1])),
    ]);
    expect(ok).toBe(true);
  });

  it('round-trips through JSON and still verifies', () => {
    const r = signed();
    const back = parseRootRecord(JSON.parse(JSON.stringify(rootRecordToJson(r))));
    expect(back).toEqual(r);
    expect(verifyRootSignature(back, key.publicKey)).toBe(true);
  });

  it('rejects a forged signature (S changed, R8 changed)', () => {
    const r = signed();
    const s = r.signatures?.[0] as NonNullable<RootRecord['signatures']>[number];
    expect(verifyRootSignature({ ...r, signatures: [{ ...s, S: (BigInt(s.S) + 1n).toString() }] }, key.publicKey)).toBe(false);
    expect(verifyRootSignature({ ...r, signatures: [{ ...s, R8: [s.R8[1], s.R8[0]] }] }, key.publicKey)).toBe(false);
  });

  it('rejects a signature moved to another revision, another time or another root', () => {
    const r = signed();
    expect(verifyRootSignature({ ...r, revision: 2 }, key.publicKey)).toBe(false);
    expect(verifyRootSignature({ ...r, publishedAt: new Date(r.publishedAt.getTime() + 1) }, key.publicKey)).toBe(false);
    expect(verifyRootSignature({ ...r, root: toDecimal(new RevocationTree().root) }, key.publicKey)).toBe(false);
  });

  it("rejects another issuer's signature, and a signature that only claims the expected key", () => {
    const r = signed();
    expect(verifyRootSignature(r, other.publicKey)).toBe(false);
    const s = r.signatures?.[0] as NonNullable<RootRecord['signatures']>[number];
    expect(verifyRootSignature({ ...r, signatures: [{ ...s, publicKey: other.publicKey }] }, other.publicKey)).toBe(false);
  });

  it('rejects a small-order public key, for which any message would verify', () => {
    // A = the identity (0, 1): S*B8 == R8 + 8*H*A holds for any message once R8 = S*B8.
    const identity: [string, string] = ['0', '1'];
    const S = 12345n;
    const R8 = mulPoint(BASE8, S);
    const forged: RootRecord = {
      ...signed(),
      signatures: [{ publicKey: identity, R8: [R8[0].toString(), R8[1].toString()], S: S.toString() }],
    };
    expect(isUsableIssuerKey(identity)).toBe(false);
    expect(verifyRootSignature(forged, identity)).toBe(false);
    expect(isUsableIssuerKey(key.publicKey)).toBe(true);
    expect(isUsableIssuerKey(['1', '2'])).toBe(false); // not on the curve
    // a point of order 8 (the generator times the subgroup order) is refused too; the generator itself is not small
    const order8 = refMul(GENERATOR, SUBGROUP_ORDER);
    expect(order8).not.toEqual([0n, 1n]);
    expect(refMul(order8, 8n)).toEqual([0n, 1n]);
    expect(isUsableIssuerKey([order8[0].toString(), order8[1].toString()])).toBe(false);
    expect(isUsableIssuerKey([GENERATOR[0].toString(), GENERATOR[1].toString()])).toBe(true);
  });

  it('is domain separated from credential signatures: the message is not a bare Poseidon of the fields', () => {
    const r = signed();
    expect(rootMessage(r)).not.toBe(rootMessage({ ...r, revision: r.revision + 1 }));
  });
});

describe('checkSignedRoot (the holder)', () => {
  it('accepts the signed record of the root its data yields', () => {
    const r = signed();
    expect(checkSignedRoot(rootRecordToJson(r), { root: BigInt(r.root), issuerPublicKey: key.publicKey }).revision).toBe(1);
  });
  it('refuses a missing record, an unsigned record, a record of another root and a bad signature with ROOT_NOT_SIGNED', () => {
    const r = signed();
    const json = rootRecordToJson(r);
    const o = { root: r.root, issuerPublicKey: key.publicKey };
    expectZkidError(() => checkSignedRoot(undefined, o), 'ROOT_NOT_SIGNED', 'rootRecord', 'no signed root record');
    expectZkidError(
      () => checkSignedRoot({ ...json, signatures: [] }, o),
      'ROOT_NOT_SIGNED',
      'rootRecord.signatures',
      'not signed by any issuer',
    );
    expectZkidError(() => checkSignedRoot({ ...json, root: '5' }, o), 'ROOT_NOT_SIGNED', 'rootRecord.root', 'for another root');
    expectZkidError(() => checkSignedRoot({ ...json, revision: 7 }, o), 'ROOT_NOT_SIGNED', 'rootRecord.signatures', 'no valid signature');
    expectZkidError(
      () => checkSignedRoot(json, { ...o, issuerPublicKey: other.publicKey }),
      'ROOT_NOT_SIGNED',
      'rootRecord.signatures',
      "credential's issuer key",
    );
  });
  it('names the malformed part of a record', () => {
    const json = rootRecordToJson(signed());
    const o = { root: json.root, issuerPublicKey: key.publicKey };
    expectZkidError(
      () => checkSignedRoot({ ...json, publishedAt: '2026-12-01' }, o),
      'INVALID_REVOCATION_DATA',
      'rootRecord.publishedAt',
      'ISO 8601',
    );
    expectZkidError(
      () => checkSignedRoot({ ...json, signatures: [{ ...json.signatures[0], S: '-1' }] }, o),
      'INVALID_REVOCATION_DATA',
      'rootRecord.signatures[0].S',
      'decimal',
    );
  });
});

describe('acceptedRootsOf', () => {
  const t0 = Date.parse('2026-12-01T00:00:00Z');
  const rec = (revision: number, root: string, s: number): RootRecord => ({ revision, root, publishedAt: new Date(t0 + s * 1000) });
  const history = [rec(3, 'c', 300), rec(2, 'b', 200), rec(1, 'a', 100), rec(0, 'z', 0)];
  it('takes the current root and the roots superseded less than maxAgeSeconds ago, at most count', () => {
    expect(acceptedRootsOf(history, new Date(t0 + 310_000), { count: 24, maxAgeSeconds: 150 })).toEqual(['c', 'b', 'a']);
    expect(acceptedRootsOf(history, new Date(t0 + 310_000), { count: 2, maxAgeSeconds: 3600 })).toEqual(['c', 'b']);
    expect(acceptedRootsOf(history, new Date(t0 + 10_000_000), { count: 24, maxAgeSeconds: 60 })).toEqual(['c']);
  });
});
