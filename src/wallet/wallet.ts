/**
 * The browser wallet (page script of `/`, bundled as assets/wallet.js).
 *
 * The holder secret is created here and kept in IndexedDB; only Poseidon(secret) goes to the demo
 * issuer. Revocation data is fetched as the whole bucket (2^10 leaves, 258,048 serials) that holds
 * the credential's serial, never the serial's own path: the bucket index is computed here. Proofs
 * run in a Web Worker (assets/prover-worker.js) with the library's generateProof; the page shows
 * its progress, submits the presentation and shows the verdict and the service's pseudonym.
 */
import {
  type Bucket,
  bucketIndexOf,
  type Credential,
  createHolderSecret,
  formatDate,
  holderCommitment,
  type ProofRequest,
  parseProofRequest,
  witnessFromBucket,
} from '../index.browser.ts';
import {
  ApiError,
  api,
  createRequest,
  getInfo,
  getRequestStatus,
  type IssuedCredential,
  isStatus,
  type ServiceInfo,
  type StatusOrError,
  submitPresentation,
} from './api.ts';
import { dbClear, dbGet, dbPut } from './db.ts';
import { action, byId, clearError, describeError, describePolicy, h, showError, timeLeft } from './dom.ts';
import { documentTypeName, groupDigits, maskIdNumber, seconds, shortDecimal } from './format.ts';
import { proveInWorker } from './prover-client.ts';
import { forgetRequest, knownRequests, onRequestsChanged, rememberRequest } from './shared-requests.ts';

/** Serials per bitmap leaf of the revocation tree (DESIGN.md: leaf j holds serials 252j..252j+251). */
const SERIALS_PER_LEAF = 252;

interface Enrolment {
  credential: Credential;
  keyId: string;
  enrolledAt: string;
}

interface RevocationData {
  bucket: Bucket;
  fetchedAt: string;
  revoked: boolean;
}

const state: {
  secret?: string;
  enrolment?: Enrolment;
  revocation?: RevocationData;
  info?: ServiceInfo;
  selected?: string;
  statuses: Map<string, StatusOrError>;
  proofs: number;
} = { statuses: new Map(), proofs: 0 };

const el = {
  error: byId('error'),
  secretStatus: byId('secret-status'),
  credentialStatus: byId('credential-status'),
  revocationStatus: byId('revocation-status'),
  credential: byId('credential'),
  createSecret: byId<HTMLButtonElement>('create-secret'),
  enrol: byId<HTMLButtonElement>('enrol'),
  refresh: byId<HTMLButtonElement>('refresh-revocation'),
  forget: byId<HTMLButtonElement>('forget'),
  requestList: byId('request-list'),
  reloadRequests: byId<HTMLButtonElement>('reload-requests'),
  addRequest: byId<HTMLFormElement>('add-request'),
  requestId: byId<HTMLInputElement>('request-id'),
  demoRequests: byId('demo-requests'),
  prove: byId<HTMLButtonElement>('prove'),
  proveHint: byId('prove-hint'),
  progress: byId<HTMLProgressElement>('progress'),
  progressLabel: byId('progress-label'),
  verdict: byId('verdict'),
  serviceName: byId('service-name'),
};

// ---- holder status ----------------------------------------------------------------------------

