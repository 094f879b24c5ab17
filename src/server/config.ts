/**
 * Service configuration: defaults, an optional JSON file (ZKID_CONFIG) and environment variables,
 * validated once at start. A bad configuration stops the service with a message naming the key;
 * it never starts half-configured.
 *
 * Config file (every key optional):
 * {
 *   "serviceId": "localhost",               // the default demo relying party's service id (ZKID_SERVICE_ID)
 *   "relyingParties": {                     // who may create requests and read results (default: the demo RP, demo only)
 *     "shop": { "name": "Shop", "serviceId": "shop.example", "apiKey": "<16-512 chars>", "redirectUris": ["https://shop.example/zkid/return"] }
 *   },
 *   "walletBaseUrl": "http://localhost:8081", // the wallet's own origin (ZKID_WALLET_URL)
 *   "rekeyMinIntervalDays": 30,             // a person may change holder commitment at most this often (0: no limit)
 *   "serialAllocation": { "activeBuckets": 4, "bucketTarget": 131072 },
 *   "roles": { "verifier": true, "issuer": true, "registry": true },
 *   "policies": { "over18": { "predicates": [...], "disclose": [], "unique": false } },  // replaces the built-ins
 *   "trustedIssuers": [["Ax", "Ay"]],       // accepted issuer keys, besides this instance's own
 *   "trustLocalIssuer": true,               // trust the keys of this instance's issuer role
 *   "adminToken": "...",                    // bearer token of the issuer API (>= 16 characters)
 *   "roots": { "count": 24, "maxAgeSeconds": 3600 },
 *   "dateToleranceDays": 1,
 *   "requestTtlSeconds": 300,
 *   "requestTickets": true,                 // holder views carry the sealed request (off while older instances serve)
 *   "demo": true,
 *   "bodyLimitBytes": 16384,
 *   "maxConcurrentVerifications": 256,       // queued + in-flight presentations; beyond: 503 + Retry-After
 *   "verification": { "workers": <cores>, "batchSize": 16, "batchWaitMs": 2 },  // worker threads, batch verification
 *   "rateLimits": { "windowSeconds": 60, "general": 600, "requests": 120, "presentations": 60, "issuer": 120, "enrol": 10 },
 *   "trustProxy": false,
 *   "publicBaseUrl": "https://id.example",  // absolute artifact URLs in requests (default: relative)
 *   "metricsToken": "...",                  // when set, /metrics wants this bearer token
 *   "allowedArtifacts": ["<sha256>", ...],  // production: the circuit's wasm, zkey and vkey must be listed
 *   "redisUrl": "redis://127.0.0.1:6379",   // rate limits shared by every instance (REDIS_URL); default: per process
 *   "redisPrefix": "zkid:rl:",              // key prefix of the shared rate limits (ZKID_REDIS_PREFIX)
 *   "storePollMs": 1000,                    // how often the registry follows revocations made by other instances
 *   "followRegistry": {                     // a verifier without the issuer and registry roles: accepted roots from
 *     "url": "https://registry.example",    //   the issuer's registry, every record checked against issuerPublicKey
 *     "mirrors": ["https://mirror.example"],//   other copies of it, polled too (the signature is trusted, not the transport)
 *     "issuerPublicKey": ["Ax", "Ay"],      //   the issuer's key (also trusted for credentials)
 *     "pollMs": 5000                        //   how often they are polled (ZKID_REGISTRY_URL sets url)
 *   }
 * }
 * The store is chosen by DATABASE_URL (src/store/open.ts): postgres://... for PostgreSQL, else SQLite.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { circuitParams, DEFAULT_CIRCUIT } from '../circuit/registry.ts';
import { parseFieldElement, toDecimal } from '../field.ts';
import { BUILTIN_POLICIES, type Policy, parsePolicy } from '../policy.ts';
import { scopeFromServiceId } from '../request.ts';
import { isUsableIssuerKey } from '../revocation/root.ts';

export interface ConfiguredPolicy {
  policy: Policy;
  /** one pseudonym per person: a second verification by the same person under this policy is refused */
  unique: boolean;
}

export interface RateLimits {
  windowSeconds: number;
  /** every route, per client address */
  general: number;
  /** POST /v1/requests */
  requests: number;
  /** POST /v1/requests/:id/presentation */
  presentations: number;
  /** /v1/issuer/* */
  issuer: number;
  /** POST /v1/demo/enrol */
  enrol: number;
}

