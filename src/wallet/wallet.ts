/**
 * The browser wallet (page script of the wallet origin's `/`, bundled as assets/wallet.js).
 *
 * The wallet has an origin of its own (src/server/wallet-app.ts): the holder secret in its
 * IndexedDB is out of reach of every service's and issuer's page. Services send the browser here
 * with `?request_uri=<holder view of a request>`; the wallet fetches the request itself, accepts
 * it only when its service id belongs to the origin that delivered it (intake.ts), names the
 * service, says what will be proven and disclosed, and proves only when the holder agrees (twice
 * for a policy that identifies them). After the service accepted the proof, the browser goes back
 * to the service's page with a one-time response code.
 *
 * Revocation data comes from the holder's registry (the wallet's configured service) when the
 * wallet opens and every 30 minutes or so while it is open, never because a proof is about to be
 * made (revocation.ts). The secret can be backed up as a file or a phrase (recovery.ts).
 */
import { type Credential, createHolderSecret, holderCommitment, isIdentifyingPolicy, parseHolderSecret } from '../index.browser.ts';
import { type Accepted, ApiError, api, type HolderView, type IssuedCredential, type ServiceInfo } from './api.ts';
import { dbClear, dbGet, dbPut } from './db.ts';
import { action, byId, clearError, copyable, describeDisclosure, describeError, describePolicy, h, showError, timeLeft } from './dom.ts';
import {
  countryName,
  displayDate,
  displayDateTime,
  documentTypeName,
  freshnessText,
  groupDigits,
  maskIdNumber,
  minutesText,
  regionLabel,
  seconds,
  shortDecimal,
} from './format.ts';
import { type AcceptedRequest, acceptRequest, checkRedirectTo, requestUriFrom } from './intake.ts';
import { blendStepTimes, DEFAULT_STEP_MS, ProofProgressEstimate, parseStepTimes, type StepTimes } from './progress.ts';
import { prepareInWorker, proveInWorker, resetProver } from './prover-client.ts';
import { checkSecretFitsCredential, createBackup, parseBackup, recoveryPhrase, secretFromPhrase } from './recovery.ts';
import { duration, fetchRevocation, nextRefreshDelay, type RevocationData } from './revocation.ts';

interface Enrolment {
  credential: Credential;
  keyId: string;
  enrolledAt: string;
}

interface WalletConfig {
  /** the holder's issuer and registry (the demo service) */
  serviceBaseUrl: string;
}

const state: {
  config?: WalletConfig;
  secret?: string;
  enrolment?: Enrolment;
  revocation?: RevocationData;
  /** the request being answered, after the origin checks */
  pending?: AcceptedRequest;
  /** the holder ticked "this service will learn who I am" */
  identifyingConsent: boolean;
  proving: boolean;
  answered: boolean;
  nextRefreshAt?: number;
  /** the holder's service's grace period for revocation roots (GET /v1/info) */
  gracePeriodSeconds?: number;
  refreshTimer?: ReturnType<typeof setTimeout>;
  /** what each proof step took on this device lately (progress.ts), for the time left */
  stepTimes: StepTimes;
} = { identifyingConsent: false, proving: false, answered: false, stepTimes: { ...DEFAULT_STEP_MS } };

const el = {
  error: byId('error'),
  walletOrigin: byId('wallet-origin'),
  requestCard: byId('request'),
  requestBody: byId('request-body'),
  noRequest: byId('no-request'),
  secretStatus: byId('secret-status'),
  credentialStatus: byId('credential-status'),
  revocationStatus: byId('revocation-status'),
  credential: byId('credential'),
  createSecret: byId<HTMLButtonElement>('create-secret'),
  enrol: byId<HTMLButtonElement>('enrol'),
  refresh: byId<HTMLButtonElement>('refresh-revocation'),
  forget: byId<HTMLButtonElement>('forget'),
  progress: byId<HTMLProgressElement>('progress'),
  progressLabel: byId('progress-label'),
  verdict: byId('verdict'),
  downloadBackup: byId<HTMLButtonElement>('download-backup'),
  showPhrase: byId<HTMLButtonElement>('show-phrase'),
  phraseBox: byId('phrase-box'),
  phrase: byId('recovery-phrase'),
  restorePhraseForm: byId<HTMLFormElement>('restore-phrase-form'),
  restorePhrase: byId<HTMLInputElement>('restore-phrase'),
  restoreFile: byId<HTMLInputElement>('restore-file'),
  restoreStatus: byId('restore-status'),
};

