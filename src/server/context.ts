/** What the route modules share: configuration, state, services and request-level helpers. */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { MemoryStore, type Store as RateLimitStore, rateLimit } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type RedisReply, RedisStore } from 'rate-limit-redis';
import type { CircuitBuild } from '../circuit/artifacts-node.ts';
import type { Store } from '../store/store.ts';
import type { ServiceConfig } from './config.ts';
import { HttpError, sendError } from './http-error.ts';
import type { IssuerService } from './issuer-service.ts';
import type { Metrics } from './metrics.ts';
import type { RevocationRegistry } from './revocation-registry.ts';
import type { VerifierService } from './verifier-service.ts';

export interface AppContext {
  config: ServiceConfig;
  store: Store;
  logger: Logger;
  clock: () => Date;
  metrics: Metrics;
  circuit: CircuitBuild;
  registry: RevocationRegistry;
  issuer: IssuerService | undefined;
  verifier: VerifierService | undefined;
  trustedIssuers: [string, string][];
  /** JSON body parsing for one route: content type, size limit, strict JSON */
  json: RequestHandler[];
  /** a per-client rate limiter of `limit` requests per configured window */
  limiter(name: string, limit: number): RequestHandler;
  /** rate-limit stores, shut down with the app */
  limiterStores: RateLimitStore[];
  /** true while draining for shutdown */
  draining: boolean;
}

/**
 * Body parsing: requests with a body must be `application/json` (415 otherwise); the body must be
 * a JSON object or array (strict), UTF-8, uncompressed, and at most `limit` bytes (413).
 */
export function jsonBody(limit: number): RequestHandler[] {
  const requireJson: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
    const hasBody = req.get('transfer-encoding') !== undefined || (req.get('content-length') ?? '0') !== '0';
    if (hasBody && !req.is('application/json')) {
      return next(new HttpError('UNSUPPORTED_MEDIA_TYPE', 'send the body as Content-Type: application/json'));
    }
    next();
  };
  return [requireJson, express.json({ limit, strict: true, inflate: false, type: 'application/json' })];
}

/**
 * Rate limiters: per client address, `limit` requests per configured window. Counters live in this
 * process (MemoryStore) unless a Redis client is given: then in Redis under
 * `<config.redis.prefix><name>:<client>`, shared by every instance with that prefix, so a client
 * gets `limit` requests per window from all instances together. When Redis fails mid-flight the
 * request passes (the limits are a defence in depth; every check of a presentation still runs)
 * and the error is logged.
 */
export function createLimiter(config: ServiceConfig, stores: RateLimitStore[], redis?: { client: Redis; logger: Logger }) {
  return (name: string, limit: number): RequestHandler => {
    const store: RateLimitStore = redis
      ? new RedisStore({
          prefix: `${config.redis?.prefix ?? 'zkid:rl:'}${name}:`,
          sendCommand: (command: string, ...args: string[]) => redis.client.call(command, ...args) as Promise<RedisReply>,
        })
      : new MemoryStore();
    stores.push(store);
    return rateLimit({
      windowMs: config.rateLimits.windowSeconds * 1000,
      limit,
      store,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: name,
      passOnStoreError: redis !== undefined,
      handler: (_req, res, _next, options) => {
        const retry = Math.ceil(options.windowMs / 1000);
        sendError(res, 'RATE_LIMITED', `too many requests (${name}): retry later`, { 'Retry-After': String(retry) });
      },
    });
  };
}

/** A path parameter as a string ('' when absent; Express types allow arrays for wildcards). */
export function param(req: Request, name: string): string {
  const v = (req.params as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : '';
}
