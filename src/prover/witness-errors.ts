/**
 * Turns a failed witness computation into a ZkidError that says why: circom reports the failing
 * assertion as a stack of (template, line) frames, innermost first; the first frame in one of
 * zkid's own templates, looked up by its line, names the property that does not hold.
 * test/circuit/witness-errors.test.ts checks each line against the circuit sources.
 */
import { type ErrorCode, ZkidError } from '../errors.ts';

export interface AssertionSite {
  file: string;
  line: number;
  /** text the source line must contain (checked by a test) */
  statement: string;
  code: ErrorCode;
  reason: string;
}

export const ASSERTION_SITES: Record<string, AssertionSite[]> = {
  ZkidPresentation: [
    {
      file: 'presentation.circom',
      line: 69,
      statement: 'unpack[c].in <== request[c]',
      code: 'INVALID_REQUEST',
      reason: 'a packed request input is wider than its encoding',
    },
    {
      file: 'presentation.circom',
      line: 90,
      statement: 'validRange.in <== slots[2]',
      code: 'CREDENTIAL_EXPIRED',
      reason: 'validUntil is wider than 32 bits',
    },
    {
      file: 'presentation.circom',
      line: 94,
      statement: 'unexpired.out === 1',
      code: 'CREDENTIAL_EXPIRED',
      reason: 'the credential has expired (today >= validUntil)',
    },
    {
      file: 'presentation.circom',
      line: 105,
      statement: 'setDigest === setHash',
      code: 'INVALID_REQUEST',
      reason: 'the IN/NIN set does not match setHash',
    },
    {
      file: 'presentation.circom',
      line: 122,
      statement: 'attrSum === 1',
      code: 'INVALID_REQUEST',
      reason: 'a predicate does not select exactly one attribute',
    },
    {
      file: 'presentation.circom',
      line: 123,
      statement: 'opSum === 1',
      code: 'INVALID_REQUEST',
      reason: 'a predicate does not select exactly one operator',
    },
    {
      file: 'presentation.circom',
      line: 135,
      statement: 'pred[k].ok === 1',
      code: 'PREDICATE_UNSATISFIED',
      reason: 'a predicate does not hold',
    },
  ],
  CredentialCheck: [
    {
      file: 'credential.circom',
      line: 30,
      statement: 'slots[SLOTS - 1] === commitment',
      code: 'HOLDER_MISMATCH',
      reason: 'the holder secret does not match the credential',
    },
  ],
  BitmapNonRevocation: [
    {
      file: 'revocation.circom',
      line: 78,
      statement: 'jBits.in <== j',
      code: 'SERIAL_OUT_OF_RANGE',
      reason: 'the serial is beyond the tree',
    },
    { file: 'revocation.circom', line: 122, statement: 'bit === 0', code: 'CREDENTIAL_REVOKED', reason: 'the serial is revoked' },
    {
      file: 'revocation.circom',
      line: 143,
      statement: 'root === cur[LEVELS]',
      code: 'INVALID_REVOCATION_DATA',
      reason: 'the revocation path does not lead to the root',
    },
  ],
  Predicate: [
    {
      file: 'predicates.circom',
      line: 57,
      statement: 'isOrder * (attr[0] + attr[SLOTS - 1]) === 0',
      code: 'PREDICATE_UNSATISFIED',
      reason: 'order comparison on a hash-like slot',
    },
    {
      file: 'predicates.circom',
      line: 63,
      statement: 'vcRange.in <== vc',
      code: 'PREDICATE_UNSATISFIED',
      reason: 'the compared value is wider than 32 bits',
    },
  ],
};

const DEFAULTS: Record<string, [ErrorCode, string]> = {
  ZkidPresentation: ['WITNESS_FAILED', 'a statement check failed'],
  CredentialCheck: ['INVALID_SIGNATURE', 'the issuer signature does not verify for these attributes and key'],
  BitmapNonRevocation: ['INVALID_REVOCATION_DATA', 'the revocation witness is malformed'],
  Predicate: ['PREDICATE_UNSATISFIED', 'a predicate does not hold'],
};

/** Frames of a circom assertion message, innermost first. */
export function assertionFrames(message: string): { template: string; line: number }[] {
  return [...message.matchAll(/Error in template (\w+?)_\d+ line: (\d+)/g)].map((m) => ({ template: m[1] as string, line: Number(m[2]) }));
}

export function witnessError(e: unknown): ZkidError {
  const message = e instanceof Error ? e.message : String(e);
  for (const f of assertionFrames(message)) {
    const sites = ASSERTION_SITES[f.template];
    if (!sites) continue;
    const site = sites.find((s) => s.line === f.line);
    const [code, reason] = site ? [site.code, site.reason] : (DEFAULTS[f.template] as [ErrorCode, string]);
    return new ZkidError(code, `witness generation failed: ${reason} (${f.template} line ${f.line})`, undefined, { cause: e });
  }
  return new ZkidError('WITNESS_FAILED', `witness generation failed: ${message.trim()}`, undefined, { cause: e });
}