const registry = (): string => {
  if (!state.config) throw new Error('the wallet has no configuration yet');
  return state.config.serviceBaseUrl;
};

// ---- holder status ----------------------------------------------------------------------------

function renderHolder(): void {
  const { secret, enrolment, revocation } = state;
  if (secret) {
    const commitment = holderCommitment(BigInt(secret)).toString();
    el.secretStatus.replaceChildren(
      h('span', { class: 'ok' }, 'created'),
      ' — kept in this browser only (back it up below); the issuer sees its commitment ',
      copyable(commitment, { short: shortDecimal(commitment), label: 'holder commitment' }),
    );
  } else {
    el.secretStatus.replaceChildren(h('span', { class: 'missing' }, 'none yet'), ' — create one, or restore a backup');
  }

  if (enrolment) {
    const a = enrolment.credential.attributes;
    el.credentialStatus.replaceChildren(
      h('span', { class: 'ok' }, 'enrolled'),
      ` with the demo issuer on ${displayDateTime(enrolment.enrolledAt)}`,
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
        h('dd', { id: 'birth-date' }, displayDate(a.birthDate)),
        h('dt', {}, 'Valid until'),
        h('dd', { id: 'valid-until' }, displayDate(a.validUntil)),
        h('dt', {}, 'Region'),
        h('dd', { id: 'region', 'data-code': String(a.region) }, regionLabel(a.region)),
        h('dt', {}, 'Nationality'),
        h('dd', { id: 'nationality', 'data-code': String(a.nationality) }, countryName(a.nationality)),
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
    const where =
      revocation.kind === 'snapshot'
        ? 'the whole registry (a full snapshot: the download names no credential)'
        : `bucket ${(revocation.data as { bucketIndex: number }).bucketIndex}`;
    const set =
      revocation.issuedCount === undefined
        ? 'an unknown number of credentials (this registry does not count them)'
        : `${groupDigits(revocation.issuedCount)} issued credential${revocation.issuedCount === 1 ? '' : 's'}`;
    const next = state.nextRefreshAt ? ` The wallet refreshes it in about ${refreshIn()}.` : '';
    const fresh = freshnessText(revocation.fetchedAt, state.gracePeriodSeconds);
    el.revocationStatus.replaceChildren(
      revocation.revoked ? h('span', { class: 'bad' }, 'REVOKED') : h('span', { class: 'ok' }, 'not revoked'),
      ' — ',
      h('span', { id: 'revocation-kind', 'data-kind': revocation.kind }, where),
      '. Anonymity set: ',
      h('strong', { id: 'anonymity-set', 'data-count': String(revocation.issuedCount ?? '') }, set),
      anonymityNote(revocation.issuedCount),
      ' ',
      h(
        'span',
        {
          id: 'revocation-age',
          'data-fetched-at': revocation.fetchedAt,
          'data-accepted-until': fresh.acceptedUntil ? new Date(fresh.acceptedUntil).toISOString() : undefined,
        },
        fresh.text,
      ),
      ' Root revision ',
      h('span', { id: 'revocation-revision' }, String(revocation.revision)),
      `, fetched ${displayDateTime(revocation.fetchedAt)}.`,
      next,
    );
  } else {
    el.revocationStatus.replaceChildren(
      h('span', { class: 'missing' }, 'not downloaded'),
      enrolment ? ' — it is fetched when the wallet opens and every 30 minutes or so' : '',
    );
  }

  el.createSecret.disabled = secret !== undefined;
  el.enrol.disabled = !secret || enrolment !== undefined;
  el.refresh.disabled = !enrolment;
  el.forget.disabled = !secret;
  el.downloadBackup.disabled = !secret;
  el.showPhrase.disabled = !secret;
  renderConsent();
}

/** '29 min' until the scheduled refresh. */
function refreshIn(): string {
  return minutesText(Math.max(60_000, (state.nextRefreshAt ?? Date.now()) - Date.now()));
}

/** What the anonymity set means, said plainly (it is 1 on a fresh demo: then the registry can tell). */
function anonymityNote(n: number | undefined): string {
  if (n === undefined) return '.';
  if (n <= 1) return ' in what was fetched: yours is the only one, so the registry can tell the download was yours.';
  return ` in what was fetched: the registry can narrow you down to one of these ${groupDigits(n)}, no further.`;
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
  const issued = await api<IssuedCredential>('POST', `${registry()}/v1/demo/enrol`, { holderCommitment: commitment });
  if (issued.credential?.holderCommitment !== commitment) {
    throw new ApiError('BAD_RESPONSE', 'the issuer returned a credential for another holder commitment', 201);
  }
  const enrolment: Enrolment = { credential: issued.credential, keyId: issued.keyId, enrolledAt: new Date().toISOString() };
  await dbPut('enrolment', enrolment);
  state.enrolment = enrolment;
  state.revocation = undefined;
  await dbPut('revocation', undefined);
  renderHolder();
  // The issuer has just seen this holder: fetching revocation data now tells the registry nothing new.
  await refreshRevocation();
}

/** Fetch revocation data and keep it (called on open, by the schedule, or by the holder's hand). */
async function refreshRevocation(): Promise<void> {
  const enrolment = state.enrolment;
  if (!enrolment) throw new Error('enrol first');
  const data = await fetchRevocation(registry(), enrolment.credential);
  await dbPut('revocation', data);
  state.revocation = data;
  scheduleRefresh();
  renderHolder();
}

/** The next scheduled refresh (30 min with jitter) while the wallet is open. */
function scheduleRefresh(): void {
  if (state.refreshTimer) clearTimeout(state.refreshTimer);
  if (!state.enrolment) return;
  const delay = nextRefreshDelay();
  state.nextRefreshAt = Date.now() + delay;
  state.refreshTimer = setTimeout(
    () => void refreshRevocation().catch((e) => showError(el.error, 'Scheduled refresh of revocation data', e)),
    delay,
  );
}

async function forget(): Promise<void> {
  if (!window.confirm('Delete the holder secret and the credential from this browser? This cannot be undone.')) return;
  await dbClear();
  // The proving worker keeps values derived from the credential and secret between proofs.
  await resetProver();
  state.secret = undefined;
  state.enrolment = undefined;
  state.revocation = undefined;
  if (state.refreshTimer) clearTimeout(state.refreshTimer);
  state.nextRefreshAt = undefined;
  el.phraseBox.hidden = true;
  el.phrase.textContent = '';
  renderHolder();
}

// ---- backup and restore ---------------------------------------------------------------------

async function downloadBackup(): Promise<void> {
  if (!state.secret) throw new Error('there is no secret to back up');
  const backup = createBackup(BigInt(state.secret), state.enrolment?.credential);
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(backup, null, 2)}\n`], { type: 'application/json' }));
  const a = h('a', { href: url, download: 'zkid-recovery.json', hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  el.restoreStatus.textContent = 'Recovery file saved: keep it offline.';
}

async function showPhrase(): Promise<void> {
  if (!state.secret) throw new Error('there is no secret to show');
  el.phrase.textContent = await recoveryPhrase(BigInt(state.secret));
  el.phraseBox.hidden = false;
}

/** Keep a restored secret (and credential), after checking it against what the wallet holds. */
async function restore(secret: bigint, credential: Credential | undefined, from: string): Promise<void> {
  parseHolderSecret(secret);
  if (state.secret !== undefined && state.secret !== secret.toString()) {
    throw new ApiError('WALLET_NOT_EMPTY', 'this wallet already has another secret: forget it first (back it up if you need it)', 0);
  }
  const stored = state.enrolment?.credential;
  if (stored) checkSecretFitsCredential(secret, stored);
  if (credential && stored && credential.serial !== stored.serial) {
    throw new ApiError('WALLET_NOT_EMPTY', 'this wallet already holds another credential: forget it first', 0);
  }
  await dbPut('holderSecret', secret.toString());
  state.secret = secret.toString();
  if (credential && !stored) {
    const enrolment: Enrolment = { credential, keyId: '', enrolledAt: new Date().toISOString() };
    await dbPut('enrolment', enrolment);
    state.enrolment = enrolment;
  }
  el.restoreStatus.replaceChildren(
    h('span', { class: 'ok', id: 'restored' }, 'Restored'),
    ` from the ${from}: your pseudonyms are the ones of the backed-up wallet.${state.enrolment ? '' : ' Enrol again to get a credential for it.'}`,
  );
  renderHolder();
  if (state.enrolment && !state.revocation) await refreshRevocation();
}

// ---- the request ----------------------------------------------------------------------------

/** The bar and its label, in the holder's words ('Building the proof — about 3 s left'). */
function setProgress(fraction: number, label: string): void {
  el.progress.value = fraction;
  el.progress.setAttribute('aria-valuetext', `${Math.round(fraction * 100)}%: ${label}`);
  el.progressLabel.textContent = label;
}

function renderVerdict(node: HTMLElement): void {
  el.verdict.replaceChildren(node);
  el.verdict.hidden = false;
}

/** The request was refused before the holder was asked: say why, with the stable code. */
function renderRefusal(e: unknown): void {
  const { code, message } = describeError(e);
  el.requestCard.hidden = false;
  el.requestBody.replaceChildren(
    h(
      'div',
      { class: 'verdict rejected', id: 'refusal', 'data-verdict': 'refused', 'data-code': code },
      h('h3', {}, '✖ This request was refused'),
      h('p', {}, h('code', { class: 'code' }, code), ' ', message),
      h('p', {}, 'No proof was made and nothing was sent to the service.'),
    ),
  );
  console.error(`request refused: ${code}: ${message}`);
}

/** Why the wallet cannot prove yet, or undefined when it can. */
function blocker(p: AcceptedRequest): { text: string; stale?: boolean } | undefined {
  if (!state.secret) return { text: 'Create a holder secret (or restore a backup) and enrol first.' };
  if (!state.enrolment) return { text: 'Enrol with the demo issuer first.' };
  const r = state.revocation;
  if (!r) return { text: 'Revocation data is being fetched…' };
  if (r.revoked) return { text: 'Your credential is revoked: it cannot be used.' };
  if (!p.request.roots.includes(r.root)) return { text: 'stale', stale: true };
  if (isIdentifyingPolicy(p.request.policy) && !state.identifyingConsent) {
    return { text: `Tick the box above to agree that ${p.relyingPartyName} learns who you are.` };
  }
  return undefined;
}

function renderConsent(): void {
  const p = state.pending;
  if (!p || state.answered) return;
  const { request } = p;
  const identifying = isIdentifyingPolicy(request.policy);
  const block = blocker(p);
  const disclose = request.policy.disclose;

  const children: (Node | string)[] = [
    h(
      'p',
      { class: 'service-line' },
      h('strong', { id: 'rp-name' }, p.relyingPartyName),
      ' at ',
      h('code', { id: 'rp-origin' }, p.serviceOrigin),
      ' asks you to prove:',
    ),
    h('p', { id: 'rp-statement', class: 'statement' }, describePolicy(request.policy)),
    h(
      'p',
      { id: 'rp-disclosure' },
      disclose.length > 0
        ? `It will see: your ${describeDisclosure(disclose)}, and your pseudonym.`
        : 'It learns nothing else about you, only your pseudonym.',
    ),
    h(
      'p',
      { class: 'hint' },
      'Your pseudonym for ',
      h('code', { id: 'rp-service-id' }, request.serviceId),
      ' is the same each time you prove to this service and unlinkable to your pseudonym anywhere else. Request ',
      h('code', { title: request.id }, `${request.id.slice(0, 8)}…`),
      ', ',
      h('span', { 'data-expires': request.expiresAt }, timeLeft(request.expiresAt)),
      '.',
    ),
  ];
  if (p.gracePeriodSeconds > 0) {
    const r = state.revocation;
    // The request lists the roots the service accepts now: the wallet's is one of them, or it is stale.
    const accepted =
      r && !block?.stale
        ? ` Your wallet's data is from ${minutesText(Date.now() - Date.parse(r.fetchedAt))} ago: ${p.relyingPartyName} accepts it.`
        : '';
    children.push(
      h(
        'p',
        { class: 'hint', id: 'grace-period' },
        `Grace period: ${p.relyingPartyName} accepts revocation data up to ${duration(p.gracePeriodSeconds)} old, counted from when newer data appeared, so a revocation of your ID reaches it within that time.${accepted}`,
      ),
    );
  }
  if (identifying) {
    const box = h('input', { type: 'checkbox', id: 'identifying-consent', checked: state.identifyingConsent });
    box.addEventListener('change', () => {
      state.identifyingConsent = box.checked;
      renderConsent();
      byId<HTMLInputElement>('identifying-consent').focus();
    });
    children.push(
      h(
        'div',
        { class: 'alert warn', id: 'identifying-warning', role: 'note' },
        h('strong', {}, 'This service will learn who you are.'),
        ` The policy “${request.policy.name}” reveals or pins down your ID number: ${p.relyingPartyName} can tell which person you are, and so can anyone it shares this with.`,
        h('br'),
        box,
        ' ',
        h('label', { for: 'identifying-consent' }, `I agree that ${p.relyingPartyName} learns who I am`),
      ),
    );
  }
  if (block?.stale && state.revocation) {
    const r = state.revocation;
    const refreshNow = h('button', { type: 'button', class: 'secondary', id: 'refresh-stale' }, 'Refresh now');
    refreshNow.addEventListener('click', () => action(refreshNow, el.error, 'Refreshing revocation data', refreshRevocation, renderHolder));
    children.push(
      h(
        'div',
        { class: 'alert', id: 'stale', role: 'note' },
        h('strong', {}, 'Your revocation data is stale. '),
        `It is from ${minutesText(Date.now() - Date.parse(r.fetchedAt))} ago (${displayDateTime(r.fetchedAt)}, root revision ${r.revision}): the registry has changed since, and ${p.relyingPartyName} no longer accepts it${
          p.gracePeriodSeconds > 0
            ? ` (it accepts older data for ${duration(p.gracePeriodSeconds)} after a change, and only a few changes back)`
            : ''
        }. It refreshes on its schedule${state.nextRefreshAt ? ` (in about ${refreshIn()})` : ''}, or you can refresh now — but a refresh right before a proof lets the registry match your download to this proof by its timing.`,
        h('br'),
        refreshNow,
      ),
    );
  }
  const prove = h(
    'button',
    { type: 'button', class: 'primary', id: 'prove', disabled: block !== undefined || state.proving },
    'Prove and continue',
  );
  prove.addEventListener('click', () => action(undefined, el.error, 'Proving', proveAndAnswer, renderConsent));
  const decline = h('button', { type: 'button', class: 'secondary', id: 'decline', disabled: state.proving }, 'Decline');
  decline.addEventListener('click', () => declineRequest());
  children.push(
    h('div', { class: 'actions' }, prove, decline),
    h(
      'p',
      { class: 'hint', id: 'prove-hint' },
      state.proving ? '' : block && !block.stale ? block.text : block?.stale ? '' : 'Nothing is sent until you choose.',
    ),
  );
  el.requestBody.replaceChildren(...children);
}

