/**
 * The wallet's and the service page's HTTP client. The wallet lives on its own origin, so every
 * call names an absolute URL (the service's origin comes from the request_uri or the wallet's
 * /config.json); no cookies are ever sent (`credentials: 'omit'`) and no referrer leaks the
 * wallet's URL. Every failure becomes an ApiError with a stable code: the service's
 * `{error: {code, message}}` body when there is one, NETWORK_ERROR when the service cannot be
 * reached, BAD_RESPONSE when the answer is not the JSON the client expected. Callers show these to
 * the user; nothing is swallowed.
 */
import type { Bucket, Credential, Policy, Presentation, ProofRequest, RootRecordJson, Snapshot } from '../index.browser.ts';

export class ApiError extends Error {
  readonly code: string;
  /** HTTP status, 0 when there was no response */
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

function errorBody(v: unknown): { code: string; message: string } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const e = (v as { error?: unknown }).error;
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, message } = e as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string' ? { code, message } : undefined;
}

export interface ApiOptions {
  /** `Authorization: Bearer <token>` (the relying party's API key; never sent by the wallet) */
  bearer?: string;
}

/**
 * Call a service and return its JSON body.
 * @param url absolute, or relative to the page
 * @throws ApiError for a network failure, an error response, or a body that is not JSON
 */
export async function api<T>(method: 'GET' | 'POST', url: string, body?: unknown, o: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (o.bearer) headers.Authorization = `Bearer ${o.bearer}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    throw new ApiError(
      'NETWORK_ERROR',
      `${method} ${url}: the service cannot be reached (${e instanceof Error ? e.message : String(e)})`,
      0,
    );
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ApiError(
      res.ok ? 'BAD_RESPONSE' : `HTTP_${res.status}`,
      `${method} ${url}: HTTP ${res.status} without a JSON body`,
      res.status,
    );
  }
  if (!res.ok) {
    const err = errorBody(json);
    throw err
      ? new ApiError(err.code, err.message, res.status)
      : new ApiError(`HTTP_${res.status}`, `${method} ${url}: HTTP ${res.status}`, res.status);
  }
  return json as T;
}

/** GET /v1/info */
export interface ServiceInfo {
  serviceId: string;
  scope: string;
  circuit: string;
  demo: boolean;
  roles: { verifier: boolean; issuer: boolean; registry: boolean };
  policies: (Policy & { unique: boolean })[];
  walletBaseUrl?: string;
  gracePeriodSeconds?: number;
}

/** POST /v1/demo/enrol and /v1/issuer/credentials */
export interface IssuedCredential {
  credential: Credential;
  serial: string;
  keyId: string;
  bucket: number;
}

/** POST /v1/requests (relying party), 201 */
export interface CreatedRequest {
  request: ProofRequest;
  /** the holder view of the request, to hand to the wallet */
  requestUri: string;
  /** the wallet's page for this request */
  walletUrl: string;
}

/** GET /v1/requests/{id}/holder: what the holder needs, never the result. */
export interface HolderView {
  status: 'pending' | 'verified' | 'rejected' | 'expired';
  relyingParty: { name: string };
  request?: ProofRequest;
  redirectUri?: string;
  gracePeriodSeconds: number;
  /** while pending: the request sealed by the service, to send back with the presentation */
  ticket?: string;
}

/** POST /v1/requests/{id}/presentation, 200 */
export interface Accepted {
  verified: true;
  requestId: string;
  policy: string;
  pseudonym: string;
  disclosed: Record<string, string | number>;
  verifiedAt: string;
  responseCode?: string;
  /** the relying party's redirectUri with response_code added */
  redirectTo?: string;
}

/** POST /v1/requests/{id}/result (relying party), GET /v1/sessions */
export interface Session {
  requestId: string;
  policy: string;
  pseudonym: string;
  disclosed: Record<string, string | number>;
  verifiedAt: string;
}

/** GET /v1/registry/root */
export interface RegistryRoot {
  root: string;
  revision: number;
  publishedAt: string;
  /** the current root's record with the issuer's signatures */
  rootRecord?: RootRecordJson;
  bucketBits: number;
  /** credentials issued and not revoked */
  issued?: number;
  /** size of the compressed snapshot */
  snapshotBytes?: number;
}

/** GET /v1/registry/buckets/{i} with the registry's count of issued credentials in it, and the signed record of its root */
export type CountedBucket = Bucket & { issuedCount?: number; rootRecord?: RootRecordJson };
/** GET /v1/registry/snapshot with the registry's count of issued credentials, and the signed record of its root */
export type CountedSnapshot = Snapshot & { issuedCount?: number; rootRecord?: RootRecordJson };

export type { Presentation };