/** A relying party: a service that creates proof requests and redeems their results with its API key. */
export interface RelyingParty {
  id: string;
  /** shown to the holder before proving */
  name: string;
  /** the service id its requests carry; scope = Poseidon(serviceId) */
  serviceId: string;
  /** Poseidon(serviceId), decimal */
  scope: string;
  apiKey: string;
  /** allowed redirect URIs (exact match); empty: any http(s) URL whose host is serviceId or below it */
  redirectUris: string[];
}

/** The demo relying party's API key: public, so only ever configured on demo instances. */
export const DEMO_RP_KEY = 'zkid-demo-relying-party-key';
export const DEMO_RP_ID = 'demo';

export interface ServiceConfig {
  /** the first relying party's service id (shown in /v1/info) */
  serviceId: string;
  /** Poseidon(serviceId), decimal */
  scope: string;
  relyingParties: Record<string, RelyingParty>;
  /** the wallet's origin: requests answer with a wallet URL under it */
  walletBaseUrl: string;
  /** minimum days between two holder commitments of one person (0: no limit) */
  rekeyMinIntervalDays: number;
  /** serial allocation: how many buckets are filled at once, and how full each gets before another opens */
  serialAllocation: { activeBuckets: number; bucketTarget: number };
  roles: { verifier: boolean; issuer: boolean; registry: boolean };
  policies: Record<string, ConfiguredPolicy>;
  trustedIssuers: [string, string][];
  trustLocalIssuer: boolean;
  adminToken: string;
  roots: { count: number; maxAgeSeconds: number };
  dateToleranceDays: number;
  requestTtlSeconds: number;
  /**
   * holder views carry request tickets (src/server/request-ticket.ts); presentations with a ticket
   * are accepted either way. Off while instances of a version without tickets share the database:
   * they refuse a presentation with one (400 MALFORMED_PRESENTATION).
   */
  requestTickets: boolean;
  demo: boolean;
  bodyLimitBytes: number;
  /** presentations queued or being verified at once; beyond it 503 SERVER_BUSY with Retry-After */
  maxConcurrentVerifications: number;
  /** verification threads (0: the main thread) and how batches form (see verify-pool.ts) */
  verification: { workers: number; batchSize: number; batchWaitMs: number };
  rateLimits: RateLimits;
  trustProxy: boolean | number | string;
  circuit: string;
  publicBaseUrl?: string;
  metricsToken?: string;
  /** NODE_ENV=production: the circuit artifacts must be allow-listed */
  production: boolean;
  /** sha256 (hex) of the circuit artifacts allowed in production */
  allowedArtifacts: string[];
  /** rate limits in Redis, shared by every instance (REDIS_URL); absent: in this process's memory */
  redis?: { url: string; prefix: string };
  /** how often the revocation registry checks the store for revisions made by other instances (ms) */
  storePollMs: number;
  /** a verifier-only instance: follow the issuer's registry (and mirrors) for its accepted roots */
  followRegistry?: FollowRegistryConfig;
}

/** Where a verifier without the issuer and registry roles gets its accepted roots (registry-follower.ts). */
export interface FollowRegistryConfig {
  /** base URLs: the registry first, then its mirrors, without a trailing slash */
  urls: string[];
  /** the issuer key every root record must be signed by */
  issuerPublicKey: [string, string];
  pollMs: number;
}

/** Policies enabled when the configuration names none; adult-resident-of-region shows one-account-per-person. */
export const DEFAULT_POLICIES: Record<string, ConfiguredPolicy> = {
  over18: { policy: BUILTIN_POLICIES.over18 as Policy, unique: false },
  'valid-id': { policy: BUILTIN_POLICIES['valid-id'] as Policy, unique: false },
  'adult-resident-of-region': { policy: BUILTIN_POLICIES['adult-resident-of-region'] as Policy, unique: true },
};

const DEFAULT_RATE_LIMITS: RateLimits = { windowSeconds: 60, general: 600, requests: 120, presentations: 60, issuer: 120, enrol: 10 };

const positiveInt = (max: number) => z.number().int().min(1).max(max);
const token = z
  .string()
  .min(16, 'must be at least 16 characters')
  .max(512)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
const fieldElement = z.string().refine((v) => {
  try {
    parseFieldElement('value', v);
    return true;
  } catch {
    return false;
  }
}, 'must be a canonical decimal field element');

