/**
 * The zkid HTTP service as an Express 5 app: verifier, issuer and registry roles over one store.
 * `createApp(deps)` builds it (it does not listen: src/server/main.ts does), and `app.close()`
 * releases what it holds: the store, rate-limit timers and snarkjs's worker threads.
 *
 * Middleware order: request id, logging and metrics; security headers; CORS for the holder-facing paths; the drain check;
 * operational routes (not rate limited); the per-client rate limit; the role routes (each with
 * its own limiter, then authentication, then JSON parsing, then the zod schema, then the work);
 * static files; 404; the error handler (JSON errors with stable codes, never a stack trace).
 *
 * @example
 * const store = openSqliteStore('./data');
 * const app = await createApp({ store, config: resolveConfig({}, { adminToken }) });
 * const server = app.listen(8080);
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import type { Store as RateLimitStore } from 'express-rate-limit';
import helmet from 'helmet';
import { Redis } from 'ioredis';
import { type Logger, pino } from 'pino';
import { type CircuitBuild, circuitBuild } from '../circuit/artifacts-node.ts';
import { circuitParams, publicSignalNames } from '../circuit/registry.ts';
import { enableWasmPoseidon } from '../poseidon-wasm.ts';
import type { ProofRequest } from '../request.ts';
import { createRootSigner } from '../revocation/root-signer.ts';
import type { CoalescedRequests } from '../store/postgres/requests.ts';
import type { Store } from '../store/store.ts';
import { terminateCurve } from '../verifier/curve.ts';
import { verificationKeyProblem } from '../verifier/groth16-checks.ts';
import { prepareVerifier } from '../verifier/groth16-mcl.ts';
import { ConfigError, type ServiceConfig } from './config.ts';
import { type AppContext, createLimiter, jsonBody } from './context.ts';
import { errorHandler, sendError } from './http-error.ts';
import { IssuerService } from './issuer-service.ts';
import { createMetrics } from './metrics.ts';
import { RegistryFollower } from './registry-follower.ts';
import { TICKET_SECRET } from './request-ticket.ts';
import { RevocationRegistry } from './revocation-registry.ts';
import { registerIssuerRoutes } from './routes/issuer.ts';
import { registerOpsRoutes } from './routes/ops.ts';
import { registerRegistryRoutes } from './routes/registry.ts';
import { registerVerifierRoutes } from './routes/verifier.ts';
import { VerifierService, type VerifyFunction } from './verifier-service.ts';
import { VerifyPool } from './verify-pool.ts';

/** The relying party's demo page; the wallet (public/wallet) is served on its own origin by wallet-app.ts. */
export const DEFAULT_PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public', 'service');

/**
 * Holder-facing paths: the wallet runs on another origin and reads these with fetch (no
 * cookies), so they answer any origin, preflight included. Relying-party and issuer routes do
 * not: a page elsewhere has no business calling them from a browser.
 */
const HOLDER_FACING: readonly RegExp[] = [
  /^\/v1\/requests\/[^/]+\/(holder|presentation)$/,
  /^\/v1\/demo\/enrol$/,
  /^\/v1\/registry\//,
  /^\/v1\/artifacts\//,
  /^\/v1\/info$/,
  /^\/openapi\.json$/,
];

/** Middleware: CORS for the holder-facing paths (`*`, no credentials); OPTIONS preflight answered 204 here. */
function holderCors(req: express.Request, res: express.Response, next: express.NextFunction): void {
  if (!HOLDER_FACING.some((r) => r.test(req.path))) {
    next();
    return;
  }
  res.set({
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'ETag, Retry-After, X-Request-Id',
    'Cross-Origin-Resource-Policy': 'cross-origin',
  });
  if (req.method !== 'OPTIONS') {
    next();
    return;
  }
  res.set({ 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'Content-Type', 'Access-Control-Max-Age': '600' });
  res.status(204).end();
}

/**
 * A Redis client for the shared rate limits, answering PING before the app starts.
 * @throws ConfigError when Redis cannot be reached
 */
async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  // No offline queue: while Redis is away a limiter's command fails at once and the request passes
  // (passOnStoreError), instead of waiting for a reconnection.
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5_000, lazyConnect: true, enableOfflineQueue: false });
  client.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    throw new ConfigError(`REDIS_URL: cannot reach Redis: ${e instanceof Error ? e.message : String(e)}`);
  }
  return client;
}

/** How often expired, unanswered requests are deleted, and how long after expiry they are kept. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;
const PURGE_AFTER_MS = 60 * 60 * 1000;

export interface AppDeps {
  store: Store;
  config: ServiceConfig;
  logger?: Logger;
  /** the service's notion of now (tests move it); default: the system clock */
  clock?: () => Date;
  /** the circuit build; default: the committed build of config.circuit */
  circuit?: CircuitBuild;
  /** the presentation verifier; default: verifyPresentation (tests inject slow or throwing ones) */
  verify?: VerifyFunction;
  /** static files served at '/'; default src/server/public when it exists; null for none */
  publicDir?: string | null;
}

