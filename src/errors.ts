/**
 * The one error type of zkid. Every failure that a caller can cause carries a stable `code`
 * (safe to branch on, stable across versions) and, where one value is to blame, the name of
 * the parameter or field (`field`).
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_FIELD_ELEMENT'
  | 'INVALID_DATE'
  | 'INVALID_ID_NUMBER'
  | 'INVALID_ATTRIBUTE'
  | 'INVALID_CREDENTIAL'
  | 'INVALID_SIGNATURE'
  | 'INVALID_POLICY'
  | 'INVALID_REQUEST'
  | 'INVALID_REVOCATION_DATA'
  | 'SERIAL_OUT_OF_RANGE'
  | 'ARTIFACT_HASH_MISMATCH'
  | 'ARTIFACT_UNAVAILABLE'
  | 'UNKNOWN_CIRCUIT'
  | 'CREDENTIAL_EXPIRED'
  | 'CREDENTIAL_REVOKED'
  | 'HOLDER_MISMATCH'
  | 'PREDICATE_UNSATISFIED'
  | 'WITNESS_FAILED'
  | 'PROOF_FAILED'
  | 'ISSUER_NOT_TRUSTED'
  | 'ROOT_NOT_ACCEPTED'
  | 'ROOT_NOT_SIGNED'
  | 'SERVICE_MISMATCH'
  | 'IDENTIFYING_NOT_ALLOWED'
  | 'ARTIFACT_NOT_PINNED'
  | 'INSECURE_PROVING_KEY';

export class ZkidError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ZkidError';
    this.code = code;
    this.field = field;
  }
}

export function isZkidError(e: unknown): e is ZkidError {
  return e instanceof ZkidError;
}
