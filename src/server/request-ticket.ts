/**
 * Request tickets: the proof request, sealed by the service that made it, handed to the wallet in
 * the holder view and sent back with the presentation, so that an instance can verify without
 * reading the request from the store first (one database round trip fewer a presentation; with
 * several instances on one PostgreSQL, the lookup was a third of a presentation's store time).
 *
 * - Format: `t1.<payload>.<mac>`, both base64url; the payload is the JSON of `{ id, request,
 *   redirectUri? }`, exactly what the holder view already shows (no relying-party id, nothing about
 *   the holder); the MAC is HMAC-SHA256 under a key every instance of one database shares (the
 *   store's secret `request-ticket`, made at first use), over a domain tag and the payload.
 * - A ticket only stands in for the lookup of the request's immutable part. Whether the request is
 *   still pending is decided where it always was: the atomic consumption of its challenge. A
 *   presentation whose verification fails is checked against the store before its answer, so it
 *   gets the code it would get without a ticket (REQUEST_ALREADY_USED before PROOF_INVALID).
 * - Nothing here is secret from the holder: the MAC stops a holder or anyone else from changing the
 *   request (its challenge, scope, expiry, roots) that the presentation is checked against.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ProofRequest } from '../request.ts';

const VERSION = 't1';
const DOMAIN = 'zkid/request-ticket/v1\n';
/** The store secret (`Store.issuerSecret`) that keys the tickets of one database. */
export const TICKET_SECRET = 'request-ticket';
/** The longest ticket accepted (a request is about 1.5 KB of JSON: room for long policies and roots). */
export const MAX_TICKET_LENGTH = 16_384;

/** What a ticket carries: the request's immutable part that verification needs. */
export interface TicketContent {
  request: ProofRequest;
  redirectUri?: string;
}

const mac = (key: Buffer, payload: string): Buffer => createHmac('sha256', key).update(DOMAIN).update(payload).digest();

/** Seal a stored request's immutable part for the holder view. */
export function sealTicket(key: Buffer, c: TicketContent): string {
  const body: { id: string; request: ProofRequest; redirectUri?: string } = { id: c.request.id, request: c.request };
  if (c.redirectUri !== undefined) body.redirectUri = c.redirectUri;
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${VERSION}.${payload}.${mac(key, payload).toString('base64url')}`;
}

const SHAPE = /^t1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

/**
 * The content of a ticket this service sealed for request `id`.
 * @returns undefined when the ticket is malformed, sealed under another key, altered, or for another request
 */
export function openTicket(key: Buffer, ticket: string, id: string): TicketContent | undefined {
  if (ticket.length > MAX_TICKET_LENGTH) return undefined;
  const m = SHAPE.exec(ticket);
  if (!m) return undefined;
  const [, payload = '', tag = ''] = m;
  // Compared as text: base64url's last character has spare bits, so two spellings decode alike.
  const given = Buffer.from(tag);
  const expected = Buffer.from(mac(key, payload).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let body: { id?: unknown; request?: { id?: unknown; expiresAt?: unknown }; redirectUri?: unknown };
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  // Sealed by this service, so well formed; the ids still say which request it is.
  if (body.id !== id || body.request?.id !== id || typeof body.request.expiresAt !== 'string') return undefined;
  const content: TicketContent = { request: body.request as ProofRequest };
  if (typeof body.redirectUri === 'string') content.redirectUri = body.redirectUri;
  return content;
}
