/**
 * Revocation roots as published: the one record type of the root history (the tree's, the
 * registry's, the store's, the HTTP answers' and the wallet's), the issuer's signature over it,
 * and the recent window of roots a verifier accepts. Browser-safe (the Poseidon wrapper and
 * BigInt, no circomlibjs): the wallet checks signatures with the same code as the verifier that
 * follows a remote registry. The check is circomlib's EdDSAPoseidonVerifier: S < subgroup order,
 * R8 and A on the curve, A not of small order, and S*B8 == R8 + (8*H)*A with
 * H = Poseidon(R8x, R8y, Ax, Ay, M), on the curve arithmetic of credential/babyjub.ts (shared
 * with the issuer's signer); tests check it against circomlibjs's verifyPoseidon and babyJub.
 * (@zk-kit/eddsa-poseidon 1.1.0 does the same but its ES module does not load under Node: it
 * imports names from CommonJS blakejs; @zk-kit/baby-jubjub would add ~100 kB of input, a Buffer
 * polyfill among it, to the wallet for a few lines of curve arithmetic.)
 *
 * The issuer signs each root it publishes with its EdDSA-Poseidon key (the key that signs its
 * credentials) over a domain-separated message
 *
 *   M = Poseidon(ROOT_SIGNATURE_DOMAIN, root, revision, publishedAt in epoch milliseconds)
 *
 * so a signature binds the root to its revision and its publication time: it cannot be moved to
 * another revision (a rollback dressed as news) or another time (which would stretch the accepted
 * window). Credential signatures sign Poseidon over 9 inputs and start with the schema version; a
 * root message is Poseidon over 4 inputs starting with this tag, so one never verifies as the other.
 * Whoever serves a record (the registry, any mirror, a cache) can withhold newer records but not
 * make one: trust is in the signature, never the transport.
 *
 * @example
 * const record = parseRootRecord(json.rootRecord, 'rootRecord');
 * checkSignedRoot(record, { root: witness.root, issuerPublicKey: credential.issuer.publicKey });
 */
import { isUsablePublicKey, verifyEddsaPoseidon } from '../credential/babyjub.ts';
import { ZkidError } from '../errors.ts';
import { isCanonicalFieldElement, toDecimal } from '../field.ts';
import { poseidon } from '../poseidon.ts';
import { dataError, expectArray, expectDecimal, expectInteger, expectObject } from './common.ts';

/** The domain tag of root signatures: the ASCII bytes of 'zkid/revocation-root/v1' as one integer (< 2^184). */
export const ROOT_SIGNATURE_DOMAIN = BigInt(`0x${Array.from('zkid/revocation-root/v1', (c) => c.charCodeAt(0).toString(16)).join('')}`);

/** An EdDSA-Poseidon signature of a root record by one issuer key (decimal strings). */
export interface RootSignature {
  /** the issuer's public key [Ax, Ay] */
  publicKey: [string, string];
  R8: [string, string];
  S: string;
}

/** One root of the history: what a tree revision's root was and when it was published. */
export interface RootRecord {
  /** the tree revision this root belongs to (0 = the empty tree) */
  revision: number;
  /** the root, decimal */
  root: string;
  publishedAt: Date;
  /** the issuer's signatures (one per active issuer key); absent or empty: unsigned */
  signatures?: RootSignature[];
}

/** A root record as JSON (GET /v1/registry/roots, buckets, the snapshot). */
export interface RootRecordJson {
  revision: number;
  root: string;
  /** ISO 8601 with milliseconds: exactly the signed time */
  publishedAt: string;
  signatures: RootSignature[];
}

/** At most this many signatures a record may carry (one per active issuer key). */
export const MAX_ROOT_SIGNATURES = 8;

/** The message an issuer signs for a root record. Arguments must already be valid. */
export function rootMessage(r: Pick<RootRecord, 'revision' | 'root' | 'publishedAt'>): bigint {
  return poseidon([ROOT_SIGNATURE_DOMAIN, BigInt(r.root), BigInt(r.revision), BigInt(r.publishedAt.getTime())]);
}