function declineRequest(): void {
  const p = state.pending;
  if (!p) return;
  state.answered = true;
  el.requestBody.replaceChildren(h('p', { id: 'declined' }, `You declined. Nothing was sent to ${p.relyingPartyName}.`));
  if (p.redirectUri) {
    const back = new URL(p.redirectUri);
    back.searchParams.set('error', 'access_denied');
    location.assign(back.href);
  }
}

async function proveAndAnswer(): Promise<void> {
  const p = state.pending;
  const { secret, enrolment, revocation } = state;
  if (!p || !secret || !enrolment || !revocation) throw new Error('create a secret, enrol and fetch revocation data first');
  if (blocker(p)) throw new Error(blocker(p)?.text);
  state.proving = true;
  renderConsent();
  el.verdict.replaceChildren();
  el.progress.hidden = false;
  const started = performance.now();
  const estimate = new ProofProgressEstimate(state.stepTimes, started);
  const show = () => {
    const v = estimate.view(performance.now());
    setProgress(v.fraction, v.label);
  };
  show();
  // The bar moves with the clock between the prover's reports.
  const ticker = setInterval(show, 250);
  try {
    const {
      presentation,
      ms: workerMs,
      baseSettled,
    } = await proveInWorker({
      credential: enrolment.credential,
      holderSecret: secret,
      request: p.request,
      revocation: revocation.data,
      // The service the holder was shown: the worker refuses any other (SERVICE_MISMATCH).
      expectedServiceId: p.request.serviceId,
      allowIdentifying: isIdentifyingPolicy(p.request.policy) && state.identifyingConsent,
      onProgress: (x) => {
        estimate.report(x, performance.now());
        show();
      },
    });
    clearInterval(ticker);
    const proofMs = performance.now() - started;
    learnStepTimes(estimate);
    console.info(`proof in ${Math.round(proofMs)} ms (worker ${Math.round(workerMs)} ms)`);
    setProgress(1, `Proof ready in ${seconds(proofMs)}: sending it to ${p.relyingPartyName}`);
    let ok: Accepted;
    try {
      ok = await api<Accepted>('POST', p.presentationUrl, p.ticket === undefined ? presentation : { ...presentation, ticket: p.ticket });
    } catch (e) {
      const { code, message } = describeError(e);
      setProgress(1, `${p.relyingPartyName} did not accept the proof`);
      renderVerdict(
        h(
          'div',
          { class: 'verdict rejected', 'data-verdict': 'rejected', 'data-code': code, 'data-proof-ms': String(Math.round(proofMs)) },
          h('h3', {}, '✖ Rejected'),
          h('p', {}, h('code', { class: 'code' }, code), ' ', message),
        ),
      );
      return;
    }
    state.answered = true;
    const redirectTo = ok.redirectTo && p.redirectUri ? checkRedirectTo(ok.redirectTo, p.redirectUri) : undefined;
    setProgress(1, `${p.relyingPartyName} checked your proof and accepted it`);
    el.requestBody.replaceChildren();
    renderVerdict(
      h(
        'div',
        { class: 'verdict verified', 'data-verdict': 'verified', 'data-proof-ms': String(Math.round(proofMs)) },
        h('h3', {}, '✔ Verified'),
        h('p', {}, `${p.relyingPartyName} accepted your proof: ${describePolicy(p.request.policy)}.`),
        h('p', {}, `Your pseudonym at ${p.request.serviceId}:`),
        copyable(ok.pseudonym, { id: 'pseudonym', label: 'pseudonym' }),
        h('p', { class: 'timing' }, `Proof generated in ${seconds(proofMs)} (worker ${seconds(workerMs)}).`),
        redirectTo ? h('p', { id: 'returning' }, `Returning you to ${p.relyingPartyName}…`) : false,
      ),
    );
    // The verdict stays 0.8 s; the worker stores the prover's base for the next visit first (3 s at most).
    if (redirectTo) {
      const shown = new Promise((res) => setTimeout(res, 800));
      void Promise.all([shown, baseSettled]).then(() => location.assign(redirectTo));
    }
  } catch (e) {
    clearInterval(ticker);
    const { code, message } = describeError(e);
    setProgress(0, 'Stopped: no proof was made');
    renderVerdict(
      h(
        'div',
        { class: 'verdict rejected', 'data-verdict': 'not-proven', 'data-code': code },
        h('h3', {}, '✖ Could not prove'),
        h('p', {}, h('code', { class: 'code' }, code), ' ', message),
      ),
    );
    console.error(`proof failed: ${code}: ${message}`);
  } finally {
    clearInterval(ticker);
    state.proving = false;
    renderConsent();
  }
}