function renderHolder(): void {
  const { secret, enrolment, revocation } = state;
  if (secret) {
    const commitment = holderCommitment(BigInt(secret)).toString();
    el.secretStatus.replaceChildren(
      h('span', { class: 'ok' }, 'created'),
      ' — kept in this browser only; the issuer sees its commitment ',
      h('code', { title: commitment }, shortDecimal(commitment)),
    );
  } else {
    el.secretStatus.replaceChildren(h('span', { class: 'missing' }, 'none yet'), ' — create one to start');
  }

  if (enrolment) {
    const a = enrolment.credential.attributes;
    el.credentialStatus.replaceChildren(
      h('span', { class: 'ok' }, 'enrolled'),
      ` with the demo issuer on ${new Date(enrolment.enrolledAt).toLocaleString()}`,
    );
    el.credential.replaceChildren(
      h(
        'dl',
        { class: 'pairs' },
        h('dt', {}, 'ID number'),
        h('dd', { id: 'id-number' }, h('code', { 'aria-label': 'ID number, masked' }, maskIdNumber(a.idNumber))),
        h('dt', {}, 'Document'),
        h('dd', {}, documentTypeName(a.documentType)),
        h('dt', {}, 'Born'),
        h('dd', {}, formatDate(a.birthDate)),
        h('dt', {}, 'Valid until'),
        h('dd', {}, formatDate(a.validUntil)),
        h('dt', {}, 'Region'),
        h('dd', {}, String(a.region)),
        h('dt', {}, 'Nationality'),
        h('dd', {}, String(a.nationality)),
      ),
    );
    el.credential.hidden = false;
  } else {
    el.credentialStatus.replaceChildren(
      h('span', { class: 'missing' }, 'not enrolled'),
      secret ? ' — enrol with the demo issuer' : ' — create a secret first',
    );
    el.credential.hidden = true;
  }

  if (revocation) {
    const b = revocation.bucket;
    const anonymity = 2 ** b.bucketBits * SERIALS_PER_LEAF;
    el.revocationStatus.replaceChildren(
      revocation.revoked ? h('span', { class: 'bad' }, 'REVOKED') : h('span', { class: 'ok' }, 'not revoked'),
      ` — bucket `,
      h('strong', { id: 'bucket-index' }, String(b.bucketIndex)),
      ' (',
      h('span', { id: 'anonymity-set' }, `${groupDigits(anonymity)} serials`),
      ` share it, so the registry cannot tell which one is yours), root revision ${b.revision}, fetched ${new Date(revocation.fetchedAt).toLocaleTimeString()}`,
    );
  } else {
    el.revocationStatus.replaceChildren(h('span', { class: 'missing' }, 'not downloaded'), enrolment ? ' — refresh it before proving' : '');
  }

  el.createSecret.disabled = secret !== undefined;
  el.enrol.disabled = !secret || enrolment !== undefined || state.info?.demo === false;
  el.enrol.title = state.info?.demo === false ? 'this service offers no demo enrolment' : '';
  el.refresh.disabled = !enrolment;
  el.forget.disabled = !secret;
  renderProveButton();
}

async function createSecret(): Promise<void> {
  if (state.secret) throw new Error('this wallet already has a secret: forget the wallet first');
  const secret = createHolderSecret().toString();
  await dbPut('holderSecret', secret);
  state.secret = secret;
  renderHolder();
}

async function enrol(): Promise<void> {
  if (!state.secret) throw new Error('create a holder secret first');
  const commitment = holderCommitment(BigInt(state.secret)).toString();
  // Only the commitment leaves the browser.
  const issued = await api<IssuedCredential>('POST', '/v1/demo/enrol', { holderCommitment: commitment });
  if (issued.credential?.holderCommitment !== commitment) {
    throw new ApiError('BAD_RESPONSE', 'the issuer returned a credential for another holder commitment', 201);
  }
  const enrolment: Enrolment = { credential: issued.credential, keyId: issued.keyId, enrolledAt: new Date().toISOString() };
  await dbPut('enrolment', enrolment);
  state.enrolment = enrolment;
  state.revocation = undefined;
  await dbPut('revocation', undefined);
  renderHolder();
}

/** Download the bucket holding our serial (computed locally) and check it yields our path. */
async function refreshRevocation(): Promise<RevocationData> {
  const enrolment = state.enrolment;
  if (!enrolment) throw new Error('enrol first');
  const serial = BigInt(enrolment.credential.serial);
  const index = bucketIndexOf(serial);
  const bucket = await api<Bucket>('GET', `/v1/registry/buckets/${index}`);
  // Throws INVALID_REVOCATION_DATA when the bucket is inconsistent or does not cover the serial.
  const witness = witnessFromBucket(bucket, serial);
  const data: RevocationData = {
    bucket,
    fetchedAt: new Date().toISOString(),
    revoked: ((witness.leaf >> BigInt(witness.bit)) & 1n) === 1n,
  };
  await dbPut('revocation', data);
  state.revocation = data;
  renderHolder();
  return data;
}

async function forget(): Promise<void> {
  if (!window.confirm('Delete the holder secret and the credential from this browser? This cannot be undone.')) return;
  await dbClear();
  state.secret = undefined;
  state.enrolment = undefined;
  state.revocation = undefined;
  el.verdict.replaceChildren();
  renderHolder();
}

