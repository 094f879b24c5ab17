/**
 * The service demo page (`/service.html`, bundled as assets/service.js): plays the relying party.
 * It creates proof requests for the configured policies, shows them (with a copyable id and a
 * link that opens the wallet on them) and lists the verified sessions with their pseudonyms.
 * Requests it creates are also listed in the wallet of this browser (shared-requests.ts).
 */
import {
  createRequest,
  getInfo,
  getRequestStatus,
  isStatus,
  listSessions,
  type ServiceInfo,
  type Session,
  type StatusOrError,
} from './api.ts';
import { action, byId, copyText, describeError, describePolicy, h, showError, timeLeft } from './dom.ts';
import { shortDecimal } from './format.ts';
import { knownRequests, onRequestsChanged, rememberRequest } from './shared-requests.ts';

const POLL_MS = 3_000;

const el = {
  error: byId('error'),
  serviceId: byId('service-id'),
  scope: byId('scope'),
  policies: byId('policies'),
  requests: byId('requests'),
  sessions: byId('sessions'),
  refreshSessions: byId<HTMLButtonElement>('refresh-sessions'),
};

const statuses = new Map<string, StatusOrError>();

function renderPolicies(info: ServiceInfo): void {
  el.serviceId.textContent = info.serviceId;
  el.scope.textContent = shortDecimal(info.scope);
  el.scope.title = info.scope;
  if (!info.roles.verifier) {
    el.policies.replaceChildren(h('p', { class: 'hint' }, 'This instance has no verifier role: it cannot create requests.'));
    return;
  }
  const items = info.policies.map((p) => {
    const b = h('button', { type: 'button', 'data-policy': p.name }, `Create request: ${p.name}`);
    b.addEventListener('click', () =>
      action(b, el.error, `Creating a ${p.name} request`, async () => {
        const request = await createRequest(p.name);
        rememberRequest({ id: request.id, policy: p.name, expiresAt: request.expiresAt });
        statuses.set(request.id, {
          id: request.id,
          policy: p.name,
          status: 'pending',
          createdAt: new Date().toISOString(),
          expiresAt: request.expiresAt,
        });
        renderRequests();
      }),
    );
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
          `Proves: ${describePolicy(p)}.${p.unique ? ' One account per person (the pseudonym may answer once).' : ''}`,
        ),
      ),
    );
  });
  el.policies.replaceChildren(h('ul', { class: 'policies' }, ...items));
}

function renderRequests(): void {
  const list = knownRequests();
  if (list.length === 0) {
    el.requests.replaceChildren(h('p', { class: 'hint' }, 'No requests yet: create one above.'));
    return;
  }
  const rows = list.map((r) => {
    const s = statuses.get(r.id);
    const idCode = h('code', { class: 'id' }, r.id);
    const copy = h('button', { type: 'button', class: 'link', 'aria-label': `Copy request id ${r.id}` }, 'copy');
    copy.addEventListener('click', async () => {
      const copied = await copyText(r.id, idCode);
      copy.textContent = copied ? 'copied' : 'press Ctrl+C';
      setTimeout(() => {
        copy.textContent = 'copy';
      }, 2_000);
    });
    let status: Node;
    if (!s) status = document.createTextNode('…');
    else if (!isStatus(s)) status = h('span', { class: 'bad' }, `${s.error.code}: ${s.error.message}`);
    else {
      const label =
        s.status === 'pending'
          ? `pending (${timeLeft(s.expiresAt)})`
          : s.status === 'verified' && s.result
            ? `verified: ${shortDecimal(s.result.pseudonym)}`
            : s.status;
      status = h(
        'span',
        { class: `status-${s.status}`, title: s.error ? `${s.error.code}: ${s.error.message}` : '' },
        label,
        s.error ? ` — ${s.error.code}` : '',
      );
    }
    const pending = isStatus(s) && s.status === 'pending';
    return h(
      'tr',
      { 'data-request-id': r.id },
      h('td', {}, r.policy),
      h('td', {}, idCode, ' ', copy),
      h('td', {}, status),
      h('td', {}, pending ? h('a', { href: `/?request=${encodeURIComponent(r.id)}` }, 'open in wallet') : ''),
    );
  });
  el.requests.replaceChildren(
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'Proof requests created here'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Policy'),
          h('th', { scope: 'col' }, 'Request id'),
          h('th', { scope: 'col' }, 'Status'),
          h('th', { scope: 'col' }, 'Wallet'),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}

async function refreshStatuses(): Promise<void> {
  const list = knownRequests().filter((r) => {
    const s = statuses.get(r.id);
    return !s || (isStatus(s) && s.status === 'pending');
  });
  await Promise.all(
    list.map(async (r) => {
      try {
        statuses.set(r.id, await getRequestStatus(r.id));
      } catch (e) {
        statuses.set(r.id, { error: describeError(e) });
      }
    }),
  );
  renderRequests();
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
      h('td', {}, new Date(s.verifiedAt).toLocaleString()),
      h('td', {}, s.policy),
      h('td', {}, h('code', { class: 'pseudonym', title: s.pseudonym }, shortDecimal(s.pseudonym))),
      h('td', {}, h('code', { class: 'id' }, s.requestId)),
      h(
        'td',
        {},
        Object.keys(s.disclosed).length
          ? Object.entries(s.disclosed)
              .map(([k, v]) => `${k} = ${v}`)
              .join(', ')
          : '—',
      ),
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
          h('th', { scope: 'col' }, 'Request'),
          h('th', { scope: 'col' }, 'Disclosed'),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}

async function refreshSessions(): Promise<void> {
  renderSessions((await listSessions(50)).sessions);
}

async function start(): Promise<void> {
  el.refreshSessions.addEventListener('click', () => action(el.refreshSessions, el.error, 'Loading sessions', refreshSessions));
  onRequestsChanged(() => void refreshStatuses());
  const info = await getInfo();
  renderPolicies(info);
  renderRequests();
  await Promise.all([refreshStatuses(), refreshSessions()]);
  document.body.dataset.ready = 'true';
  // Poll while the page is visible; a failed poll is shown (and the next success hides it only on user action).
  let failing = false;
  setInterval(async () => {
    if (document.visibilityState !== 'visible') return;
    try {
      await Promise.all([refreshStatuses(), refreshSessions()]);
      failing = false;
    } catch (e) {
      if (!failing) showError(el.error, 'Refreshing', e);
      failing = true;
    }
  }, POLL_MS);
}

start().catch((e) => showError(el.error, 'Starting the service page', e));