/** Keep what each step took on this device, so the next time left is this device's. */
function learnStepTimes(estimate: ProofProgressEstimate): void {
  const measured = estimate.measured();
  console.info(`proof steps (ms): ${JSON.stringify(measured)}`);
  state.stepTimes = blendStepTimes(state.stepTimes, measured);
  dbPut('proofStepTimes', state.stepTimes).catch((e) => console.warn(`keeping proof step times: ${describeError(e).message}`));
}

/** Read the request named by ?request_uri=, check it and show it (or why it was refused). */
async function openRequest(): Promise<void> {
  let requestUri: string | undefined;
  try {
    requestUri = requestUriFrom(location.search);
  } catch (e) {
    renderRefusal(e);
    return;
  }
  if (!requestUri) {
    el.noRequest.hidden = false;
    return;
  }
  el.requestCard.hidden = false;
  el.requestBody.replaceChildren(h('p', {}, `Reading the request from ${new URL(requestUri).origin}…`));
  try {
    const view = await api<HolderView>('GET', requestUri);
    state.pending = acceptRequest(view, requestUri);
  } catch (e) {
    renderRefusal(e);
    return;
  }
  // While the holder reads the request: the worker fetches the (public, pinned) artifacts and gets
  // the prover ready, so the proof starts at once if they agree. Nothing of the holder's is used.
  prepareInWorker(state.pending.request);
  renderConsent();
}

