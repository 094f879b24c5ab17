/**
 * The relying party's demo page (`/service.html` on the service origin, bundled as
 * assets/service.js). It plays the online service in the same-device redirect flow:
 *  1. create a request with the relying party's key and `redirectUri` = this page (with a random
 *     `state`), keep the request id and state in sessionStorage, send the browser to the wallet
 *     (`walletUrl`, another origin);
 *  2. come back with `?state=…&response_code=…`: check the state and that a request of this tab
 *     is waiting, redeem the code (`POST /v1/requests/<id>/result` with the key) exactly once and
 *     show the verified session.
 * The result lands only in the tab that asked: another page that learns the request id has
 * neither the key nor the response code.
 *
 * Demo only: the key below is the open demo relying party's, public by design. A real service
 * keeps its key on its own server and does steps 1 and 2 there.
 */
import { api, type CreatedRequest, type ServiceInfo, type Session } from './api.ts';
import { action, byId, copyable, describePolicy, h, showError } from './dom.ts';
import { attributeValue, displayDateTime, shortDecimal } from './format.ts';

/** The open demo relying party's API key (see the service's config: `relyingParties.demo`). */
export const DEMO_RP_KEY = 'zkid-demo-relying-party-key';
const PENDING_KEY = 'zkid.rp.pending';

interface PendingLogin {
  id: string;
  state: string;
  policy: string;
}

const el = {
  error: byId('error'),
  rpName: byId('rp-name'),
  serviceId: byId('service-id'),
  walletLink: byId<HTMLAnchorElement>('wallet-link'),
  policies: byId('policies'),
  result: byId('result'),
  resultBody: byId('result-body'),
  sessions: byId('sessions'),
  refreshSessions: byId<HTMLButtonElement>('refresh-sessions'),
};

const rp = <T>(method: 'GET' | 'POST', path: string, body?: unknown) => api<T>(method, path, body, { bearer: DEMO_RP_KEY });

function randomState(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function readPending(): PendingLogin | undefined {
  try {
    const v = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as PendingLogin | null;
    return v && typeof v.id === 'string' && typeof v.state === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Step 1: create the request and go to the wallet. */
async function signIn(policy: string): Promise<void> {
  const state = randomState();
  const redirectUri = new URL(location.pathname, location.origin);
  redirectUri.searchParams.set('state', state);
  const created = await rp<CreatedRequest>('POST', '/v1/requests', { policy, redirectUri: redirectUri.href });
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ id: created.request.id, state, policy } satisfies PendingLogin));
  location.assign(created.walletUrl);
}

function renderPolicies(info: ServiceInfo): void {
  el.serviceId.textContent = info.serviceId;
  if (info.walletBaseUrl) el.walletLink.href = info.walletBaseUrl;
  if (!info.roles.verifier) {
    el.policies.replaceChildren(h('p', { class: 'hint' }, 'This instance has no verifier role: it cannot create requests.'));
    return;
  }
  const items = info.policies.map((p) => {
    const b = h('button', { type: 'button', 'data-policy': p.name }, `Sign in: ${p.name}`);
    b.addEventListener('click', () => action(b, el.error, `Asking for ${p.name}`, () => signIn(p.name)));
    return h(
      'li',
      {},
      b,
      h(
        'p',
        { class: 'detail' },
        p.description ?? '',
        ' ',
        h(
          'span',
          { class: 'hint' },
          `Proves: ${describePolicy(p)}.${p.unique ? ' One account per person (the pseudonym may answer once).' : ''}${
            p.identifying ? ' Identifies the person: the wallet asks for explicit consent.' : ''
          }`,
        ),
      ),
    );
  });
  el.policies.replaceChildren(h('ul', { class: 'policies' }, ...items));
}

/** 'region = Beijing (110105)', 'idNumber = 110105…' or 'nothing' (values readable, names as the API gives them). */
function disclosedText(d: Record<string, string | number>): string {
  const e = Object.entries(d);
  return e.length ? e.map(([k, v]) => `${k} = ${attributeValue(k, v)}`).join(', ') : 'nothing';
}

/** Step 2: back from the wallet. */
async function redeem(params: URLSearchParams): Promise<void> {
  const pending = readPending();
  // Whatever happens, the code is used at most once and the URL forgets it.
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, '', location.pathname);
  el.result.hidden = false;
  if (params.get('error')) {
    el.resultBody.replaceChildren(
      h('p', { id: 'declined', class: 'bad' }, `The wallet answered: ${params.get('error')}. You are not signed in.`),
    );
    return;
  }
  const code = params.get('response_code') ?? '';
  if (!pending || params.get('state') !== pending.state) {
    throw new Error('this response does not belong to a sign-in started in this tab (state mismatch): start again');
  }
  const requestId = params.get('request_id');
  if (requestId !== null && requestId !== pending.id) throw new Error('this response is for another request: start again');
  const s = await rp<Session>('POST', `/v1/requests/${encodeURIComponent(pending.id)}/result`, { responseCode: code });
  el.resultBody.replaceChildren(
    h(
      'div',
      { class: 'verdict verified', 'data-verdict': 'verified', 'data-request-id': s.requestId },
      h('h3', {}, `✔ Verified: ${s.policy}`),
      h('p', {}, 'Your pseudonym at this service:'),
      copyable(s.pseudonym, { id: 'session-pseudonym', label: 'pseudonym' }),
      h('p', { id: 'session-disclosed' }, `Disclosed: ${disclosedText(s.disclosed)}.`),
    ),
  );
}

function renderSessions(sessions: Session[]): void {
  if (sessions.length === 0) {
    el.sessions.replaceChildren(h('p', { class: 'hint' }, 'No verified sessions yet.'));
    return;
  }
  const rows = sessions.map((s) =>
    h(
      'tr',
      { 'data-request-id': s.requestId },
      // data-label: on a phone each row is a small card and the cell says what it is (style.css).
      h('td', { 'data-label': 'Verified' }, displayDateTime(s.verifiedAt)),
      h('td', { 'data-label': 'Policy' }, s.policy),
      h('td', { 'data-label': 'Pseudonym' }, copyable(s.pseudonym, { short: shortDecimal(s.pseudonym), label: 'pseudonym' })),
      h('td', { 'data-label': 'Disclosed' }, disclosedText(s.disclosed)),
    ),
  );
  el.sessions.replaceChildren(
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'Verified sessions, newest first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Verified'),
          h('th', { scope: 'col' }, 'Policy'),
          h('th', { scope: 'col' }, 'Pseudonym'),
          h('th', { scope: 'col' }, 'Disclosed'),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}

async function refreshSessions(): Promise<void> {
  renderSessions((await rp<{ sessions: Session[] }>('GET', '/v1/sessions?limit=50')).sessions);
}

async function start(): Promise<void> {
  el.refreshSessions.addEventListener('click', () => action(el.refreshSessions, el.error, 'Loading sessions', refreshSessions));
  el.rpName.textContent = 'zkid demo service';
  const params = new URLSearchParams(location.search);
  const back = params.has('response_code') || params.has('error');
  const [info] = await Promise.all([
    api<ServiceInfo>('GET', '/v1/info'),
    back ? action(undefined, el.error, 'Completing the sign-in', () => redeem(params)) : Promise.resolve(),
  ]);
  renderPolicies(info);
  await action(undefined, el.error, 'Loading sessions', refreshSessions);
  document.body.dataset.ready = 'true';
}

start().catch((e) => showError(el.error, 'Starting the service page', e));
