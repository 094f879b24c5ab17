/**
 * Shared fixtures for the service tests: a movable clock, a test configuration (rate limits out
 * of the way unless a test sets them), apps on temporary data directories, credentials issued
 * through the API, and real proofs (generateProof with the committed circuit build).
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { expect } from 'vitest';
import { circuitBuild } from '../../src/circuit/artifacts-node.ts';
import { createHolderSecret, holderCommitment } from '../../src/credential/holder.ts';
import type { Credential, CredentialAttributes } from '../../src/credential/schema.ts';
import { toDecimal } from '../../src/field.ts';
import { generateProof } from '../../src/prover/generate-proof.ts';
import type { Presentation, ProofRequest } from '../../src/request.ts';
import type { Bucket } from '../../src/revocation/tree.ts';
import { type AppDeps, createApp, type ZkidApp } from '../../src/server/app.ts';
import { type ConfigInput, resolveConfig, type ServiceConfig } from '../../src/server/config.ts';
import { ensureIssuerKey } from '../../src/server/issuer-service.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const AUTH = { Authorization: `Bearer ${ADMIN_TOKEN}` };
/** The test relying parties' API keys: 'shop' (serviceId from the config, default shop.example) and 'other' (other.example). */
export const RP_KEY = 'test-relying-party-key-shop-0123';
export const OTHER_RP_KEY = 'test-relying-party-key-other-456';
export const RP_AUTH = { Authorization: `Bearer ${RP_KEY}` };
export const OTHER_RP_AUTH = { Authorization: `Bearer ${OTHER_RP_KEY}` };
export const build = circuitBuild();
export const N_PUBLIC = build.verificationKey.nPublic;

