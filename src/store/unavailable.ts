/**
 * Whether an error from a store means the database cannot be reached for now (a refused or
 * dropped connection, a server shutting down or starting up, a lock held too long), rather than
 * a fault in the request or in the code. The service answers those with 503 STORE_UNAVAILABLE and
 * Retry-After, so clients and load balancers try again, instead of a 500.
 *
 * Recognised: Node's socket errors (the `pg` driver passes them on), PostgreSQL's SQLSTATEs of
 * class 08 (connection exception), 57P01-57P03 (shutdown, crash shutdown, cannot connect now) and
 * 53300 (too many connections), `pg`'s own messages for a connection that ended or could not be
 * had from the pool in time, and SQLite's SQLITE_BUSY (another process held the lock past the
 * busy timeout).
 */

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** pg's Client and pg-pool, which give these errors no code */
const PG_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /^Client has encountered a connection error/];

export function storeUnavailable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || code === 'SQLITE_BUSY') return true;
  }
  // An AggregateError (a host name with several addresses, each refused) carries its causes.
  const nested = (e as { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.length > 0 && nested.every(storeUnavailable)) return true;
  return typeof message === 'string' && PG_MESSAGES.some((m) => m.test(message));
}
