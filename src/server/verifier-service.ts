/**
 * The verifier role: issues proof requests for configured policies and checks presentations.
 *
 * A presentation is checked cheapest first, and nothing is accepted unless every step said yes:
 *   1. body schema (strict, bounded; exactly nPublic canonical signals), before any cryptography;
 *   2. the request exists, is pending (unused) and unexpired, and its `today` is still within the
 *      tolerance of the server's UTC date;
 *   3. a slot under the cap on concurrent verifications (else 503, try again);
 *   4. verifyPresentation against the stored request (issuer trusted, root, scope, challenge,
 *      statement, proof points, Groth16 with the pinned key); it never throws;
 *   5. the proof's revocation root is still in the accepted window (a root can age out while the
 *      request is pending);
 *   6. one transaction consumes the challenge (exactly one of concurrent submissions wins) and,
 *      when the policy wants one pseudonym per person, registers the nullifier.
 *
 * Requests belong to the relying party that created them (its API key): only it reads their
 * status, and the result reaches it only through the one-time response code that the holder's
 * browser carries back to its redirect URI (OpenID4VP's same-device flow). The code (256 bits
 * from the CSPRNG) is stored only as its sha256 and redeemed exactly once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { CircuitBuild } from '../circuit/artifacts-node.ts';
import { circuitParams, publicSignalNames } from '../circuit/registry.ts';
import { addDays, parseDate, todayUtc } from '../dates.ts';
import { serviceIdMatchesHost } from '../holder/service-origin.ts';
import { type ArtifactRef, createProofRequest, type ProofRequest } from '../request.ts';
import type { Store, StoredRequest, VerifiedResult } from '../store/store.ts';
import { type Verdict, type VerifyOptions, verifyPresentation } from '../verifier/verify-presentation.ts';
import type { RelyingParty, ServiceConfig } from './config.ts';
import { HttpError, type HttpErrorCode } from './http-error.ts';
import type { Metrics } from './metrics.ts';
import { openTicket, sealTicket } from './request-ticket.ts';
import type { RevocationRegistry } from './revocation-registry.ts';
import { createRequestBody, parseOrThrow, presentationBody, redeemBody } from './schemas.ts';

export type VerifyFunction = (presentation: unknown, request: ProofRequest, o: VerifyOptions) => Promise<Verdict>;

/** A counting semaphore without a queue: a caller either gets a slot now or is told to come back. */
export class Slots {
  #free: number;
  constructor(readonly size: number) {
    this.#free = size;
  }
  get inUse(): number {
    return this.size - this.#free;
  }
  /** @returns a release function, or undefined when every slot is taken */
  tryAcquire(): (() => void) | undefined {
    if (this.#free <= 0) return undefined;
    this.#free--;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.#free++;
      }
    };
  }
}

export type RequestState = 'pending' | 'verified' | 'rejected' | 'expired';

/** GET /v1/requests/:id, for the relying party that made the request: never the result. */
export interface RequestStatusView {
  id: string;
  policy: string;
  status: RequestState;
  createdAt: string;
  expiresAt: string;
  /** the request itself, while it can still be answered */
  request?: ProofRequest;
  redirectUri?: string;
  /** the response code has been redeemed for the result */
  redeemed: boolean;
  /** why the request was rejected, or why the last presentation for it was */
  error?: { code: string; message: string };
}

/** GET /v1/requests/:id/holder: what the holder's wallet needs, and nothing else. */
export interface HolderRequestView {
  status: RequestState;
  relyingParty: { name: string };
  /** while pending */
  request?: ProofRequest;
  redirectUri?: string;
  /** how long a revoked credential still proves against an older root (roots.maxAgeSeconds) */
  gracePeriodSeconds: number;
  /** while pending: the request sealed by this service, to send back with the presentation (see request-ticket.ts) */
  ticket?: string;
}

/** POST /v1/requests: the request and where to send the holder. */
export interface CreatedRequestView {
  request: ProofRequest;
  /** the holder view of the request (give it to the wallet) */
  requestUri: string;
  /** <walletBaseUrl>/?request_uri=<requestUri> */
  walletUrl: string;
}