/** A host name (lower case), 'localhost', or an IPv4 address: what a service id may be. */
const HOST_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const serviceIdSchema = z.string().max(200).regex(HOST_NAME, "must be a lower-case host name (the service's domain), e.g. shop.example");
const relyingPartySchema = z.strictObject({
  name: z.string().min(1).max(100),
  serviceId: serviceIdSchema,
  apiKey: token,
  redirectUris: z
    .array(z.url({ protocol: /^https?$/ }).max(2048))
    .max(32)
    .optional(),
});

const fileSchema = z.strictObject({
  serviceId: serviceIdSchema.optional(),
  relyingParties: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'relying party ids are 1-64 characters of a-z, 0-9, _ or -'), relyingPartySchema)
    .optional(),
  walletBaseUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
  rekeyMinIntervalDays: z.number().int().min(0).max(3650).optional(),
  serialAllocation: z
    .strictObject({ activeBuckets: positiveInt(64), bucketTarget: positiveInt(200_000) })
    .partial()
    .optional(),
  roles: z.strictObject({ verifier: z.boolean(), issuer: z.boolean(), registry: z.boolean() }).partial().optional(),
  policies: z.record(z.string(), z.unknown()).optional(),
  trustedIssuers: z
    .array(z.tuple([fieldElement, fieldElement]))
    .max(64)
    .optional(),
  trustLocalIssuer: z.boolean().optional(),
  adminToken: token.optional(),
  roots: z
    .strictObject({ count: positiveInt(256), maxAgeSeconds: positiveInt(365 * 86400) })
    .partial()
    .optional(),
  dateToleranceDays: z.number().int().min(0).max(2).optional(),
  requestTtlSeconds: positiveInt(86400).optional(),
  requestTickets: z.boolean().optional(),
  demo: z.boolean().optional(),
  bodyLimitBytes: z
    .number()
    .int()
    .min(1024)
    .max(1 << 20)
    .optional(),
  maxConcurrentVerifications: positiveInt(65536).optional(),
  verification: z
    .strictObject({
      workers: z.number().int().min(0).max(64),
      batchSize: positiveInt(1024),
      batchWaitMs: z.number().int().min(0).max(1000),
    })
    .partial()
    .optional(),
  rateLimits: z
    .strictObject({
      windowSeconds: positiveInt(86400),
      general: positiveInt(1e9),
      requests: positiveInt(1e9),
      presentations: positiveInt(1e9),
      issuer: positiveInt(1e9),
      enrol: positiveInt(1e9),
    })
    .partial()
    .optional(),
  trustProxy: z.union([z.boolean(), z.number().int().min(0).max(16), z.string().max(200)]).optional(),
  circuit: z.string().optional(),
  publicBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  metricsToken: token.optional(),
  allowedArtifacts: z
    .array(z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in lower-case hex'))
    .max(64)
    .optional(),
  redisUrl: z
    .string()
    .max(2048)
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  redisPrefix: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
  storePollMs: z.number().int().min(50).max(600_000).optional(),
  followRegistry: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }).max(2048),
      mirrors: z
        .array(z.url({ protocol: /^https?$/ }).max(2048))
        .max(8)
        .optional(),
      issuerPublicKey: z.tuple([fieldElement, fieldElement]),
      pollMs: z.number().int().min(50).max(3_600_000).optional(),
    })
    .optional(),
});