// ---- requests ---------------------------------------------------------------------------------

async function loadRequests(): Promise<void> {
  const list = knownRequests();
  const results = await Promise.all(
    list.map(async (r): Promise<[string, StatusOrError]> => {
      try {
        return [r.id, await getRequestStatus(r.id)];
      } catch (e) {
        return [r.id, { error: describeError(e) }];
      }
    }),
  );
  state.statuses = new Map(results);
  if (state.selected && !isPending(state.selected)) state.selected = undefined;
  state.selected ??= list.find((r) => isPending(r.id))?.id;
  renderRequests();
}

function isPending(id: string): boolean {
  const s = state.statuses.get(id);
  return isStatus(s) && s.status === 'pending' && Date.parse(s.expiresAt) > Date.now() && s.request !== undefined;
}

function renderRequests(): void {
  const list = knownRequests();
  if (list.length === 0) {
    el.requestList.replaceChildren(
      h('p', { class: 'hint' }, 'No requests yet. Create one on the service page, paste a request id, or ask the demo service below.'),
    );
    renderProveButton();
    return;
  }
  const items = list.map((r) => {
    const s = state.statuses.get(r.id);
    const pending = isPending(r.id);
    const inputId = `req-${r.id}`;
    let detail: Node | string;
    if (!s) detail = 'loading…';
    else if (!isStatus(s)) detail = h('span', { class: 'bad' }, `${s.error.code}: ${s.error.message}`);
    else if (pending && s.request) {
      detail = h(
        'span',
        {},
        `${s.request.serviceId} asks: ${describePolicy(s.request.policy)} — `,
        h('span', { 'data-expires': s.expiresAt }, timeLeft(s.expiresAt)),
      );
    } else {
      const why = s.error ? ` (${s.error.code})` : '';
      detail = h('span', { class: `status-${s.status}` }, `${s.status}${why}`);
    }
    const radio = h('input', {
      type: 'radio',
      name: 'request',
      id: inputId,
      value: r.id,
      disabled: !pending,
      checked: state.selected === r.id && pending,
    });
    radio.addEventListener('change', () => {
      state.selected = r.id;
      renderProveButton();
    });
    const remove = h('button', { type: 'button', class: 'link', 'aria-label': `Remove request ${r.id} from this list` }, 'remove');
    remove.addEventListener('click', () => {
      forgetRequest(r.id);
      if (state.selected === r.id) state.selected = undefined;
      state.statuses.delete(r.id);
      renderRequests();
    });
    return h(
      'li',
      { class: pending ? 'request' : 'request done', 'data-request-id': r.id, 'data-status': isStatus(s) ? s.status : 'unknown' },
      radio,
      h(
        'label',
        { for: inputId },
        h('strong', {}, r.policy),
        ' ',
        h('code', { class: 'id' }, r.id),
        h('br'),
        h('span', { class: 'detail' }, detail),
      ),
      remove,
    );
  });
  el.requestList.replaceChildren(h('ul', { class: 'requests' }, ...items));
  renderProveButton();
}

function renderDemoRequests(): void {
  const info = state.info;
  if (!info?.roles.verifier) {
    el.demoRequests.replaceChildren(h('p', { class: 'hint' }, 'This instance has no verifier role.'));
    return;
  }
  el.serviceName.textContent = info.serviceId;
  const buttons = info.policies.map((p) => {
    const b = h(
      'button',
      { type: 'button', class: 'secondary', 'data-policy': p.name, title: p.description ?? describePolicy(p) },
      `Ask for “${p.name}”`,
    );
    b.addEventListener('click', () =>
      action(b, el.error, `Creating a ${p.name} request`, async () => {
        const request = await createRequest(p.name);
        rememberRequest({ id: request.id, policy: p.name, expiresAt: request.expiresAt });
        state.selected = request.id;
        await loadRequests();
      }),
    );
    return b;
  });
  el.demoRequests.replaceChildren(...buttons);
}

async function addRequestById(id: string): Promise<void> {
  const trimmed = id.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(trimmed))
    throw new ApiError('INVALID_REQUEST_ID', 'a request id is 1-64 characters of A-Z, a-z, 0-9, _ or -', 0);
  const s = await getRequestStatus(trimmed);
  rememberRequest({ id: s.id, policy: s.policy, expiresAt: s.expiresAt });
  state.selected = s.id;
  await loadRequests();
}