// ---- start ------------------------------------------------------------------------------------

async function start(): Promise<void> {
  el.walletOrigin.textContent = location.origin;
  el.createSecret.addEventListener('click', () =>
    action(el.createSecret, el.error, 'Creating the holder secret', createSecret, renderHolder),
  );
  el.enrol.addEventListener('click', () => action(el.enrol, el.error, 'Enrolling', enrol, renderHolder));
  el.refresh.addEventListener('click', () => action(el.refresh, el.error, 'Refreshing revocation data', refreshRevocation, renderHolder));
  el.forget.addEventListener('click', () => action(el.forget, el.error, 'Forgetting the wallet', forget, renderHolder));
  el.downloadBackup.addEventListener('click', () =>
    action(el.downloadBackup, el.error, 'Saving the recovery file', downloadBackup, renderHolder),
  );
  el.showPhrase.addEventListener('click', () => action(el.showPhrase, el.error, 'Showing the recovery phrase', showPhrase, renderHolder));
  el.restorePhraseForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const button = el.restorePhraseForm.querySelector('button') ?? undefined;
    void action(button, el.error, 'Restoring from the phrase', async () => {
      await restore(await secretFromPhrase(el.restorePhrase.value), undefined, 'recovery phrase');
      el.restorePhrase.value = '';
    });
  });
  el.restoreFile.addEventListener('change', () => {
    const file = el.restoreFile.files?.[0];
    if (!file) return;
    void action(undefined, el.error, 'Restoring from the file', async () => {
      const { secret, credential } = parseBackup(await file.text());
      await restore(secret, credential, 'recovery file');
      el.restoreFile.value = '';
    });
  });
  setInterval(() => {
    for (const span of document.querySelectorAll<HTMLElement>('[data-expires]')) span.textContent = timeLeft(span.dataset.expires ?? '');
    const a = document.getElementById('revocation-age');
    if (a?.dataset.fetchedAt) a.textContent = freshnessText(a.dataset.fetchedAt, state.gracePeriodSeconds).text;
  }, 1_000);

  clearError(el.error);
  const [config, secret, enrolment, revocation, stepTimes] = await Promise.all([
    api<WalletConfig>('GET', '/config.json'),
    dbGet<string>('holderSecret'),
    dbGet<Enrolment>('enrolment'),
    dbGet<RevocationData>('revocation'),
    dbGet<unknown>('proofStepTimes'),
  ]);
  state.stepTimes = parseStepTimes(stepTimes);
  state.config = config;
  if (secret) state.secret = secret;
  if (enrolment) state.enrolment = enrolment;
  if (revocation?.root) state.revocation = revocation;
  renderHolder();
  // The grace period, for the status line (not needed to prove: a failure is only logged).
  api<ServiceInfo>('GET', `${config.serviceBaseUrl}/v1/info`).then(
    (info) => {
      if (typeof info.gracePeriodSeconds === 'number') state.gracePeriodSeconds = info.gracePeriodSeconds;
      renderHolder();
    },
    (e) => console.warn(`reading ${config.serviceBaseUrl}/v1/info: ${describeError(e).message}`),
  );
  await openRequest();

  if (state.enrolment) {
    const r = state.revocation;
    // Refresh when the wallet opens, except when it was opened to answer a request: a fetch now
    // would come seconds before the proof. Then the data is used if the service accepts its
    // root; otherwise the holder is told it is stale and chooses (renderConsent).
    if (!state.pending || !r) {
      await action(undefined, el.error, 'Refreshing revocation data', refreshRevocation, renderHolder);
    } else {
      scheduleRefresh();
      renderHolder();
    }
  }
  document.body.dataset.ready = 'true';
}

start().catch((e) => showError(el.error, 'Starting the wallet', e));
