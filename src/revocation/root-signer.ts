/**
 * The issuer's side of root signatures (Node: credential/eddsa.ts, circomlibjs's signPoseidon
 * without its build step, which is exactly what circomlib's EdDSAPoseidonVerifier and
 * verifyRootSignature in root.ts accept). The registry of an instance with the issuer role signs
 * every root it publishes with each active issuer key, so holders of credentials from any of
 * those keys can check the root (see root.ts).
 */
import { signPoseidon } from '../credential/eddsa.ts';
import { signingKey } from '../credential/issuer.ts';
import { toDecimal } from '../field.ts';
import { type RootRecord, type RootSignature, rootMessage } from './root.ts';

/** Signs a root record (synchronously: it runs inside the registry's change, between tree and store). */
export type RootSigner = ((record: Pick<RootRecord, 'revision' | 'root' | 'publishedAt'>) => RootSignature[]) & {
  /** the public keys it signs with, in the order of its signatures */
  readonly publicKeys: readonly [string, string][];
};

/**
 * A signer over the given issuer keys (each public key is checked against its private key).
 * @param keys private keys (64 hex characters) with their public keys; none: a signer that signs nothing
 * @throws ZkidError INVALID_ARGUMENT ('keys[i].privateKey' or 'keys[i].publicKey')
 */
export async function createRootSigner(keys: readonly { privateKey: string; publicKey: readonly [string, string] }[]): Promise<RootSigner> {
  const prepared = keys.map((k, i) => signingKey(k, `keys[${i}].`));
  const sign = (record: Pick<RootRecord, 'revision' | 'root' | 'publishedAt'>): RootSignature[] => {
    const m = rootMessage(record);
    return prepared.map(({ bytes, publicKey }) => {
      const sig = signPoseidon(bytes, m);
      return { publicKey, R8: [toDecimal(sig.R8[0]), toDecimal(sig.R8[1])], S: toDecimal(sig.S) };
    });
  };
  return Object.assign(sign, { publicKeys: prepared.map((k) => k.publicKey) });
}