/** A clock the test moves by hand. */
export class TestClock {
  #ms: number;
  constructor(start: Date = new Date()) {
    this.#ms = start.getTime();
  }
  now = (): Date => new Date(this.#ms);
  advance(seconds: number): void {
    this.#ms += seconds * 1000;
  }
}

const NO_LIMITS = { general: 1e6, requests: 1e6, presentations: 1e6, issuer: 1e6, enrol: 1e6 };

/** Two relying parties, 'shop' (on `serviceId`) and 'other' (on other.example), unless `over` names its own. */
export function testConfig(over: ConfigInput = {}): ServiceConfig {
  const serviceId = over.serviceId ?? 'shop.example';
  return resolveConfig({
    serviceId,
    adminToken: ADMIN_TOKEN,
    relyingParties: {
      shop: { name: 'Shop', serviceId, apiKey: RP_KEY },
      other: { name: 'Other', serviceId: serviceId === 'other.example' ? 'another.example' : 'other.example', apiKey: OTHER_RP_KEY },
    },
    ...over,
    rateLimits: { ...NO_LIMITS, ...over.rateLimits },
    // Batches on the main thread unless a test asks for worker threads (test/server/verify-pool.test.ts).
    verification: { workers: 0, ...over.verification },
  });
}

export function tempDir(prefix = 'zkid-server-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface TestApp {
  app: ZkidApp;
  store: SqliteStore;
  dir: string;
  clock: TestClock;
}

/** An app on a (new or given) data directory, with an issuer key, a silent logger and no static files. */
export async function startApp(
  o: { dir?: string; config?: ServiceConfig; clock?: TestClock; store?: SqliteStore } & Partial<Pick<AppDeps, 'verify'>> = {},
): Promise<TestApp> {
  const dir = o.dir ?? tempDir();
  const clock = o.clock ?? new TestClock();
  const store = o.store ?? new SqliteStore({ dataDir: dir });
  const config = o.config ?? testConfig();
  try {
    if (config.roles.issuer) await ensureIssuerKey(store, clock.now());
    const app = await createApp({
      store,
      config,
      clock: clock.now,
      logger: pino({ level: 'silent' }),
      publicDir: null,
      ...(o.verify ? { verify: o.verify } : {}),
    });
    return { app, store, dir, clock };
  } catch (e) {
    if (!o.store) await store.close();
    throw e;
  }
}

/** Adult passport holder attributes (born 1990-06-15, Beijing). */
export const ADULT: CredentialAttributes = {
  idNumber: 'E12345678',
  birthDate: 19900615,
  validUntil: 20400101,
  region: 110105,
  nationality: 156,
  documentType: 2,
};

export interface Holder {
  secret: bigint;
  credential: Credential;
}

/** ADULT with a fresh passport number: another person (the issuer keeps one holder commitment per ID number). */
export function anotherAdult(): CredentialAttributes {
  return { ...ADULT, idNumber: `E${String(randomInt(1e8)).padStart(8, '0')}` };
}

/** A holder with a credential issued through POST /v1/issuer/credentials (by default a new person). */
export async function enrol(app: ZkidApp, attributes: CredentialAttributes = anotherAdult()): Promise<Holder> {
  const secret = createHolderSecret();
  const res = await request(app)
    .post('/v1/issuer/credentials')
    .set(AUTH)
    .send({ attributes, holderCommitment: toDecimal(holderCommitment(secret)) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { secret, credential: res.body.credential as Credential };
}

/** POST /v1/requests as the 'shop' relying party (or another key): the whole answer. */
export async function createRequest(
  app: ZkidApp,
  policy: string,
  extra: Record<string, unknown> = {},
  auth: Record<string, string> = RP_AUTH,
): Promise<{ request: ProofRequest; requestUri: string; walletUrl: string }> {
  const res = await request(app)
    .post('/v1/requests')
    .set(auth)
    .send({ policy, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { request: ProofRequest; requestUri: string; walletUrl: string };
}

export async function newRequest(app: ZkidApp, policy: string, extra: Record<string, unknown> = {}): Promise<ProofRequest> {
  return (await createRequest(app, policy, extra)).request;
}

/** GET /v1/requests/:id as the 'shop' relying party. */
export function requestStatus(app: ZkidApp, id: string, auth: Record<string, string> = RP_AUTH) {
  return request(app).get(`/v1/requests/${id}`).set(auth);
}

/** POST /v1/requests/:id/result as the 'shop' relying party. */
export function redeem(app: ZkidApp, id: string, responseCode: unknown, auth: Record<string, string> = RP_AUTH) {
  return request(app).post(`/v1/requests/${id}/result`).set(auth).send({ responseCode });
}

export async function bucketFor(app: ZkidApp, credential: Credential): Promise<Bucket> {
  const index = Math.floor(Number(credential.serial) / 252 / 1024);
  const res = await request(app).get(`/v1/registry/buckets/${index}`);
  expect(res.status).toBe(200);
  return res.body as Bucket;
}

/** A real proof (about 1.5 s) for a request, with revocation data from the registry unless given. */
export async function prove(app: ZkidApp, holder: Holder, req: ProofRequest, bucket?: Bucket): Promise<Presentation> {
  return generateProof({
    credential: holder.credential,
    holderSecret: holder.secret,
    request: req,
    revocation: bucket ?? (await bucketFor(app, holder.credential)),
    artifacts: { wasm: build.wasm, zkey: build.zkey },
  });
}

/**
 * A pending request row `id` with `r`'s challenge, statement and roots (and `over`), stored
 * directly: the service never makes two requests with one challenge, only a test can, so that a
 * proof made once can be sent to a fresh request whose only difference is the one under test.
 */
export async function twinRequest(
  store: Pick<Store, 'insertRequest'>,
  r: ProofRequest,
  id: string,
  createdAt: Date,
  over: Partial<ProofRequest> = {},
): Promise<ProofRequest> {
  const request = { ...r, id, ...over };
  await store.insertRequest({ request, createdAt, rpId: 'shop' });
  return request;
}

export function submit(app: ZkidApp, requestId: string, presentation: unknown) {
  return request(app)
    .post(`/v1/requests/${requestId}/presentation`)
    .send(presentation as object);
}

/** Assert a JSON error response with a stable code and no internals. */
export function expectError(res: { status: number; body: unknown; text: string }, status: number, code: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { error: { code, message: expect.any(String) } } });
  expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
}

/** A presentation that passes the schema (right shape, nPublic canonical signals) but proves nothing. */
export function fakePresentation(requestId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    requestId,
    circuit: build.instance,
    proof: {
      pi_a: ['1', '2', '1'],
      pi_b: [
        ['1', '2'],
        ['3', '4'],
        ['1', '0'],
      ],
      pi_c: ['1', '2', '1'],
      protocol: 'groth16',
      curve: 'bn128',
    },
    publicSignals: Array.from({ length: N_PUBLIC }, (_, i) => String(i + 1)),
    ...over,
  };
}

/** The value of one series of /metrics (`name` with its labels, as exposed), 0 when absent. */
export async function metricValue(app: Parameters<typeof request>[0], series: string): Promise<number> {
  const text = (await request(app).get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