export interface ZkidApp extends Express {
  context: AppContext;
  /** Start refusing new work (healthz answers 503) while in-flight requests finish. */
  beginDrain(): void;
  /** Release everything: stop timers, close the store, end snarkjs's worker threads (if any were started). Idempotent. */
  close(): Promise<void>;
}

function uniqueKeys(keys: [string, string][]): [string, string][] {
  const seen = new Set<string>();
  return keys.filter(([x, y]) => {
    const k = `${x}:${y}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Build the app: load the circuit and check its verification key, rebuild the revocation tree
 * from the store, load the issuer keys, warm the pairing engine, register the routes.
 * @throws ConfigError for an unusable configuration; Error for a missing or inconsistent circuit build or store
 */
export async function createApp(deps: AppDeps): Promise<ZkidApp> {
  const { store, config } = deps;
  const logger = deps.logger ?? pino({ level: 'info' });
  const clock = deps.clock ?? (() => new Date());

  // The registry hashes tree paths on every revocation and the verifier hashes the IN/NIN set of
  // every request: use the WebAssembly Poseidon (same outputs, several times faster).
  await enableWasmPoseidon();
  const circuit = deps.circuit ?? circuitBuild(config.circuit);
  const nPublic = publicSignalNames(circuitParams(circuit.instance)).length;
  const vkProblem = verificationKeyProblem(circuit.verificationKey, nPublic);
  if (vkProblem) throw new Error(`circuit ${circuit.instance}: ${vkProblem.code}: ${vkProblem.message}`);
  if (config.production) {
    // Development artifacts come from a setup whose operator could forge proofs: production
    // verifies only with artifacts someone has reviewed and listed.
    const unlisted = Object.entries(circuit.manifest.artifacts).filter(([, a]) => !config.allowedArtifacts.includes(a.sha256));
    if (unlisted.length > 0) {
      throw new ConfigError(
        `config allowedArtifacts: in production every circuit artifact must be allow-listed; missing ${unlisted.map(([k, a]) => `${k} ${a.sha256}`).join(', ')}`,
      );
    }
  }

  // The issuer role signs every root it publishes with its active keys (holders and verifiers
  // elsewhere check them); other roles serve and use the stored records as they are.
  const signer = config.roles.issuer ? await createRootSigner((await store.listIssuerKeys()).filter((k) => k.active)) : undefined;
  const registry = await RevocationRegistry.open(store, clock(), signer ? { signer } : {});
  // A verifier that is not the issuer takes its accepted roots from the issuer's registry (or a
  // mirror), every record checked against the issuer's key: see registry-follower.ts.
  const follow = config.followRegistry;
  const follower = follow
    ? new RegistryFollower({
        urls: follow.urls,
        issuerPublicKey: follow.issuerPublicKey,
        logger,
        keep: Math.min(256, 2 * config.roots.count + 1),
      })
    : undefined;
  if (follower) {
    const first = await follower.poll();
    if (!first.some((o) => o.ok))
      logger.error({ sources: first }, 'no followed registry answered with signed roots yet: presentations are refused until one does');
  }
  const issuer = config.roles.issuer
    ? await IssuerService.open(store, registry, {
        rekeyMinIntervalDays: config.rekeyMinIntervalDays,
        serialAllocation: config.serialAllocation,
      })
    : undefined;
  const trustedIssuers = uniqueKeys([...config.trustedIssuers, ...(issuer && config.trustLocalIssuer ? issuer.activePublicKeys : [])]);
  if (config.roles.verifier && trustedIssuers.length === 0) {
    throw new ConfigError('config trustedIssuers: the verifier trusts no issuer key (configure trustedIssuers or enable the issuer role)');
  }
  if (trustedIssuers.length > 64) throw new ConfigError('config trustedIssuers: at most 64 issuer keys');

  let revokedCache = { revision: -1, count: 0 };
  let pool: VerifyPool | undefined;
  const coalesced = (store as { coalesced?: CoalescedRequests }).coalesced;
  const metrics = createMetrics({
    batching: {
      verification: () => pool?.stats,
      ...(coalesced
        ? { store: () => ({ request_lookup: coalesced.lookups.stats, request_consumption: coalesced.consumptions.stats }) }
        : {}),
    },
    revision: () => (follower ? (follower.revision ?? -1) : registry.revision),
    revoked: () => {
      if (revokedCache.revision !== registry.revision) revokedCache = { revision: registry.revision, count: registry.revokedCount };
      return revokedCache.count;
    },
  });

  // Shared rate limits (REDIS_URL): reachable at start, or the service does not start.
  const redis = config.redis ? await connectRedis(config.redis.url, logger) : undefined;
  const limiterStores: RateLimitStore[] = [];
  const ctx: AppContext = {
    config,
    store,
    logger,
    clock,
    metrics,
    circuit,
    registry,
    issuer,
    verifier: undefined,
    trustedIssuers,
    json: jsonBody(config.bodyLimitBytes),
    limiter: createLimiter(config, limiterStores, redis ? { client: redis, logger } : undefined),
    limiterStores,
    draining: false,
  };
  if (config.roles.verifier && !deps.verify) {
    // Verification on every core: worker threads verifying batches (see verify-pool.ts).
    pool = new VerifyPool({ verificationKey: circuit.verificationKey, ...config.verification, logger });
    try {
      await pool.ready();
    } catch (e) {
      await pool.close();
      throw e;
    }
  }
  if (config.roles.verifier) {
    ctx.verifier = new VerifierService({
      config,
      store,
      registry: follower ?? registry,
      circuit,
      trustedIssuers,
      clock,
      metrics,
      logger,
      ticketKey: Buffer.from(await store.issuerSecret(TICKET_SECRET, () => randomBytes(32).toString('hex')), 'hex'),
      ...(deps.verify
        ? { verify: deps.verify }
        : pool
          ? { verify: (p: unknown, r: ProofRequest) => (pool as VerifyPool).verify(p, r) }
          : {}),
    });
    // Initialise the pairing engine and prepare the key now, not on the first presentation (and,
    // when batches are verified on this thread, their table of powers too).
    await prepareVerifier(circuit.verificationKey, { batch: pool !== undefined && config.verification.workers === 0 });
  }

  const app = express() as unknown as ZkidApp;
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const started = performance.now();
    const reqId = randomUUID();
    res.set('X-Request-Id', reqId);
    res.on('finish', () => {
      const route = req.route?.path ? String(req.route.path) : res.statusCode === 404 ? 'unmatched' : 'other';
      const seconds = (performance.now() - started) / 1000;
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe(seconds, { route });
      // Probes and scrapes would drown the log: they go to debug.
      const level = route === '/healthz' || route === '/metrics' ? 'debug' : 'info';
      logger[level]({ reqId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  });
  // HSTS and upgrade-insecure-requests only where the service is published over HTTPS: on plain
  // http://localhost they would make browsers try https for the wallet's own scripts.
  const https = config.publicBaseUrl?.startsWith('https:') === true;
  app.use(
    helmet({
      strictTransportSecurity: https,
      contentSecurityPolicy: {
        directives: {
          'upgrade-insecure-requests': https ? [] : null,
          // The wallet compiles the circuit's WebAssembly and proves in workers built from blobs.
          'script-src': ["'self'", "'wasm-unsafe-eval'"],
          'worker-src': ["'self'", 'blob:'],
          'connect-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(holderCors);
  app.use((req, res, next) => {
    if (!ctx.draining || req.path === '/healthz') return next();
    res.set('Connection', 'close');
    sendError(res, 'SHUTTING_DOWN', 'the service is shutting down', { 'Retry-After': '5' });
  });

  registerOpsRoutes(app, ctx);
  app.use(ctx.limiter('general', config.rateLimits.general));
  registerVerifierRoutes(app, ctx);
  registerIssuerRoutes(app, ctx);
  registerRegistryRoutes(app, ctx);

  const publicDir = deps.publicDir === undefined ? DEFAULT_PUBLIC_DIR : deps.publicDir;
  if (publicDir && existsSync(publicDir)) app.use(express.static(publicDir, { index: 'index.html', dotfiles: 'ignore' }));

  app.use((req, res) => sendError(res, 'NOT_FOUND', `no route ${req.method} ${req.path.slice(0, 200)}`));
  app.use(errorHandler(logger));

  const purge = setInterval(() => {
    store
      .purgeExpiredRequests(new Date(clock().getTime() - PURGE_AFTER_MS))
      .catch((err) => logger.error({ err }, 'purging expired requests failed'));
  }, PURGE_INTERVAL_MS);
  purge.unref();
  // Revocations made by other instances on the same store reach this one's accepted roots within
  // one interval (plus the reload): see revocation-registry.ts.
  registry.follow(config.storePollMs, (err) => {
    if (!ctx.draining) logger.warn({ err }, 'following the store: revision check failed (retrying)');
  });
  if (follower && follow) follower.start(follow.pollMs);

  let closing: Promise<void> | undefined;
  app.context = ctx;
  app.beginDrain = () => {
    ctx.draining = true;
  };
  app.close = () => {
    closing ??= (async () => {
      ctx.draining = true;
      clearInterval(purge);
      registry.unfollow();
      follower?.stop();
      for (const s of limiterStores) await s.shutdown?.();
      try {
        // Drain: everything queued for verification is verified and answered first.
        await pool?.close();
        await redis?.quit().catch(() => redis.disconnect());
        await store.close();
      } finally {
        await terminateCurve();
      }
    })();
    return closing;
  };
  return app;
}