export function rootRecordToJson(r: RootRecord): RootRecordJson {
  return { revision: r.revision, root: r.root, publishedAt: r.publishedAt.toISOString(), signatures: r.signatures ?? [] };
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function expectPair(value: unknown, field: string): [string, string] {
  const pair = expectArray(value, field, 2);
  if (pair.length !== 2) throw dataError(field, `${field} must be a pair of decimal strings`);
  return [toDecimal(expectDecimal(pair[0], `${field}[0]`)), toDecimal(expectDecimal(pair[1], `${field}[1]`))];
}

/**
 * Validate a root record that arrived as JSON (signatures are checked by {@link verifyRootSignature}).
 * @param field the name used in error messages, e.g. 'rootRecord' or 'roots[3]'
 * @throws ZkidError INVALID_REVOCATION_DATA naming the part ('rootRecord.publishedAt', 'roots[3].signatures[0].S', ...)
 */
export function parseRootRecord(value: unknown, field = 'rootRecord'): RootRecord {
  const o = expectObject(value, field);
  const revision = expectInteger(o.revision, `${field}.revision`, 0, Number.MAX_SAFE_INTEGER);
  const root = toDecimal(expectDecimal(o.root, `${field}.root`));
  const at = o.publishedAt;
  const publishedAt = typeof at === 'string' && ISO_MS.test(at) ? new Date(at) : undefined;
  if (!publishedAt || Number.isNaN(publishedAt.getTime()) || publishedAt.toISOString() !== at || publishedAt.getTime() < 0) {
    throw dataError(
      `${field}.publishedAt`,
      `${field}.publishedAt must be an ISO 8601 UTC time with milliseconds (as the registry serves it)`,
    );
  }
  const signatures = (o.signatures === undefined ? [] : expectArray(o.signatures, `${field}.signatures`, MAX_ROOT_SIGNATURES)).map(
    (s, i): RootSignature => {
      const f = `${field}.signatures[${i}]`;
      const so = expectObject(s, f);
      return {
        publicKey: expectPair(so.publicKey, `${f}.publicKey`),
        R8: expectPair(so.R8, `${f}.R8`),
        S: toDecimal(expectDecimal(so.S, `${f}.S`)),
      };
    },
  );
  return { revision, root, publishedAt, signatures };
}

/**
 * Is this a public key a signature can be checked against: canonical, on the curve, and not of
 * small order? With a small-order key (8*A the identity) S*B8 == R8 + 8*H*A holds for any message
 * once R8 = S*B8: circomlib's verifier rejects such keys, and so does this one.
 */
export function isUsableIssuerKey(publicKey: readonly [string, string]): boolean {
  return publicKey.every(isCanonicalFieldElement) && isUsablePublicKey([BigInt(publicKey[0]), BigInt(publicKey[1])]);
}

/**
 * Does `record` carry a valid signature by `publicKey` over its root, revision and time? Never throws.
 * The signature's coordinates and S must be canonical decimals below r; anything else fails.
 * @param publicKey the issuer key expected (the credential's issuer, or the one a verifier is configured with)
 */
export function verifyRootSignature(record: RootRecord, publicKey: readonly [string, string]): boolean {
  try {
    if (!isUsableIssuerKey(publicKey)) return false;
    const sig = record.signatures?.find((s) => s.publicKey[0] === publicKey[0] && s.publicKey[1] === publicKey[1]);
    if (!sig || ![...sig.R8, sig.S].every(isCanonicalFieldElement)) return false;
    return verifyEddsaPoseidon(rootMessage(record), { R8: [BigInt(sig.R8[0]), BigInt(sig.R8[1])], S: BigInt(sig.S) }, [
      BigInt(publicKey[0]),
      BigInt(publicKey[1]),
    ]);
  } catch {
    return false;
  }
}

/**
 * Holder side: the root that fetched revocation data yields must be one the credential's issuer
 * signed. Call it after witnessFromBucket / witnessFromSnapshot with the record served beside the
 * data (`rootRecord`), before keeping the data.
 * @param record untrusted JSON (or a parsed record)
 * @param o the root the data yields and the issuer key to trust (the credential's)
 * @returns the parsed record
 * @throws ZkidError ROOT_NOT_SIGNED when the record is missing, is for another root, or carries no
 *   valid signature by that key; INVALID_REVOCATION_DATA for a malformed record
 */
export function checkSignedRoot(record: unknown, o: { root: bigint | string; issuerPublicKey: readonly [string, string] }): RootRecord {
  if (record === undefined || record === null) {
    throw new ZkidError('ROOT_NOT_SIGNED', 'the registry sent no signed root record with the revocation data', 'rootRecord');
  }
  const parsed = parseRootRecord(record, 'rootRecord');
  const root = typeof o.root === 'bigint' ? toDecimal(o.root) : o.root;
  if (parsed.root !== root) {
    throw new ZkidError('ROOT_NOT_SIGNED', 'the signed root record is for another root than the revocation data yields', 'rootRecord.root');
  }
  if (!parsed.signatures || parsed.signatures.length === 0) {
    throw new ZkidError(
      'ROOT_NOT_SIGNED',
      `revocation root (revision ${parsed.revision}) is not signed by any issuer`,
      'rootRecord.signatures',
    );
  }
  if (!verifyRootSignature(parsed, o.issuerPublicKey)) {
    throw new ZkidError(
      'ROOT_NOT_SIGNED',
      `revocation root (revision ${parsed.revision}) carries no valid signature by the credential's issuer key`,
      'rootRecord.signatures',
    );
  }
  return parsed;
}

/**
 * The roots a verifier accepts at `now`, newest first: the current root, plus earlier roots that
 * were still current less than `maxAgeSeconds` ago, at most `count` distinct roots. Root i stopped
 * being current when root i-1 was published.
 * @param history newest first
 */
export function acceptedRootsOf(history: readonly RootRecord[], now: Date, window: { count: number; maxAgeSeconds: number }): string[] {
  const out: string[] = [];
  for (let i = 0; i < history.length && out.length < window.count; i++) {
    const entry = history[i] as RootRecord;
    if (i > 0) {
      const supersededAt = (history[i - 1] as RootRecord).publishedAt.getTime();
      if (now.getTime() - supersededAt > window.maxAgeSeconds * 1000) break;
    }
    if (!out.includes(entry.root)) out.push(entry.root);
  }
  return out;
}