// ---- proving ----------------------------------------------------------------------------------

function renderProveButton(): void {
  const ready = state.secret !== undefined && state.enrolment !== undefined;
  const selected = state.selected !== undefined && isPending(state.selected);
  el.prove.disabled = !ready || !selected || el.prove.dataset.running === 'true';
  el.proveHint.textContent = !ready
    ? 'Create a secret and enrol first.'
    : !selected
      ? 'Choose a pending request above.'
      : `Answers request ${state.selected} of ${state.info?.serviceId ?? 'the service'}.`;
}

function setProgress(fraction: number, message: string): void {
  el.progress.value = fraction;
  el.progress.setAttribute('aria-valuetext', `${Math.round(fraction * 100)}%: ${message}`);
  el.progressLabel.textContent = `${Math.round(fraction * 100)}% — ${message}`;
}

function renderVerdict(node: HTMLElement): void {
  el.verdict.replaceChildren(node);
  el.verdict.hidden = false;
}

async function prove(): Promise<void> {
  const { secret, enrolment } = state;
  const id = state.selected;
  if (!secret || !enrolment || !id) throw new Error('create a secret, enrol and choose a request first');
  el.prove.dataset.running = 'true';
  renderProveButton();
  el.verdict.replaceChildren();
  el.progress.hidden = false;
  setProgress(0, 'fetching the request');
  const attempt = ++state.proofs;
  const clicked = performance.now();
  try {
    // Fetch the request from the service again: answer what it stored, not a cached copy.
    const status = await getRequestStatus(id);
    state.statuses.set(id, status);
    if (status.status !== 'pending' || !status.request) {
      throw new ApiError(
        status.status === 'expired' ? 'REQUEST_EXPIRED' : 'REQUEST_ALREADY_USED',
        `request ${id} is ${status.status}: ask for a new one`,
        0,
      );
    }
    const request: ProofRequest = parseProofRequest(status.request);
    let revocation = state.revocation;
    if (!revocation || !request.roots.includes(revocation.bucket.root)) {
      setProgress(0, 'refreshing revocation data (the service accepts a newer root)');
      revocation = await refreshRevocation();
    }

    const started = performance.now();
    // Time per step, logged to the console (the browser test prints it).
    const steps: [string, number][] = [['starting the worker', started]];
    const { presentation, ms: workerMs } = await proveInWorker({
      credential: enrolment.credential,
      holderSecret: secret,
      request,
      bucket: revocation.bucket,
      onProgress: (p) => {
        setProgress(p.fraction, p.message);
        steps.push([p.message, performance.now()]);
      },
    });
    const proofMs = performance.now() - started;
    console.info(
      `proof ${attempt} in ${Math.round(proofMs)} ms (request and revocation data ready after ${Math.round(started - clicked)} ms): ${steps
        .slice(0, -1)
        .map(([m, t], i) => `${m} ${Math.round((steps[i + 1]?.[1] ?? t) - t)} ms`)
        .join(', ')}`,
    );
    setProgress(1, `proof ready in ${seconds(proofMs)}; submitting`);

    const submitStarted = performance.now();
    let node: HTMLElement;
    try {
      const ok = await submitPresentation(id, presentation);
      const submitMs = performance.now() - submitStarted;
      node = h(
        'div',
        {
          class: 'verdict verified',
          'data-verdict': 'verified',
          'data-proof-ms': String(Math.round(proofMs)),
          'data-attempt': String(attempt),
        },
        h('h3', {}, '✔ Verified'),
        h('p', {}, `${request.serviceId} accepted your proof for “${ok.policy}”: ${describePolicy(request.policy)}.`),
        h('p', {}, `Your pseudonym at ${request.serviceId} (the same every time you prove to this service, unlinkable elsewhere):`),
        h('code', { id: 'pseudonym', class: 'pseudonym' }, ok.pseudonym),
        Object.keys(ok.disclosed).length > 0
          ? h(
              'p',
              {},
              `Disclosed: ${Object.entries(ok.disclosed)
                .map(([k, v]) => `${k} = ${v}`)
                .join(', ')}`,
            )
          : h('p', {}, 'Nothing else about you was disclosed.'),
        h(
          'p',
          { class: 'timing' },
          `Proof generated in ${seconds(proofMs)} (worker ${seconds(workerMs)}), verified in ${Math.round(submitMs)} ms.`,
        ),
      );
    } catch (e) {
      const { code, message } = describeError(e);
      node = h(
        'div',
        {
          class: 'verdict rejected',
          'data-verdict': 'rejected',
          'data-code': code,
          'data-proof-ms': String(Math.round(proofMs)),
          'data-attempt': String(attempt),
        },
        h('h3', {}, '✖ Rejected'),
        h('p', {}, h('code', { class: 'code' }, code), ' ', message),
      );
    }
    setProgress(1, node.dataset.verdict === 'verified' ? 'verified by the service' : 'the service rejected the proof');
    renderVerdict(node);
  } catch (e) {
    // The proof could not be made (or the request fetched): say why, with the stable code.
    const { code, message } = describeError(e);
    setProgress(0, 'stopped');
    renderVerdict(
      h(
        'div',
        { class: 'verdict rejected', 'data-verdict': 'not-proven', 'data-code': code, 'data-attempt': String(attempt) },
        h('h3', {}, '✖ Could not prove'),
        h('p', {}, h('code', { class: 'code' }, code), ' ', message),
      ),
    );
    console.error(`proof failed: ${code}: ${message}`);
  } finally {
    delete el.prove.dataset.running;
    await loadRequests().catch((e) => showError(el.error, 'Reloading requests', e));
  }
}

