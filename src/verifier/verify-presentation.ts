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
import { type KeyProblem, proofShapeProblem, type VerificationKey, verificationKeyProblem } from './groth16-checks.ts';
import { groth16BatchPairing, groth16Pairing, type ParsedProof, type ProofPoints, parseProof } from './groth16-mcl.ts';

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
  /**
   * the pinned verification key of request.circuit; treated as immutable once used (its checks
   * and pairing preparation are done once per key object)
   */
  verificationKey: VerificationKey | unknown;
  now?: Date;
}

const reject = (code: VerifyErrorCode, message: string): Rejected => ({ verified: false, code, message });

/** The key's checks by key object and signal count: done once, not once per presentation of a batch. */
const keyChecks = new WeakMap<object, Map<number, KeyProblem | undefined>>();
function keyProblem(vk: unknown, nPublic: number): KeyProblem | undefined {
  if (typeof vk !== 'object' || vk === null) return verificationKeyProblem(vk, nPublic);
  let byCount = keyChecks.get(vk);
  if (!byCount) {
    byCount = new Map();
    keyChecks.set(vk, byCount);
  }
  if (!byCount.has(nPublic)) byCount.set(nPublic, verificationKeyProblem(vk, nPublic));
  return byCount.get(nPublic);
}

function decodeDisclosed(name: SlotName, v: bigint): string | number {
  if (name === 'idNumber') return decodeIdNumber(v);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** Everything but the pairing has passed: what the pairing needs, and the verdict if it holds. */
export interface Prechecked {
  values: bigint[];
  proof: ParsedProof;
  accepted: Accepted;
}

/** The statement encoding of a request (one Poseidon16 for the set): cached, as requests share policies and dates. */
const encodings = new Map<string, ReturnType<typeof encodeStatement>>();
function statementOf(request: ProofRequest): ReturnType<typeof encodeStatement> {
  const key = `${request.circuit}|${request.today}|${JSON.stringify(request.policy.disclose)}|${JSON.stringify(request.policy.predicates)}`;
  let enc = encodings.get(key);
  if (!enc) {
    enc = encodeStatement(circuitParams(request.circuit), {
      today: request.today,
      disclose: request.policy.disclose,
      predicates: request.policy.predicates,
    });
    if (encodings.size >= 256) encodings.delete(encodings.keys().next().value as string);
    encodings.set(key, enc);
  }
  return enc;
}

/**
 * Every check of a presentation except the Groth16 pairing, cheapest first: shape, request,
 * signals, issuer, root, scope, challenge, statement, key, proof points (B's subgroup once).
 * @returns a rejection, or what the pairing needs
 */
export async function precheckPresentation(presentation: unknown, request: ProofRequest, o: VerifyOptions): Promise<Rejected | Prechecked> {
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
  const enc = statementOf(request);
  if (values[SIGNAL.setHash] !== enc.setHash) return reject('STATEMENT_MISMATCH', 'the proof is for another IN/NIN set');
  for (let c = 0; c < enc.request.length; c++) {
    if (values[SIGNAL.request + c] !== enc.request[c]) {
      return reject('STATEMENT_MISMATCH', 'the proof is for another date, policy or disclosure than the request');
    }
  }

  const vkProblem = keyProblem(o.verificationKey, names.length);
  if (vkProblem) return reject(vkProblem.code, vkProblem.message);
  const shapeProblem = proofShapeProblem(p.proof);
  if (shapeProblem) return reject('MALFORMED_PROOF', shapeProblem);
  const parsed = await parseProof(p.proof as unknown as ProofPoints);
  if (parsed === 'off-curve') return reject('MALFORMED_PROOF', 'a proof point is not on its curve (proof.pi_b: the G2 twist)');
  if (parsed === 'infinity') return reject('MALFORMED_PROOF', 'a proof point is the point at infinity');
  if (parsed === 'not-in-subgroup') return reject('MALFORMED_PROOF', 'proof.pi_b is not in the G2 subgroup');

  const disclosed: Partial<Record<SlotName, string | number>> = {};
  SLOT_NAMES.forEach((name, i) => {
    if (request.policy.disclose.includes(name)) disclosed[name] = decodeDisclosed(name, values[SIGNAL.disclosed + i] as bigint);
  });
  return {
    values,
    proof: parsed,
    accepted: {
      verified: true,
      requestId: request.id,
      policy: request.policy.name,
      pseudonym: at(SIGNAL.nullifier),
      disclosed,
      issuer,
      root,
    },
  };
}

async function check(presentation: unknown, request: ProofRequest, o: VerifyOptions): Promise<Verdict> {
  const pre = await precheckPresentation(presentation, request, o);
  if ('verified' in pre) return pre;
  const ok = await groth16Pairing(o.verificationKey as VerificationKey, pre.values, pre.proof);
  if (ok !== true) return reject('PROOF_INVALID', 'the proof does not verify');
  return pre.accepted;
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

export interface BatchItem {
  presentation: unknown;
  /** the request as the verifier issued and stored it */
  request: ProofRequest;
}

export interface BatchOptions {
  verificationKey: VerificationKey | unknown;
  now?: Date;
}

/**
 * Verify many presentations at once. Every check of the single path runs per presentation; the
 * Groth16 pairings of those that pass are checked together with one random linear combination
 * (N + 2 Miller loops, one final exponentiation and a power of e(alpha, beta) from a table: see
 * groth16BatchPairing), and when the batch
 * fails it is bisected until the bad presentations are found, so each verdict (and its code) is
 * exactly the one verifyPresentation would give alone.
 * @returns one verdict per item, in order; never throws (an internal error rejects the items it touched with INTERNAL_ERROR)
 * @example const verdicts = await verifyPresentations(items.map((p) => ({ presentation: p.body, request: p.stored })), { verificationKey })
 */
export async function verifyPresentations(items: readonly BatchItem[], o: BatchOptions): Promise<Verdict[]> {
  const verdicts: Verdict[] = new Array(items.length);
  const pending: { index: number; pre: Prechecked }[] = [];
  await Promise.all(
    items.map(async (it, index) => {
      try {
        const pre = await precheckPresentation(it.presentation, it.request, o);
        if ('verified' in pre) verdicts[index] = pre;
        else pending.push({ index, pre });
      } catch (e) {
        verdicts[index] = reject('INTERNAL_ERROR', `verification failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
  );
  pending.sort((a, b) => a.index - b.index);
  const vk = o.verificationKey as VerificationKey;
  const settle = async (group: { index: number; pre: Prechecked }[]): Promise<void> => {
    if (group.length === 0) return;
    let ok: boolean;
    try {
      ok =
        group.length === 1
          ? await groth16Pairing(vk, (group[0] as { pre: Prechecked }).pre.values, (group[0] as { pre: Prechecked }).pre.proof)
          : await groth16BatchPairing(
              vk,
              group.map((g) => ({ publicSignals: g.pre.values, proof: g.pre.proof })),
            );
    } catch (e) {
      for (const g of group)
        verdicts[g.index] = reject('INTERNAL_ERROR', `verification failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (ok) {
      for (const g of group) verdicts[g.index] = g.pre.accepted;
      return;
    }
    if (group.length === 1) {
      verdicts[(group[0] as { index: number }).index] = reject('PROOF_INVALID', 'the proof does not verify');
      return;
    }
    const half = Math.ceil(group.length / 2);
    await settle(group.slice(0, half));
    await settle(group.slice(half));
  };
  await settle(pending);
  return verdicts;
}
