/**
 * The holder's secret and its commitment (credential slot 7). The issuer only ever sees
 * `holderCommitment = Poseidon(holderSecret)`; the secret stays in the wallet and also keys the
 * per-service nullifier `Poseidon(holderSecret, scope)`.
 */
import { parseFieldElement, randomFieldElement } from '../field.ts';
import { poseidon } from '../poseidon.ts';

/** A fresh uniformly random holder secret (a field element from the platform CSPRNG). */
export function createHolderSecret(): bigint {
  return randomFieldElement();
}

/**
 * The commitment the issuer signs into the credential: Poseidon(holderSecret).
 * @throws ZkidError INVALID_FIELD_ELEMENT (field 'holderSecret') for a value outside the field
 */
export function holderCommitment(secret: bigint): bigint {
  return poseidon([parseHolderSecret(secret)]);
}

/**
 * Parse a holder secret given as a canonical decimal string or a bigint.
 * @throws ZkidError INVALID_FIELD_ELEMENT (field 'holderSecret')
 * @example parseHolderSecret('42') // 42n
 */
export function parseHolderSecret(value: unknown): bigint {
  return parseFieldElement('holderSecret', value);
}