export interface AcceptedView {
  verified: true;
  requestId: string;
  policy: string;
  pseudonym: string;
  disclosed: Record<string, string | number>;
  verifiedAt: string;
  /** one-time code the relying party redeems for the result (POST /v1/requests/:id/result) */
  responseCode: string;
  /** the request's redirect URI with response_code=<code> added to its query */
  redirectTo?: string;
}

/** POST /v1/requests/:id/result */
export interface RedeemedView extends VerifiedResult {
  requestId: string;
}

/** sha256 (hex) of a response code: the only form in which the store keeps it. */
export function responseCodeHash(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

/**
 * Check a redirect URI for a relying party: an absolute http(s) URL without credentials or
 * fragment, listed in the party's redirectUris, or (when that list is empty) on the party's
 * service id or a subdomain of it ('localhost' and IP addresses only exactly).
 * @returns the URL in normalised form
 * @throws HttpError INVALID_REDIRECT_URI
 */
export function checkRedirectUri(rp: RelyingParty, raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new HttpError('INVALID_REDIRECT_URI', 'redirectUri must be an absolute http(s) URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new HttpError('INVALID_REDIRECT_URI', 'redirectUri must be http(s)');
  if (u.username !== '' || u.password !== '' || u.hash !== '' || raw.includes('#')) {
    throw new HttpError('INVALID_REDIRECT_URI', 'redirectUri must not carry credentials or a fragment');
  }
  if (rp.redirectUris.length > 0) {
    if (!rp.redirectUris.includes(raw) && !rp.redirectUris.includes(u.href)) {
      throw new HttpError('INVALID_REDIRECT_URI', `redirectUri is not one of the redirect URIs registered for '${rp.id}'`);
    }
    return u.href;
  }
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!serviceIdMatchesHost(rp.serviceId, host)) {
    throw new HttpError('INVALID_REDIRECT_URI', `redirectUri must be on ${rp.serviceId} (the relying party's service id)`);
  }
  return u.href;
}

/** HTTP codes for the verifier core's rejection codes. */
const VERDICT_CODES: Record<string, HttpErrorCode> = {
  MALFORMED_PRESENTATION: 'MALFORMED_PRESENTATION',
  REQUEST_MISMATCH: 'REQUEST_MISMATCH',
  REQUEST_EXPIRED: 'REQUEST_EXPIRED',
  WRONG_SIGNAL_COUNT: 'WRONG_SIGNAL_COUNT',
  NON_CANONICAL_SIGNAL: 'NON_CANONICAL_SIGNAL',
  ISSUER_NOT_TRUSTED: 'ISSUER_NOT_TRUSTED',
  ROOT_NOT_ACCEPTED: 'ROOT_NOT_ACCEPTED',
  SCOPE_MISMATCH: 'SCOPE_MISMATCH',
  CHALLENGE_MISMATCH: 'CHALLENGE_MISMATCH',
  STATEMENT_MISMATCH: 'STATEMENT_MISMATCH',
  POLICY_NOT_ALLOWED: 'POLICY_NOT_ALLOWED',
  MALFORMED_PROOF: 'MALFORMED_PROOF',
  PROOF_INVALID: 'PROOF_INVALID',
};

/** Whole days between two YYYYMMDD dates (b - a). */
function dayDiff(a: number, b: number): number {
  const ms = (d: number) => Date.UTC(Math.floor(d / 10_000), (Math.floor(d / 100) % 100) - 1, d % 100);
  return Math.round((ms(b) - ms(a)) / 86_400_000);
}

export interface VerifierDeps {
  config: ServiceConfig;
  store: Store;
  /** where the accepted roots come from: this instance's registry, or a RegistryFollower of a remote one */
  registry: Pick<RevocationRegistry, 'acceptedRoots'>;
  circuit: CircuitBuild;
  trustedIssuers: [string, string][];
  clock: () => Date;
  metrics: Metrics;
  logger: Logger;
  /** the key of request tickets, shared by every instance of one database (request-ticket.ts) */
  ticketKey: Buffer;
  verify?: VerifyFunction;
}

/** What a presentation is checked against: the stored request, or the one its ticket sealed. */
type SubmittedRequest = Pick<StoredRequest, 'request' | 'policy' | 'status' | 'expiresAt' | 'redirectUri'>;

/** Bytes of a POSTed body kept for the presentation beside a ticket (a presentation's JSON is about 1.5 KB). */
const PRESENTATION_ROOM = 4096;

/** How many request ids an instance remembers as answered by itself (a ticket's replay then costs no verification). */
const REMEMBERED_ANSWERS = 8192;

export class VerifierService {
  readonly #d: VerifierDeps;
  readonly #verify: VerifyFunction;
  readonly #schema: ReturnType<typeof presentationBody>;
  readonly #artifacts: { wasm: ArtifactRef; zkey: ArtifactRef; vkey: ArtifactRef };
  readonly slots: Slots;
  /** ids of requests this instance saw answered (oldest first), for tickets' replays */
  readonly #answered = new Set<string>();

  constructor(d: VerifierDeps) {
    this.#d = d;
    this.#verify = d.verify ?? verifyPresentation;
    this.#schema = presentationBody(publicSignalNames(circuitParams(d.circuit.instance)).length);
    this.slots = new Slots(d.config.maxConcurrentVerifications);
    const base = d.config.publicBaseUrl ?? '';
    const a = d.circuit.manifest.artifacts;
    const ref = (e: { file: string; sha256: string }): ArtifactRef => ({
      url: `${base}/v1/artifacts/${encodeURIComponent(d.circuit.instance)}/${encodeURIComponent(e.file)}?sha256=${e.sha256}`,
      sha256: e.sha256,
    });
    // Holders get the compact proving key (zkc) when the build has one: the same key, a smaller download.
    this.#artifacts = { wasm: ref(a.wasm), zkey: ref(a.zkc ?? a.zkey), vkey: ref(a.vkey) };
  }

  /** Check a holder-supplied or stored `today` against the server's UTC date. */
  #checkToday(today: number, now: Date): void {
    const serverToday = todayUtc(now);
    const tolerance = this.#d.config.dateToleranceDays;
    if (Math.abs(dayDiff(serverToday, today)) > tolerance) {
      throw new HttpError(
        'TODAY_OUT_OF_RANGE',
        `today ${today} is more than ${tolerance} day(s) from the server's UTC date ${serverToday} (accepted: ${addDays(serverToday, -tolerance)} to ${addDays(serverToday, tolerance)})`,
      );
    }
  }

  /**
   * POST /v1/requests, for an authenticated relying party: the request carries that party's
   * service id (its scope), whatever the body says.
   * @param serviceBase the service's own base URL (for requestUri)
   */
  async createRequest(rp: RelyingParty, body: unknown, serviceBase: string): Promise<CreatedRequestView> {
    const { config, store, registry, clock, metrics } = this.#d;
    const input = parseOrThrow(createRequestBody, body);
    const redirectUri = input.redirectUri === undefined ? undefined : checkRedirectUri(rp, input.redirectUri);
    const configured = Object.hasOwn(config.policies, input.policy) ? config.policies[input.policy] : undefined;
    if (!configured) {
      throw new HttpError(
        'UNKNOWN_POLICY',
        `unknown policy '${input.policy}'; this service offers: ${Object.keys(config.policies).join(', ')}`,
      );
    }
    const now = clock();
    const today = input.today === undefined ? todayUtc(now) : parseDate('today', input.today);
    this.#checkToday(today, now);
    const request = createProofRequest({
      policy: configured.policy,
      serviceId: rp.serviceId,
      issuers: this.#d.trustedIssuers,
      roots: registry.acceptedRoots(now, config.roots),
      circuit: this.#d.circuit.instance,
      today,
      ttlSeconds: config.requestTtlSeconds,
      now,
      artifacts: this.#artifacts,
    });
    await store.insertRequest({ request, createdAt: now, rpId: rp.id, ...(redirectUri ? { redirectUri } : {}) });
    metrics.requestsCreated.inc({ policy: configured.policy.name });
    const requestUri = `${serviceBase}/v1/requests/${encodeURIComponent(request.id)}/holder`;
    return { request, requestUri, walletUrl: `${config.walletBaseUrl}/?request_uri=${encodeURIComponent(requestUri)}` };
  }

  async #load(id: string): Promise<StoredRequest> {
    const stored = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await this.#d.store.getRequest(id) : undefined;
    if (!stored) throw new HttpError('REQUEST_NOT_FOUND', `no proof request '${id.slice(0, 64)}'`);
    return stored;
  }

  #state(s: StoredRequest): RequestState {
    return s.status === 'pending' && this.#d.clock().getTime() >= s.expiresAt.getTime() ? 'expired' : s.status;
  }

  /** A request of this relying party; another party's request is as unknown as a missing one. */
  async #loadOwn(rp: RelyingParty, id: string): Promise<StoredRequest> {
    const s = await this.#load(id);
    if (s.rpId !== rp.id) throw new HttpError('REQUEST_NOT_FOUND', `no proof request '${id.slice(0, 64)}'`);
    return s;
  }

  /** GET /v1/requests/:id (the owning relying party): the status, never the result. */
  async status(rp: RelyingParty, id: string): Promise<RequestStatusView> {
    const s = await this.#loadOwn(rp, id);
    const view: RequestStatusView = {
      id: s.id,
      policy: s.policy,
      status: this.#state(s),
      createdAt: s.createdAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      redeemed: s.redeemedAt !== undefined,
    };
    if (view.status === 'pending') view.request = s.request;
    if (s.redirectUri) view.redirectUri = s.redirectUri;
    if (s.lastError) view.error = { code: s.lastError.code, message: s.lastError.message };
    return view;
  }

  /** GET /v1/requests/:id/holder (public): what the wallet shows and proves against. */
  async holderView(id: string): Promise<HolderRequestView> {
    const s = await this.#load(id);
    const rp =
      s.rpId !== undefined && Object.hasOwn(this.#d.config.relyingParties, s.rpId) ? this.#d.config.relyingParties[s.rpId] : undefined;
    if (!rp) throw new HttpError('REQUEST_NOT_FOUND', `no proof request '${id.slice(0, 64)}'`);
    const view: HolderRequestView = {
      status: this.#state(s),
      relyingParty: { name: rp.name },
      gracePeriodSeconds: this.#d.config.roots.maxAgeSeconds,
    };
    if (s.redirectUri) view.redirectUri = s.redirectUri;
    if (view.status === 'pending') view.request = s.request;
    if (view.status === 'pending' && this.#d.config.requestTickets) {
      const ticket = sealTicket(this.#d.ticketKey, { request: s.request, ...(s.redirectUri ? { redirectUri: s.redirectUri } : {}) });
      // Only a ticket that leaves room for the presentation within the body limit (else none: the request is read).
      if (ticket.length + PRESENTATION_ROOM <= this.#d.config.bodyLimitBytes) view.ticket = ticket;
    }
    return view;
  }

  /** POST /v1/requests/:id/result (the owning relying party): the result, once, for the response code. */
  async redeem(rp: RelyingParty, id: string, body: unknown): Promise<RedeemedView> {
    const { responseCode } = parseOrThrow(redeemBody, body);
    await this.#loadOwn(rp, id);
    const r = await this.#d.store.redeemResult({ id, rpId: rp.id, codeHash: responseCodeHash(responseCode), now: this.#d.clock() });
    switch (r.outcome) {
      case 'redeemed':
        return { requestId: id, ...r.result };
      case 'used':
        throw new HttpError('RESPONSE_CODE_USED', 'this response code has already been redeemed');
      case 'invalid':
        throw new HttpError('INVALID_RESPONSE_CODE', 'the response code is not valid for this request');
      default:
        throw new HttpError('REQUEST_NOT_FOUND', `no proof request '${id.slice(0, 64)}'`);
    }
  }

  /** A request that is no longer open answers so before anything is verified: already used, or expired. */
  #checkOpen(stored: Pick<StoredRequest, 'status' | 'expiresAt'>, now: Date): void {
    if (stored.status !== 'pending')
      throw new HttpError('REQUEST_ALREADY_USED', 'this proof request has already been answered: ask for a new one');
    if (now.getTime() >= stored.expiresAt.getTime())
      throw new HttpError('REQUEST_EXPIRED', 'this proof request has expired: ask for a new one');
  }

  /** Remember a request this instance saw answered (bounded: the oldest are forgotten first). */
  #remember(id: string): void {
    this.#answered.add(id);
    if (this.#answered.size > REMEMBERED_ANSWERS) {
      const oldest = this.#answered.values().next().value;
      if (oldest !== undefined) this.#answered.delete(oldest);
    }
  }

  /**
   * Reject a presentation (and record why on its request). `ticketed`: the request came from a
   * ticket, unread, so it is read now: a request already answered, expired or gone gets the code it
   * would have got before verification without a ticket.
   */
  async #reject(id: string, code: HttpErrorCode, message: string, started: number, ticketed: boolean): Promise<never> {
    const { store, metrics, clock, logger } = this.#d;
    if (ticketed) {
      const stored = await this.#load(id);
      if (stored.status !== 'pending') this.#remember(id);
      this.#checkOpen(stored, clock());
    }
    metrics.verifications.inc({ result: 'rejected', code });
    metrics.verificationDuration.observe((performance.now() - started) / 1000);
    logger.info({ requestId: id, code }, 'presentation rejected');
    await store.recordRejection(id, { code, message, at: clock().toISOString() });
    throw new HttpError(code, message);
  }

  /**
   * The request a ticket sealed (see request-ticket.ts), unread, as pending; read after all when
   * past its sealed expiry, so that a used (or purged) request answers as without a ticket.
   * @throws HttpError INVALID_TICKET for a ticket this service did not seal for this request;
   *   REQUEST_ALREADY_USED for a request this instance saw answered
   */
  async #fromTicket(id: string, ticket: string): Promise<SubmittedRequest> {
    const t = openTicket(this.#d.ticketKey, ticket, id);
    if (!t)
      throw new HttpError(
        'INVALID_TICKET',
        'the ticket was not issued by this service for this request: send the one from its holder view, or none',
      );
    if (this.#answered.has(id))
      throw new HttpError('REQUEST_ALREADY_USED', 'this proof request has already been answered: ask for a new one');
    const expiresAt = new Date(t.request.expiresAt);
    if (this.#d.clock().getTime() >= expiresAt.getTime()) return this.#load(id);
    return {
      request: t.request,
      policy: t.request.policy.name,
      status: 'pending',
      expiresAt,
      ...(t.redirectUri ? { redirectUri: t.redirectUri } : {}),
    };
  }

  /** POST /v1/requests/:id/presentation */
  async submit(id: string, body: unknown): Promise<AcceptedView> {
    const { config, store, registry, clock, metrics, circuit } = this.#d;
    const { ticket, ...presentation } = parseOrThrow(this.#schema, body, 'MALFORMED_PRESENTATION');
    // The request: from the ticket of the holder view when the wallet sent it back (no store read),
    // else from the store. Either way its consumption below is what decides that it was still open.
    const ticketed = ticket !== undefined;
    const stored = ticketed ? await this.#fromTicket(id, ticket) : await this.#load(id);
    const now = clock();
    this.#checkOpen(stored, now);
    this.#checkToday(stored.request.today, now);

    const release = this.slots.tryAcquire();
    if (!release) throw new HttpError('SERVER_BUSY', 'too many verifications in progress: retry shortly', { 'Retry-After': '1' });
    const started = performance.now();
    let verdict: Verdict;
    metrics.verificationsInFlight.inc();
    try {
      const full = { ...presentation, requestId: presentation.requestId ?? id, circuit: presentation.circuit ?? stored.request.circuit };
      verdict = await this.#verify(full, stored.request, { verificationKey: circuit.verificationKey, now });
    } catch (e) {
      // verifyPresentation never throws; an injected or future verifier might: a throw is a rejection.
      this.#d.logger.error({ err: e, requestId: id }, 'verifier threw');
      verdict = { verified: false, code: 'INTERNAL_ERROR', message: 'verification failed' };
    } finally {
      metrics.verificationsInFlight.dec();
      release();
    }
    if (verdict.verified !== true) {
      if (
        verdict.code === 'INTERNAL_ERROR' ||
        verdict.code === 'INSECURE_VERIFICATION_KEY' ||
        verdict.code === 'INVALID_VERIFICATION_KEY'
      ) {
        this.#d.logger.error({ requestId: id, code: verdict.code, detail: verdict.message }, 'verification error');
        return this.#reject(id, 'VERIFICATION_ERROR', 'the presentation could not be verified', started, ticketed);
      }
      return this.#reject(id, VERDICT_CODES[verdict.code] ?? 'VERIFICATION_ERROR', verdict.message, started, ticketed);
    }
    const checkedAt = clock();
    if (!registry.acceptedRoots(checkedAt, config.roots).includes(verdict.root)) {
      return this.#reject(
        id,
        'ROOT_NOT_ACCEPTED',
        'the revocation root has left the accepted window: refresh the revocation data and prove again',
        started,
        ticketed,
      );
    }
    if (!this.#d.trustedIssuers.some(([x, y]) => x === verdict.issuer[0] && y === verdict.issuer[1])) {
      return this.#reject(id, 'ISSUER_NOT_TRUSTED', 'the credential was issued by a key this service does not trust', started, ticketed);
    }

    const result: VerifiedResult = {
      pseudonym: verdict.pseudonym,
      disclosed: verdict.disclosed as Record<string, string | number>,
      policy: verdict.policy,
      issuer: verdict.issuer,
      root: verdict.root,
      verifiedAt: checkedAt.toISOString(),
    };
    const unique = Object.hasOwn(config.policies, stored.policy) && config.policies[stored.policy]?.unique === true;
    const responseCode = randomBytes(32).toString('base64url');
    const outcome = await store.completeRequest({
      id,
      now: checkedAt,
      result,
      responseCodeHash: responseCodeHash(responseCode),
      ...(unique ? { nullifier: { scope: stored.request.scope, policy: stored.policy, value: verdict.pseudonym } } : {}),
    });
    if (outcome !== 'not-found' && outcome !== 'expired') this.#remember(id);
    switch (outcome) {
      case 'completed': {
        metrics.verifications.inc({ result: 'accepted', code: 'OK' });
        metrics.verificationDuration.observe((performance.now() - started) / 1000);
        const accepted: AcceptedView = {
          verified: true,
          requestId: id,
          policy: result.policy,
          pseudonym: result.pseudonym,
          disclosed: result.disclosed,
          verifiedAt: result.verifiedAt,
          responseCode,
        };
        if (stored.redirectUri) {
          const back = new URL(stored.redirectUri);
          back.searchParams.set('response_code', responseCode);
          accepted.redirectTo = back.href;
        }
        return accepted;
      }
      case 'nullifier-used':
        metrics.verifications.inc({ result: 'rejected', code: 'PSEUDONYM_ALREADY_USED' });
        throw new HttpError('PSEUDONYM_ALREADY_USED', 'this person has already registered with this service under this policy');
      case 'already-used':
        metrics.verifications.inc({ result: 'rejected', code: 'REQUEST_ALREADY_USED' });
        throw new HttpError('REQUEST_ALREADY_USED', 'this proof request has already been answered: ask for a new one');
      case 'expired':
        metrics.verifications.inc({ result: 'rejected', code: 'REQUEST_EXPIRED' });
        throw new HttpError('REQUEST_EXPIRED', 'this proof request has expired: ask for a new one');
      default:
        throw new HttpError('REQUEST_NOT_FOUND', `no proof request '${id}'`);
    }
  }
}