export type ConfigInput = z.input<typeof fileSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function parsePolicies(input: Record<string, unknown>, circuit: string): Record<string, ConfiguredPolicy> {
  const params = circuitParams(circuit);
  const out: Record<string, ConfiguredPolicy> = {};
  for (const [name, raw] of Object.entries(input)) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`policies.${name} must be an object`);
    const { unique, ...rest } = raw as Record<string, unknown>;
    if (unique !== undefined && typeof unique !== 'boolean') throw new ConfigError(`policies.${name}.unique must be true or false`);
    try {
      out[name] = { policy: parsePolicy({ ...rest, name }, params), unique: unique === true };
    } catch (e) {
      throw new ConfigError(`policies.${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (Object.keys(out).length === 0) throw new ConfigError('policies must name at least one policy');
  return out;
}

/**
 * The configured relying parties, or on a demo instance without any, the demo relying party
 * (public key DEMO_RP_KEY, service id `serviceId` or 'localhost'). In production the demo key is
 * refused: anyone could create requests and redeem results with it.
 */
function resolveRelyingParties(c: z.output<typeof fileSchema>, demo: boolean, production: boolean): Record<string, RelyingParty> {
  const input =
    c.relyingParties ??
    (demo
      ? { [DEMO_RP_ID]: { name: 'zkid demo service', serviceId: c.serviceId ?? 'localhost', apiKey: DEMO_RP_KEY, redirectUris: [] } }
      : {});
  const out: Record<string, RelyingParty> = {};
  const keys = new Set<string>();
  for (const [id, rp] of Object.entries(input)) {
    if (production && rp.apiKey === DEMO_RP_KEY) {
      throw new ConfigError(`config relyingParties.${id}.apiKey: the public demo key is refused in production`);
    }
    if (keys.has(rp.apiKey)) throw new ConfigError(`config relyingParties.${id}.apiKey: two relying parties share one key`);
    keys.add(rp.apiKey);
    let scope: string;
    try {
      scope = toDecimal(scopeFromServiceId(rp.serviceId));
    } catch (e) {
      throw new ConfigError(`config relyingParties.${id}.serviceId: ${e instanceof Error ? e.message : String(e)}`);
    }
    out[id] = { id, name: rp.name, serviceId: rp.serviceId, scope, apiKey: rp.apiKey, redirectUris: rp.redirectUris ?? [] };
  }
  return out;
}

/**
 * Validate a configuration object (the parsed config file, with environment overrides applied)
 * and fill in the defaults.
 * @param adminToken used when the input has none (main.ts generates one for development)
 * @throws ConfigError naming the offending key
 */
export function resolveConfig(input: unknown, o: { adminToken?: string; production?: boolean } = {}): ServiceConfig {
  const parsed = fileSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || '(root)';
    throw new ConfigError(`config ${path}: ${issue?.message ?? 'invalid'}`);
  }
  const c = parsed.data;
  const circuit = c.circuit ?? DEFAULT_CIRCUIT;
  try {
    circuitParams(circuit);
  } catch {
    throw new ConfigError(`config circuit: unknown circuit instance '${circuit}'`);
  }
  const demo = c.demo ?? !o.production;
  const relyingParties = resolveRelyingParties(c, demo, o.production === true);
  const first = Object.values(relyingParties)[0];
  const serviceId = first?.serviceId ?? c.serviceId ?? 'localhost';
  const scope = first?.scope ?? toDecimal(scopeFromServiceId(serviceId));
  const adminToken = c.adminToken ?? o.adminToken;
  if (!adminToken) throw new ConfigError('config adminToken: required (set ZKID_ADMIN_TOKEN)');
  if (!token.safeParse(adminToken).success) throw new ConfigError('config adminToken: must be 16-512 printable characters');
  const config: ServiceConfig = {
    serviceId,
    scope,
    relyingParties,
    walletBaseUrl: (c.walletBaseUrl ?? 'http://localhost:8081').replace(/\/+$/, ''),
    rekeyMinIntervalDays: c.rekeyMinIntervalDays ?? 30,
    serialAllocation: { activeBuckets: 4, bucketTarget: 131_072, ...c.serialAllocation },
    roles: { verifier: true, issuer: true, registry: true, ...c.roles },
    policies: c.policies ? parsePolicies(c.policies, circuit) : { ...DEFAULT_POLICIES },
    trustedIssuers: (c.trustedIssuers ?? []).map(([x, y]) => [x, y]),
    trustLocalIssuer: c.trustLocalIssuer ?? true,
    adminToken,
    roots: { count: 24, maxAgeSeconds: 3600, ...c.roots },
    dateToleranceDays: c.dateToleranceDays ?? 1,
    requestTtlSeconds: c.requestTtlSeconds ?? 300,
    requestTickets: c.requestTickets ?? true,
    demo,
    bodyLimitBytes: c.bodyLimitBytes ?? 16 * 1024,
    maxConcurrentVerifications: c.maxConcurrentVerifications ?? 256,
    verification: { workers: availableParallelism(), batchSize: 16, batchWaitMs: 2, ...c.verification },
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...c.rateLimits },
    trustProxy: c.trustProxy ?? false,
    circuit,
    production: o.production === true,
    allowedArtifacts: c.allowedArtifacts ?? [],
    storePollMs: c.storePollMs ?? 1000,
  };
  if (c.redisUrl) config.redis = { url: c.redisUrl, prefix: c.redisPrefix ?? 'zkid:rl:' };
  if (c.publicBaseUrl) config.publicBaseUrl = c.publicBaseUrl.replace(/\/+$/, '');
  if (c.metricsToken) config.metricsToken = c.metricsToken;
  if (config.roles.verifier && Object.keys(relyingParties).length === 0) {
    throw new ConfigError('config relyingParties: the verifier needs at least one relying party (id, name, serviceId, apiKey)');
  }
  if (c.followRegistry) {
    if (config.roles.registry || config.roles.issuer || !config.roles.verifier) {
      throw new ConfigError(
        'config followRegistry: only a verifier without the issuer and registry roles follows a remote registry (set roles.issuer and roles.registry to false)',
      );
    }
    const f = c.followRegistry;
    if (!isUsableIssuerKey(f.issuerPublicKey)) {
      throw new ConfigError('config followRegistry.issuerPublicKey: not a usable issuer key (off the curve, or of small order)');
    }
    const urls = [f.url, ...(f.mirrors ?? [])].map((u) => u.replace(/\/+$/, ''));
    if (new Set(urls).size !== urls.length) throw new ConfigError('config followRegistry.mirrors: a URL is listed twice');
    config.followRegistry = { urls, issuerPublicKey: [f.issuerPublicKey[0], f.issuerPublicKey[1]], pollMs: f.pollMs ?? 5000 };
    // The issuer whose roots this verifier follows is the issuer whose credentials it accepts.
    const [x, y] = config.followRegistry.issuerPublicKey;
    if (!config.trustedIssuers.some(([a, b]) => a === x && b === y)) config.trustedIssuers.push([x, y]);
  } else if (config.roles.verifier && !config.roles.registry && !config.roles.issuer) {
    throw new ConfigError(
      'config roles: the verifier needs revocation roots: enable the registry or issuer role, or follow a remote registry (followRegistry: {url, issuerPublicKey})',
    );
  }
  return config;
}

/** Environment variables the service reads. */
export interface ServiceEnv {
  PORT?: string;
  HOST?: string;
  ZKID_DATA_DIR?: string;
  ZKID_CONFIG?: string;
  ZKID_ADMIN_TOKEN?: string;
  ZKID_SERVICE_ID?: string;
  ZKID_WALLET_URL?: string;
  ZKID_DEMO?: string;
  NODE_ENV?: string;
  LOG_LEVEL?: string;
  /** postgres://... selects the PostgreSQL store (src/store/open.ts); unset: SQLite in ZKID_DATA_DIR */
  DATABASE_URL?: string;
  /** redis://... shares the rate limits between instances */
  REDIS_URL?: string;
  ZKID_REDIS_PREFIX?: string;
  /** the followed registry's URL (followRegistry.url; the rest comes from the config file) */
  ZKID_REGISTRY_URL?: string;
}

/**
 * Read the optional config file named by ZKID_CONFIG and apply environment overrides
 * (ZKID_SERVICE_ID, ZKID_WALLET_URL, ZKID_DEMO, ZKID_ADMIN_TOKEN). The admin token is still optional here; the
 * caller supplies a generated one in development.
 * @throws ConfigError for an unreadable file, invalid JSON or an invalid value
 */
export function readConfigInput(env: ServiceEnv): Record<string, unknown> {
  let input: Record<string, unknown> = {};
  if (env.ZKID_CONFIG) {
    let text: string;
    try {
      text = readFileSync(env.ZKID_CONFIG, 'utf8');
    } catch (e) {
      throw new ConfigError(`ZKID_CONFIG: cannot read ${env.ZKID_CONFIG}: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      const json: unknown = JSON.parse(text);
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('the top level must be an object');
      input = json as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`ZKID_CONFIG: ${env.ZKID_CONFIG} is not a JSON object: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (env.ZKID_SERVICE_ID) input.serviceId = env.ZKID_SERVICE_ID;
  if (env.ZKID_WALLET_URL) input.walletBaseUrl = env.ZKID_WALLET_URL;
  if (env.ZKID_ADMIN_TOKEN) input.adminToken = env.ZKID_ADMIN_TOKEN;
  if (env.REDIS_URL) input.redisUrl = env.REDIS_URL;
  if (env.ZKID_REDIS_PREFIX) input.redisPrefix = env.ZKID_REDIS_PREFIX;
  if (env.ZKID_REGISTRY_URL) {
    const follow = input.followRegistry;
    input.followRegistry = { ...(typeof follow === 'object' && follow !== null ? follow : {}), url: env.ZKID_REGISTRY_URL };
  }
  if (env.ZKID_DEMO !== undefined && env.ZKID_DEMO !== '') {
    if (!['true', 'false', '1', '0'].includes(env.ZKID_DEMO)) throw new ConfigError('ZKID_DEMO must be true or false');
    input.demo = env.ZKID_DEMO === 'true' || env.ZKID_DEMO === '1';
  }
  return input;
}
