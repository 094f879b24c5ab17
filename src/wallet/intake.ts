/**
 * How a request reaches the wallet, and the checks it passes before the holder is even asked
 * (DOM-free, unit-tested in Node).
 *
 * A service sends the browser to `<wallet>/?request_uri=<holder view URL>`. The wallet fetches
 * that URL itself and accepts the request only when its `serviceId` belongs to the origin that
 * delivered it (checkServiceOrigin: the WebAuthn relying-party rule), and the URL the browser goes
 * back to (`redirectUri`, and later the service's `redirectTo`) is an http(s) URL of that same
 * service. So a verifier cannot ask for the pseudonym another service sees, nor send the
 * holder's response code somewhere else.
 */
import { checkServiceOrigin, type ProofRequest, parseProofRequest, ZkidError } from '../index.browser.ts';
import type { HolderView } from './api.ts';

/**
 * The request_uri of the wallet's URL, or undefined when there is none.
 * @throws ZkidError INVALID_REQUEST when it is not an absolute http(s) URL
 */
export function requestUriFrom(search: string): string | undefined {
  const raw = new URLSearchParams(search).get('request_uri');
  if (raw === null) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ZkidError('INVALID_REQUEST', 'request_uri is not an absolute URL', 'request_uri');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new ZkidError('INVALID_REQUEST', `request_uri must be an http(s) URL, not ${u.protocol}`, 'request_uri');
  }
  if (u.username || u.password) throw new ZkidError('INVALID_REQUEST', 'request_uri must not carry credentials', 'request_uri');
  return u.href;
}

export interface AcceptedRequest {
  request: ProofRequest;
  /** the origin that delivered the request: the service the holder is shown */
  serviceOrigin: string;
  relyingPartyName: string;
  redirectUri?: string;
  gracePeriodSeconds: number;
  /** where the presentation goes: <request_uri>/../presentation */
  presentationUrl: string;
  /** the holder view's ticket, sent back with the presentation to the same URL, unchanged (opaque to the wallet) */
  ticket?: string;
}

/**
 * Check a holder view fetched from `requestUri` and return what the wallet needs to ask the holder.
 * Relative artifact URLs are resolved against the request_uri (the service's origin), never the
 * wallet's; their sha256 is a hint only (the prover checks its own pins).
 * @throws ZkidError SERVICE_MISMATCH when the request's serviceId or its redirectUri does not belong
 *   to the origin that delivered it; INVALID_REQUEST for a request that is not pending or malformed
 */
export function acceptRequest(view: HolderView, requestUri: string): AcceptedRequest {
  if (typeof view !== 'object' || view === null) throw new ZkidError('INVALID_REQUEST', 'the service sent no request', 'request');
  if (view.status !== 'pending' || view.request === undefined) {
    throw new ZkidError('INVALID_REQUEST', `this request is ${String(view.status)}: go back to the service and start again`, 'status');
  }
  const request = parseProofRequest(view.request);
  const serviceOrigin = new URL(requestUri).origin;
  // The scope comes from who is asking: the request's service id must be the delivering origin's
  // host or a registrable-domain suffix of it (localhost and IPs: exactly).
  checkServiceOrigin(request.serviceId, serviceOrigin);
  let redirectUri: string | undefined;
  if (view.redirectUri !== undefined) {
    // The response code goes back through this URL: it must be the same service's, over http(s)
    // (never javascript: or data:).
    checkServiceOrigin(request.serviceId, view.redirectUri);
    redirectUri = new URL(view.redirectUri).href;
  }
  if (request.artifacts) {
    for (const k of ['wasm', 'zkey'] as const) {
      const a = request.artifacts[k];
      request.artifacts[k] = { ...a, url: new URL(a.url, requestUri).href };
    }
  }
  const name =
    typeof view.relyingParty?.name === 'string' && view.relyingParty.name.trim() ? view.relyingParty.name.trim() : request.serviceId;
  return {
    request,
    serviceOrigin,
    relyingPartyName: name.slice(0, 100),
    ...(redirectUri ? { redirectUri } : {}),
    gracePeriodSeconds: Number.isInteger(view.gracePeriodSeconds) && view.gracePeriodSeconds > 0 ? view.gracePeriodSeconds : 0,
    presentationUrl: new URL('presentation', requestUri).href,
    // Only ever sent back to the service that issued it, with the presentation it would get anyway
    // (16 KiB: the service's MAX_TICKET_LENGTH, which the browser bundle cannot import).
    ...(typeof view.ticket === 'string' && view.ticket.length <= 16_384 ? { ticket: view.ticket } : {}),
  };
}

/**
 * Where to send the browser after the service accepted the presentation: the service's
 * `redirectTo`, only when it is the redirectUri the holder saw (same origin and path) with a
 * response code added.
 * @throws ZkidError SERVICE_MISMATCH otherwise
 */
export function checkRedirectTo(redirectTo: string, redirectUri: string): string {
  let to: URL;
  try {
    to = new URL(redirectTo);
  } catch {
    throw new ZkidError('SERVICE_MISMATCH', 'the service sent the browser to an invalid URL', 'redirectTo');
  }
  const expected = new URL(redirectUri);
  if (to.origin !== expected.origin || to.pathname !== expected.pathname || !to.searchParams.get('response_code')) {
    throw new ZkidError(
      'SERVICE_MISMATCH',
      `the service sent the browser to ${to.origin}${to.pathname}, not to the page it named (${expected.origin}${expected.pathname})`,
      'redirectTo',
    );
  }
  return to.href;
}
