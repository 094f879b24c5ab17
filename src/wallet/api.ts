/**
 * The wallet's and the service page's HTTP client for the zkid service (same origin). Every
 * failure becomes an ApiError with a stable code: the service's `{error: {code, message}}` body
 * when there is one, NETWORK_ERROR when the service cannot be reached, BAD_RESPONSE when the
 * answer is not the JSON the client expected. Callers show these to the user; nothing is swallowed.
 */
import type { Credential, Policy, Presentation, ProofRequest } from '../index.browser.ts';
import type { RequestStatusView } from '../server/verifier-service.ts';

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

/**
 * Call the service and return its JSON body.
 * @throws ApiError for a network failure, an error response, or a body that is not JSON
 */
export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(
      'NETWORK_ERROR',
      `${method} ${path}: the service cannot be reached (${e instanceof Error ? e.message : String(e)})`,
      0,
    );
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ApiError(
      res.ok ? 'BAD_RESPONSE' : `HTTP_${res.status}`,
      `${method} ${path}: HTTP ${res.status} without a JSON body`,
      res.status,
    );
  }
  if (!res.ok) {
    const err = errorBody(json);
    throw err
      ? new ApiError(err.code, err.message, res.status)
      : new ApiError(`HTTP_${res.status}`, `${method} ${path}: HTTP ${res.status}`, res.status);
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
}

/** POST /v1/demo/enrol and /v1/issuer/credentials */
export interface IssuedCredential {
  credential: Credential;
  serial: string;
  keyId: string;
  bucket: number;
}

/** GET /v1/requests/{id}: the server's own view type (a type-only import, erased from the bundle). */
export type RequestStatus = RequestStatusView;

/** A request's status, or why it could not be read (shown next to the request). */
export type StatusOrError = RequestStatus | { error: { code: string; message: string } };

export function isStatus(v: StatusOrError | undefined): v is RequestStatus {
  return v !== undefined && 'status' in v;
}

/** POST /v1/requests/{id}/presentation, 200 */
export interface Accepted {
  verified: true;
  requestId: string;
  policy: string;
  pseudonym: string;
  disclosed: Record<string, string | number>;
  verifiedAt: string;
}

/** GET /v1/sessions */
export interface Session {
  requestId: string;
  policy: string;
  pseudonym: string;
  disclosed: Record<string, string | number>;
  verifiedAt: string;
}

export const getInfo = () => api<ServiceInfo>('GET', '/v1/info');
export const createRequest = (policy: string) => api<ProofRequest>('POST', '/v1/requests', { policy });
export const getRequestStatus = (id: string) => api<RequestStatus>('GET', `/v1/requests/${encodeURIComponent(id)}`);
export const submitPresentation = (id: string, p: Presentation) =>
  api<Accepted>('POST', `/v1/requests/${encodeURIComponent(id)}/presentation`, p);
export const listSessions = (limit = 50) => api<{ sessions: Session[] }>('GET', `/v1/sessions?limit=${limit}`);
