/**
 * EdDSA-Poseidon signing on BabyJubJub without circomlibjs's build step: byte for byte
 * circomlibjs 0.1.7's prv2pub and signPoseidon (src/eddsa.js, babyjub.js), on the BigInt curve of
 * babyjub.ts and the Poseidon wrapper, with BLAKE-512 from blake-hash (the package circomlibjs
 * uses). circomlibjs's buildEddsa builds babyJub, pedersenHash, mimc7, a WebAssembly Poseidon and
 * mimcSponge, each on its own bn128 curve, in every process that signs; this needs none of it.
 * Issuer side only (Node: blake-hash loads a native addon, falling back to its JavaScript engine);
 * verification is in babyjub.ts (browser-safe).
 *
 * Cost (CPU user+system, medians of 5, 2 cores shared with other jobs, noisy): first signature in a fresh process 2.63 s -> 0.26 s (module load included), each further key + signature 41 -> 6 ms; `node dist/server/main.js` to "listening" 7.6 -> 5.0 s.
 *
 *   s  = the first 32 bytes of BLAKE-512(privateKey), pruned (low 3 bits cleared, bit 255 cleared,
 *        bit 254 set), as a little-endian integer;  A = (s >> 3) * Base8
 *   r  = BLAKE-512(last 32 bytes of that hash || M as 32 bytes little-endian), as a little-endian
 *        512-bit integer, mod the subgroup order;  R8 = r * Base8
 *   S  = (r + Poseidon(R8x, R8y, Ax, Ay, M) * s) mod the subgroup order
 *
 * Tests (test/credential/eddsa.test.ts) check equality with circomlibjs's buildEddsa() on random
 * keys and edge messages, and that the signatures verify with babyjub.ts and circomlibjs.
 */
import createBlakeHash from 'blake-hash';
import { ZkidError } from '../errors.ts';
import { FIELD_MODULUS } from '../field.ts';
import { poseidon } from '../poseidon.ts';
import { BASE8, mulPoint, type Point, SUBGROUP_ORDER } from './babyjub.ts';

/** An EdDSA-Poseidon signature: R8 on the curve, S < the subgroup order. */
export interface EddsaSignature {
  R8: Point;
  S: bigint;
}

/** The little-endian integer of `bytes`. */
function fromLE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] as number);
  return v;
}

/** BLAKE-512 of the private key, pruned as circomlibjs's pruneBuffer: [scalar bytes (32), nonce prefix (32)]. */
function expandKey(privateKey: Uint8Array): { s: bigint; prefix: Buffer } {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) {
    throw new ZkidError('INVALID_ARGUMENT', 'privateKey must be 32 bytes', 'privateKey');
  }
  const h = createBlakeHash('blake512').update(Buffer.from(privateKey)).digest();
  h[0] = (h[0] as number) & 0xf8;
  h[31] = ((h[31] as number) & 0x7f) | 0x40;
  return { s: fromLE(h.subarray(0, 32)), prefix: h.subarray(32, 64) };
}

/** The public key A = (s >> 3) * Base8 of a 32-byte private key (circomlibjs's prv2pub). */
export function publicKeyFromPrivate(privateKey: Uint8Array): Point {
  return mulPoint(BASE8, expandKey(privateKey).s >> 3n);
}

/**
 * Sign a field element (circomlibjs's signPoseidon: deterministic, the nonce from the key and M).
 * @param privateKey 32 bytes
 * @param message M, 0 <= M < r
 * @throws ZkidError INVALID_ARGUMENT ('privateKey' for anything but 32 bytes, 'message' for M out of range)
 */
export function signPoseidon(privateKey: Uint8Array, message: bigint): EddsaSignature {
  if (typeof message !== 'bigint' || message < 0n || message >= FIELD_MODULUS) {
    throw new ZkidError('INVALID_ARGUMENT', 'message must be a field element (0 <= M < r)', 'message');
  }
  const { s, prefix } = expandKey(privateKey);
  const A = mulPoint(BASE8, s >> 3n);
  const nonceInput = Buffer.alloc(64);
  prefix.copy(nonceInput, 0);
  let v = message;
  for (let i = 32; i < 64; i++, v >>= 8n) nonceInput[i] = Number(v & 0xffn);
  const r = fromLE(createBlakeHash('blake512').update(nonceInput).digest()) % SUBGROUP_ORDER;
  const R8 = mulPoint(BASE8, r);
  const hm = poseidon([R8[0], R8[1], A[0], A[1], message]);
  return { R8, S: (r + hm * s) % SUBGROUP_ORDER };
}
