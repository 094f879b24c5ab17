/**
 * Bearer-token authentication for the issuer API (and optionally /metrics). Tokens are compared
 * as SHA-256 digests with a constant-time comparison, so neither the length nor a prefix of the
 * token leaks through timing. A request without the right token is refused before its body is
 * read, and changes nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './http-error.ts';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Does the request carry `Authorization: Bearer <token>`? */
export function hasBearer(req: Request, expected: Buffer): boolean {
  const header = req.get('authorization');
  const m = header ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
  return m !== null && timingSafeEqual(digest(m[1] as string), expected);
}

/** Middleware: 401 UNAUTHORIZED (with WWW-Authenticate) unless the request carries the token. */
export function requireBearer(token: string, realm: string) {
  const expected = digest(token);
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (hasBearer(req, expected)) {
      next();
      return;
    }
    const missing = !req.get('authorization');
    next(
      new HttpError('UNAUTHORIZED', missing ? 'this endpoint needs an Authorization: Bearer token' : 'the bearer token is not valid', {
        'WWW-Authenticate': `Bearer realm="${realm}"${missing ? '' : ', error="invalid_token"'}`,
      }),
    );
  };
}

export function tokenDigest(token: string): Buffer {
  return digest(token);
}