// ---- start ------------------------------------------------------------------------------------

async function start(): Promise<void> {
  el.createSecret.addEventListener('click', () =>
    action(el.createSecret, el.error, 'Creating the holder secret', createSecret, renderHolder),
  );
  el.enrol.addEventListener('click', () => action(el.enrol, el.error, 'Enrolling', enrol, renderHolder));
  el.refresh.addEventListener('click', () =>
    action(
      el.refresh,
      el.error,
      'Refreshing revocation data',
      async () => {
        await refreshRevocation();
      },
      renderHolder,
    ),
  );
  el.forget.addEventListener('click', () => action(el.forget, el.error, 'Forgetting the wallet', forget, renderHolder));
  el.prove.addEventListener('click', () => action(undefined, el.error, 'Proving', prove, renderProveButton));
  el.reloadRequests.addEventListener('click', () => action(el.reloadRequests, el.error, 'Loading requests', loadRequests));
  el.addRequest.addEventListener('submit', (e) => {
    e.preventDefault();
    const button = el.addRequest.querySelector('button') ?? undefined;
    void action(button, el.error, 'Adding the request', async () => {
      await addRequestById(el.requestId.value);
      el.requestId.value = '';
    });
  });
  onRequestsChanged(() => void loadRequests().catch((e) => showError(el.error, 'Loading requests', e)));
  // Count down without re-rendering the list (which would move the keyboard focus).
  setInterval(() => {
    for (const span of el.requestList.querySelectorAll<HTMLElement>('[data-expires]'))
      span.textContent = timeLeft(span.dataset.expires ?? '');
  }, 1_000);

  clearError(el.error);
  const [secret, enrolment, revocation] = await Promise.all([
    dbGet<string>('holderSecret'),
    dbGet<Enrolment>('enrolment'),
    dbGet<RevocationData>('revocation'),
  ]);
  if (secret) state.secret = secret;
  if (enrolment) state.enrolment = enrolment;
  if (revocation) state.revocation = revocation;
  renderHolder();

  const fromUrl = new URLSearchParams(location.search).get('request');
  const [infoResult] = await Promise.allSettled([getInfo()]);
  if (infoResult.status === 'fulfilled') {
    state.info = infoResult.value;
    renderDemoRequests();
    renderHolder();
  } else {
    showError(el.error, 'Reading the service information', infoResult.reason);
  }
  if (fromUrl) await action(undefined, el.error, 'Adding the request from the link', () => addRequestById(fromUrl));
  else await action(undefined, el.error, 'Loading requests', loadRequests);
  document.body.dataset.ready = 'true';
}

start().catch((e) => showError(el.error, 'Starting the wallet', e));
