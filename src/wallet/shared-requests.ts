/**
 * Proof requests the service page (or the wallet itself) created in this browser, shared between
 * the two pages through localStorage (same origin). Only ids and labels are kept: the wallet
 * fetches each request from the service before answering it. A request can also reach the wallet
 * by id (pasted, or `/?request=<id>`).
 */
const KEY = 'zkid.requests';
const MAX = 20;

export interface KnownRequest {
  id: string;
  policy: string;
  expiresAt: string;
}

export function knownRequests(): KnownRequest[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    if (!Array.isArray(v)) return [];
    return v.filter(
      (r): r is KnownRequest =>
        typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.policy === 'string' && typeof r.expiresAt === 'string',
    );
  } catch {
    return [];
  }
}

/** Remember a request (newest first; the oldest beyond 20 are forgotten). */
export function rememberRequest(r: KnownRequest): void {
  const list = [r, ...knownRequests().filter((x) => x.id !== r.id)].slice(0, MAX);
  localStorage.setItem(KEY, JSON.stringify(list));
}

export function forgetRequest(id: string): void {
  localStorage.setItem(KEY, JSON.stringify(knownRequests().filter((x) => x.id !== id)));
}

/** Call `f` when another page of this origin changes the list. */
export function onRequestsChanged(f: () => void): void {
  window.addEventListener('storage', (e) => {
    if (e.key === KEY || e.key === null) f();
  });
}
