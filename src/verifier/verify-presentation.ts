/**
 * verifyPresentation: checks a holder's presentation against the request the verifier issued.
 * Cheapest checks first; every public input must equal what the request fixed; any exception
 * means rejection. Challenge consumption and nullifier uniqueness are the caller's (the service
 * keeps that state); this function is pure apart from the pairing check.
 */
import { encodeStatement } from '../circuit/encoding.ts';
import { circuitParams, publicSignalNames, SIGNAL } from '../circuit/registry.ts';
import { decodeIdNumber } from '../credential/id-number.ts';
import { SLOT_NAMES, type SlotName } from '../credential/schema.ts';
import { isCanonicalFieldElement } from '../field.ts';
import { policyPrivacyProblem } from '../policy.ts';
import type { Presentation, ProofRequest } from '../request.ts';
import { proofPointsProblem, type VerificationKey, verificationKeyProblem } from './groth16-checks.ts';
import { groth16VerifyMcl, type ProofPoints } from './groth16-mcl.ts';

export type VerifyErrorCode =
  | 'MALFORMED_PRESENTATION'
  | 'POLICY_NOT_ALLOWED'
  | 'REQUEST_MISMATCH'
  | 'REQUEST_EXPIRED'
  | 'WRONG_SIGNAL_COUNT'
  | 'NON_CANONICAL_SIGNAL'
  | 'ISSUER_NOT_TRUSTED'
  | 'ROOT_NOT_ACCEPTED'
  | 'SCOPE_MISMATCH'
  | 'CHALLENGE_MISMATCH'
  | 'STATEMENT_MISMATCH'
  | 'MALFORMED_PROOF'
  | 'INSECURE_VERIFICATION_KEY'
  | 'INVALID_VERIFICATION_KEY'
  | 'PROOF_INVALID'
  | 'INTERNAL_ERROR';

export interface Accepted {
  verified: true;
  requestId: string;
  policy: string;
  /** the holder's pseudonym at this service: Poseidon(holderSecret, scope) */
  pseudonym: string;
  disclosed: Partial<Record<SlotName, string | number>>;
  issuer: [string, string];
  root: string;
}

export interface Rejected {
  verified: false;
  code: VerifyErrorCode;
  message: string;
}

export type Verdict = Accepted | Rejected;

export interface VerifyOptions {
  /** the pinned verification key of request.circuit */
  verificationKey: VerificationKey | unknown;
  now?: Date;
}

const reject = (code: VerifyErrorCode, message: string): Rejected => ({ verified: false, code, message });

function decodeDisclosed(name: SlotName, v: bigint): string | number {
  if (name === 'idNumber') return decodeIdNumber(v);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

async function check(presentation: unknown, request: ProofRequest, o: VerifyOptions): Promise<Verdict> {
  if (typeof presentation !== 'object' || presentation === null) return reject('MALFORMED_PRESENTATION', 'presentation must be an object');
  const p = presentation as Partial<Presentation>;
  // A request that constrains serial or holderCommitment, or identifies without saying so, is
  // never honoured, even if this verifier issued it: the holder's software refuses it too.
  const policyProblem = policyPrivacyProblem(request.policy);
  if (policyProblem) return reject('POLICY_NOT_ALLOWED', `${policyProblem.field}: ${policyProblem.message}`);
  if (p.requestId !== request.id) return reject('REQUEST_MISMATCH', 'the presentation answers another request');
  if (p.circuit !== request.circuit) return reject('REQUEST_MISMATCH', 'the presentation uses another circuit than the request');
  if ((o.now ?? new Date()).getTime() >= Date.parse(request.expiresAt)) return reject('REQUEST_EXPIRED', 'the request has expired');

  const params = circuitParams(request.circuit);
  const names = publicSignalNames(params);
  const signals = p.publicSignals;
  if (!Array.isArray(signals)) return reject('MALFORMED_PRESENTATION', 'publicSignals must be a list');
  if (signals.length !== names.length) {
    return reject('WRONG_SIGNAL_COUNT', `expected ${names.length} public signals, got ${signals.length}`);
  }
  const values: bigint[] = [];
  for (let i = 0; i < signals.length; i++) {
    const s = signals[i];
    if (!isCanonicalFieldElement(s)) {
      return reject('NON_CANONICAL_SIGNAL', `public signal ${i} (${names[i]}) is not a canonical decimal below r`);
    }
    values.push(BigInt(s));
  }
  const at = (i: number) => (values[i] as bigint).toString();

  const issuer: [string, string] = [at(SIGNAL.issuerAx), at(SIGNAL.issuerAy)];
  if (!request.issuers.some(([x, y]) => x === issuer[0] && y === issuer[1])) {
    return reject('ISSUER_NOT_TRUSTED', 'the credential was issued by a key the request does not trust');
  }
  const root = at(SIGNAL.revocationRoot);
  if (!request.roots.includes(root)) return reject('ROOT_NOT_ACCEPTED', 'the revocation root is not one the request accepts');
  if (at(SIGNAL.scope) !== request.scope) return reject('SCOPE_MISMATCH', 'the proof is for another service scope');
  if (at(SIGNAL.challenge) !== request.challenge) return reject('CHALLENGE_MISMATCH', 'the proof is bound to another challenge');
  const enc = encodeStatement(params, { today: request.today, disclose: request.policy.disclose, predicates: request.policy.predicates });
  if (values[SIGNAL.setHash] !== enc.setHash) return reject('STATEMENT_MISMATCH', 'the proof is for another IN/NIN set');
  for (let c = 0; c < enc.request.length; c++) {
    if (values[SIGNAL.request + c] !== enc.request[c]) {
      return reject('STATEMENT_MISMATCH', 'the proof is for another date, policy or disclosure than the request');
    }
  }

  const vkProblem = verificationKeyProblem(o.verificationKey, names.length);
  if (vkProblem) return reject(vkProblem.code, vkProblem.message);
  const pointProblem = await proofPointsProblem(p.proof);
  if (pointProblem) return reject('MALFORMED_PROOF', pointProblem);

  const ok = await groth16VerifyMcl(o.verificationKey as VerificationKey, values, p.proof as unknown as ProofPoints);
  if (ok !== true) return reject('PROOF_INVALID', 'the proof does not verify');

  const disclosed: Partial<Record<SlotName, string | number>> = {};
  SLOT_NAMES.forEach((name, i) => {
    if (request.policy.disclose.includes(name)) disclosed[name] = decodeDisclosed(name, values[SIGNAL.disclosed + i] as bigint);
  });
  return {
    verified: true,
    requestId: request.id,
    policy: request.policy.name,
    pseudonym: at(SIGNAL.nullifier),
    disclosed,
    issuer,
    root,
  };
}

/**
 * Verify a presentation against the request it answers.
 * @param presentation untrusted JSON from the holder
 * @param request the request as the verifier issued and stored it
 * @returns a verdict; never throws: an internal error is a rejection (`INTERNAL_ERROR`)
 * @example const v = await verifyPresentation(body, storedRequest, { verificationKey }); if (v.verified) ...
 */
export async function verifyPresentation(presentation: unknown, request: ProofRequest, o: VerifyOptions): Promise<Verdict> {
  try {
    return await check(presentation, request, o);
  } catch (e) {
    return reject('INTERNAL_ERROR', `verification failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
