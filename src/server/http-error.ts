/**
 * HTTP errors with stable codes. Every error response has the body
 * `{ "error": { "code": "STABLE_CODE", "message": "human text" } }`; the code is what clients
 * branch on, the message is for people and may change. Internal details (stack traces, SQL,
 * library messages of unexpected exceptions) are logged, never sent.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { isZkidError } from '../errors.ts';
import { storeUnavailable } from '../store/unavailable.ts';

/** HTTP status of every error code the service sends. */
export const ERROR_STATUS = {
  // 400: the body or a parameter is malformed
  MALFORMED_JSON: 400,
  INVALID_BODY: 400,
  INVALID_PARAMETER: 400,
  MALFORMED_PRESENTATION: 400,
  WRONG_SIGNAL_COUNT: 400,
  NON_CANONICAL_SIGNAL: 400,
  MALFORMED_PROOF: 400,
  INVALID_FIELD_ELEMENT: 400,
  INVALID_ATTRIBUTE: 400,
  INVALID_DATE: 400,
  INVALID_ID_NUMBER: 400,
  SERIAL_OUT_OF_RANGE: 400,
  UNKNOWN_POLICY: 400,
  INVALID_REDIRECT_URI: 400,
  /** a presentation's request ticket that this service did not seal for this request */
  INVALID_TICKET: 400,
  // 401
  UNAUTHORIZED: 401,
  // 403: authenticated, but this secret does not open it
  INVALID_RESPONSE_CODE: 403,
  // 404
  NOT_FOUND: 404,
  REQUEST_NOT_FOUND: 404,
  ARTIFACT_NOT_FOUND: 404,
  UNKNOWN_KEY: 404,
  // 409: the state does not allow it
  REQUEST_ALREADY_USED: 409,
  PSEUDONYM_ALREADY_USED: 409,
  RESPONSE_CODE_USED: 409,
  /** a new holder commitment for a person sooner than rekeyMinIntervalDays after the last */
  REKEY_TOO_SOON: 409,
  // 410
  REQUEST_EXPIRED: 410,
  // 413, 415
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // 422: a well-formed presentation that does not prove what the request asked
  REQUEST_MISMATCH: 422,
  ISSUER_NOT_TRUSTED: 422,
  ROOT_NOT_ACCEPTED: 422,
  SCOPE_MISMATCH: 422,
  CHALLENGE_MISMATCH: 422,
  STATEMENT_MISMATCH: 422,
  /** the request's policy could link or silently identify the holder (never honoured) */
  POLICY_NOT_ALLOWED: 422,
  PROOF_INVALID: 422,
  TODAY_OUT_OF_RANGE: 422,
  VERIFICATION_ERROR: 422,
  // 429
  RATE_LIMITED: 429,
  // 5xx
  INTERNAL_ERROR: 500,
  SERVER_BUSY: 503,
  SHUTTING_DOWN: 503,
  NOT_READY: 503,
  /** the database cannot be reached for now (connection refused or dropped, server restarting) */
  STORE_UNAVAILABLE: 503,
} as const;

export type HttpErrorCode = keyof typeof ERROR_STATUS;

export class HttpError extends Error {
  readonly status: number;
  readonly code: HttpErrorCode;
  readonly headers: Record<string, string>;

  constructor(code: HttpErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.headers = headers;
  }
}

export function sendError(res: Response, code: HttpErrorCode, message: string, headers: Record<string, string> = {}): void {
  res.set(headers);
  res.status(ERROR_STATUS[code]).json({ error: { code, message } });
}

/** Map a ZkidError from a library validator to an HTTP error (the library code when the service knows it). */
export function fromZkidError(e: { code: string; message: string }): HttpError {
  const code = (e.code in ERROR_STATUS ? e.code : 'INVALID_BODY') as HttpErrorCode;
  return new HttpError(ERROR_STATUS[code] === 400 ? code : 'INVALID_BODY', e.message);
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Body-parser failures by their `type`. */
const BODY_ERRORS: Record<string, [HttpErrorCode, string]> = {
  'entity.too.large': ['PAYLOAD_TOO_LARGE', 'the request body is too large'],
  'entity.parse.failed': ['MALFORMED_JSON', 'the request body is not valid JSON (a JSON object or array is required)'],
  'encoding.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'send the body as uncompressed UTF-8 JSON'],
  'charset.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'send the body as uncompressed UTF-8 JSON'],
  'request.aborted': ['INVALID_BODY', 'the request body could not be read'],
  'request.size.invalid': ['INVALID_BODY', 'the request body could not be read'],
  'stream.encoding.set': ['INVALID_BODY', 'the request body could not be read'],
};

/** The last middleware: every error becomes a JSON error body; unexpected ones are logged and hidden. */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    let e: HttpError;
    const type = (err as BodyParserError | undefined)?.type;
    const bodyError = type !== undefined && Object.hasOwn(BODY_ERRORS, type) ? BODY_ERRORS[type] : undefined;
    if (err instanceof HttpError) e = err;
    else if (bodyError) e = new HttpError(bodyError[0], bodyError[1]);
    else if (isZkidError(err)) e = fromZkidError(err);
    else if (storeUnavailable(err)) {
      logger.warn({ err: (err as Error).message, method: req.method, path: req.path }, 'store unavailable');
      e = new HttpError('STORE_UNAVAILABLE', 'the database cannot be reached: retry shortly', { 'Retry-After': '1' });
    } else {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
      e = new HttpError('INTERNAL_ERROR', 'internal error');
    }
    sendError(res, e.code, e.message, e.headers);
  };
}
