/**
 * The holder's rule for whose scope a request may use, after WebAuthn's relying-party id rule.
 *
 * A request names its service (`serviceId`), and the pseudonym is Poseidon(holderSecret,
 * scope(serviceId)). If a verifier could name any service it liked, it could ask for the
 * pseudonym another service sees and link the two. So the holder accepts a request only when its
 * serviceId matches the origin that delivered it: the origin's host is the serviceId itself or a
 * subdomain of it, and the serviceId is a registrable domain or below it, never a public suffix
 * (`github.io`, `co.uk`, `com`: otherwise every site under that suffix would share one scope).
 * `localhost` and IP addresses match only exactly. The Public Suffix List comes from `tldts`.
 *
 * @example checkServiceOrigin('shop.example', 'https://www.shop.example') // ok
 * @example checkServiceOrigin('bank.example', 'https://shop.example')     // throws SERVICE_MISMATCH
 */
import { parse } from 'tldts';
import { ZkidError } from '../errors.ts';

const IPV6 = /^[0-9a-f:.]*:[0-9a-f:.]*$/;
const HOST = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The host of an origin or URL (lower case, no port), or undefined when it has none. */
function hostOf(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    return u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Does `host` (a bare host name, no port) belong to the service `serviceId`?
 * True when host === serviceId, or host is a subdomain of serviceId and serviceId is not a public
 * suffix. IP addresses and single-label names (localhost) match only exactly.
 */
export function serviceIdMatchesHost(serviceId: string, host: string): boolean {
  if (typeof serviceId !== 'string' || typeof host !== 'string') return false;
  const id = serviceId.toLowerCase();
  const h = host.toLowerCase();
  if (!HOST.test(id) && !IPV6.test(id)) return false;
  if (id === h) return true;
  if (!h.endsWith(`.${id}`) || /^[0-9.]+$/.test(h) || IPV6.test(h)) return false;
  const parsed = parse(id, { allowPrivateDomains: true });
  if (parsed.isIp || parsed.domain === null) return false;
  // serviceId is a registrable domain (example.com) or below it (login.example.com).
  return id === parsed.domain || id.endsWith(`.${parsed.domain}`);
}

/**
 * Refuse a request whose service id does not belong to the origin that delivered it.
 * @param serviceId the request's `serviceId`
 * @param origin the origin (or any URL) the request was fetched from, e.g. `https://shop.example`
 * @throws ZkidError SERVICE_MISMATCH naming both
 */
export function checkServiceOrigin(serviceId: string, origin: string): void {
  const host = hostOf(origin);
  if (host === undefined) {
    throw new ZkidError(
      'SERVICE_MISMATCH',
      `cannot tell which service '${String(origin).slice(0, 200)}' is: not an http(s) origin`,
      'origin',
    );
  }
  if (!serviceIdMatchesHost(serviceId, host)) {
    throw new ZkidError(
      'SERVICE_MISMATCH',
      `the request names service '${String(serviceId).slice(0, 200)}' but came from ${host}: a service may only ask for its own pseudonym`,
      'serviceId',
    );
  }
}
