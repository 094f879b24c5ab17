/**
 * Checks a holder runs before proving, so a request it cannot satisfy fails in milliseconds with a
 * precise reason instead of a failed witness. The circuit enforces all of them again; these
 * checks are a convenience, never a security boundary.
 */

import { holderCommitment } from '../credential/holder.ts';
import { type Credential, credentialSlots, SLOT_NAMES } from '../credential/schema.ts';
import { ZkidError } from '../errors.ts';
import { type Predicate, setMemberValue } from '../policy.ts';
import type { ProofRequest } from '../request.ts';
import type { RevocationWitness } from '../revocation/tree.ts';

/** Does a predicate hold for these slot values on `today`? Mirrors circuits/lib/predicates.circom. */
export function evaluatePredicate(p: Predicate, slots: readonly bigint[], today: number): boolean {
  const v = slots[SLOT_NAMES.indexOf(p.attribute)] as bigint;
  switch (p.op) {
    case 'EQ':
      return v === BigInt(p.value);
    case 'NE':
      return v !== BigInt(p.value);
    case 'LT':
      return v < BigInt(p.value);
    case 'LTE':
      return v <= BigInt(p.value);
    case 'GT':
      return v > BigInt(p.value);
    case 'GTE':
      return v >= BigInt(p.value);
    case 'BETWEEN':
      return v >= BigInt(p.value[0]) && v <= BigInt(p.value[1]);
    case 'IN':
      return p.value.some((m) => setMemberValue(p.attribute, m) === v);
    case 'NIN':
      return !p.value.some((m) => setMemberValue(p.attribute, m) === v);
    case 'AGE_GTE':
      return v + BigInt(p.value) * 10000n <= BigInt(today);
  }
}

/**
 * @throws ZkidError ISSUER_NOT_TRUSTED, HOLDER_MISMATCH, CREDENTIAL_EXPIRED, ROOT_NOT_ACCEPTED,
 *   INVALID_REVOCATION_DATA, CREDENTIAL_REVOKED or PREDICATE_UNSATISFIED (field names the predicate)
 */
export function checkStatement(credential: Credential, holderSecret: bigint, request: ProofRequest, revocation: RevocationWitness): void {
  const [ax, ay] = credential.issuer.publicKey;
  if (!request.issuers.some(([x, y]) => x === ax && y === ay)) {
    throw new ZkidError('ISSUER_NOT_TRUSTED', 'the credential was issued by a key this request does not accept', 'credential.issuer');
  }
  if (holderCommitment(holderSecret).toString() !== credential.holderCommitment) {
    throw new ZkidError('HOLDER_MISMATCH', 'the holder secret does not match the credential', 'holderSecret');
  }
  if (!(request.today < credential.attributes.validUntil)) {
    throw new ZkidError(
      'CREDENTIAL_EXPIRED',
      `the credential expired on ${credential.attributes.validUntil}`,
      'credential.attributes.validUntil',
    );
  }
  if (revocation.serial.toString() !== credential.serial) {
    throw new ZkidError('INVALID_REVOCATION_DATA', 'the revocation witness is for another serial', 'revocation');
  }
  if (!request.roots.includes(revocation.root.toString())) {
    throw new ZkidError('ROOT_NOT_ACCEPTED', 'the revocation data is for a root this request does not accept: refresh it', 'revocation');
  }
  if ((revocation.leaf >> BigInt(revocation.bit)) & 1n) {
    throw new ZkidError('CREDENTIAL_REVOKED', 'the credential has been revoked', 'credential.serial');
  }
  const slots = credentialSlots(credential);
  request.policy.predicates.forEach((p, i) => {
    if (!evaluatePredicate(p, slots, request.today)) {
      throw new ZkidError(
        'PREDICATE_UNSATISFIED',
        `predicate ${i} (${p.attribute} ${p.op} ${JSON.stringify(p.value)}) does not hold`,
        `policy.predicates[${i}]`,
      );
    }
  });
}
