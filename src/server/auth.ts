/**
 * Bearer-token authentication: the issuer API (admin token), relying parties (their API keys) and
 * optionally /metrics. Tokens are compared
 * as SHA-256 digests with a constant-time comparison, so neither the length nor a prefix of the
 * token leaks through timing. A request without the right token is refused before its body is
 * read, and changes nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { RelyingParty } from './config.ts';
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

/**
 * Middleware: the request must carry one relying party's API key (`Authorization: Bearer <key>`);
 * that party is put in `res.locals.relyingParty`. Every configured key is compared (as a SHA-256
 * digest, in constant time, without stopping at a match), so timing says neither which party
 * matched nor how much of a key was right. 401 UNAUTHORIZED otherwise, before the body is read.
 */
export function requireRelyingParty(parties: readonly RelyingParty[]) {
  const table = parties.map((rp) => ({ rp, digest: digest(rp.apiKey) }));
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization');
    const m = header ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
    let found: RelyingParty | undefined;
    if (m) {
      const given = digest(m[1] as string);
      for (const { rp, digest: d } of table) if (timingSafeEqual(given, d) && !found) found = rp;
    }
    if (found) {
      res.locals.relyingParty = found;
      next();
      return;
    }
    next(
      new HttpError(
        'UNAUTHORIZED',
        header ? "the relying party's API key is not valid" : "this endpoint needs the relying party's API key",
        {
          'WWW-Authenticate': `Bearer realm="zkid-relying-party"${header ? ', error="invalid_token"' : ''}`,
        },
      ),
    );
  };
}

/** The relying party that requireRelyingParty authenticated. */
export function relyingPartyOf(res: Response): RelyingParty {
  const rp = res.locals.relyingParty as RelyingParty | undefined;
  if (!rp) throw new Error('requireRelyingParty did not run before this handler');
  return rp;
}
