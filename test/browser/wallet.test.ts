/**
 * The wallet on its own origin, end to end in Debian's headless Chromium (playwright-core, no
 * browser download). Two listeners run in-process on ephemeral ports, as `npm start` runs them:
 * the service (verifier, demo issuer, registry and the relying party's demo page) at
 * http://localhost:<p1>, and the wallet's own app (src/server/wallet-app.ts) at
 * http://127.0.0.1:<p2>, each serving a freshly built bundle.
 *
 * The flow: the service page creates a request with its relying-party key and sends the browser
 * to the wallet; the wallet (other origin) creates its secret, enrols, fetches revocation data,
 * names the service and asks, proves, and sends the browser back with a one-time response code,
 * which the service page redeems for the pseudonym. Also: a service page cannot read the wallet's
 * storage; a request whose service id does not match the origin that delivered it is refused
 * before any proof; an identifying policy says so and needs an extra consent; a backup restored in
 * a fresh browser gives the same pseudonym at the same service. Screenshots go to test/.artifacts/.
 *
 * Skipped with a message only when /usr/bin/chromium is missing outside CI; in CI it must run.
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES } from '../../src/index.browser.ts';
import { createApp, type ZkidApp } from '../../src/server/app.ts';
import { DEMO_RP_KEY } from '../../src/server/config.ts';
import { ensureIssuerKey } from '../../src/server/issuer-service.ts';
import { createWalletApp } from '../../src/server/wallet-app.ts';
import { buildWalletBundle } from '../../src/server/wallet-bundle.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { AUTH, removeDir, tempDir, testConfig } from '../server/helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(ROOT, 'test/.artifacts');
const PUBLIC_SRC = join(ROOT, 'src/server/public');
const PROOF_TIMEOUT_MS = 120_000;
const OTHER_RP_KEY = 'other-relying-party-key-0123456789';

const available = existsSync(CHROMIUM);
const skip = !available && !process.env.CI;
if (skip) console.warn(`SKIPPED test/browser/wallet.test.ts: ${CHROMIUM} is missing (apt-get install -y chromium); in CI this test runs`);

interface SentRequest {
  method: string;
  url: string;
  body: string;
}

function listenOn(server: Server): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

describe.skipIf(skip)('wallet on its own origin: redirect flow across two origins (headless Chromium)', () => {
  let dir: string;
  let app: ZkidApp;
  const serviceServer = createServer();
  const walletServer = createServer();
  let serviceBase: string;
  let walletBase: string;
  /** the wallet listener as Node reaches it (Node's resolver may not know *.localhost) */
  let walletDirect: string;
  let browser: Browser;
  /** the browser's launch, awaited by afterAll too (a failed beforeAll may leave it under way) */
  let launching: Promise<unknown> | undefined;
  let context: BrowserContext;
  let page: Page;
  const sent: SentRequest[] = [];
  const browserLog: string[] = [];
  let pseudonym = '';

  const text = async (l: Locator) => (await l.textContent()) ?? '';
  const shot = (p: Page, name: string) => p.screenshot({ path: join(ARTIFACTS, name), fullPage: true });

  const watch = (name: string, p: Page): Page => {
    p.on('console', (m) => browserLog.push(`[${name} ${m.type()}] ${m.text()}`));
    p.on('pageerror', (e) => browserLog.push(`[${name} pageerror] ${e.message}`));
    return p;
  };

  async function newContext(): Promise<BrowserContext> {
    const c = await browser.newContext({
      viewport: { width: 1100, height: 900 },
      locale: 'en-GB',
      timezoneId: 'UTC',
      acceptDownloads: true,
    });
    c.on('request', (r) => sent.push({ method: r.method(), url: r.url(), body: r.postData() ?? '' }));
    c.on('weberror', (e) => browserLog.push(`[weberror] ${e.error().message}`));
    return c;
  }

  /** The wallet's IndexedDB value for a key, read in a page of the wallet's origin. */
  const idbGet = (p: Page, key: string) =>
    p.evaluate(
      (k) =>
        new Promise<unknown>((resolve, reject) => {
          const open = indexedDB.open('zkid-wallet');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('kv').objectStore('kv').get(k);
            get.onsuccess = () => resolve(get.result);
            get.onerror = () => reject(get.error);
          };
        }),
      key,
    );

  /** From the service page: sign in with a policy; the browser lands on the wallet (other origin). */
  async function signIn(p: Page, policy: string): Promise<void> {
    await p.goto(`${serviceBase}/service.html`);
    await p.locator('body[data-ready="true"]').waitFor();
    await p.getByRole('button', { name: `Sign in: ${policy}` }).click();
    await p.waitForURL((u) => u.origin === walletBase, { timeout: 30_000 });
    await p.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
  }

  /** In the wallet: prove, and follow the redirect back to the service page, which redeems the code. */
  async function proveAndReturn(p: Page): Promise<string> {
    await p.locator('#prove:enabled').waitFor({ timeout: 30_000 });
    await p.getByRole('button', { name: 'Prove and continue' }).click();
    const failed = p.locator('#verdict [data-verdict="not-proven"], #verdict [data-verdict="rejected"]');
    const back = p.waitForURL((u) => u.origin === serviceBase, { timeout: PROOF_TIMEOUT_MS });
    await Promise.race([
      back,
      failed.waitFor({ timeout: PROOF_TIMEOUT_MS }).then(async () => {
        throw new Error(`the wallet did not prove: ${await text(failed)}`);
      }),
    ]);
    const shown = p.locator('#session-pseudonym');
    await shown.waitFor({ timeout: 30_000 });
    return (await text(shown)).trim();
  }

  beforeAll(async () => {
    dir = tempDir('zkid-browser-');
    const publicDir = join(dir, 'public');
    cpSync(PUBLIC_SRC, publicDir, { recursive: true, filter: (src) => !/[/\\]assets$/.test(src) });
    // Independent, so at the same time: the bundle (esbuild), the browser (a child process), the
    // listeners and the issuer's key.
    // The browser is kept as soon as it runs, so afterAll closes it even if a step below fails.
    launching = chromium
      .launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      })
      .then((b) => (browser = b));
    const listening = Promise.all([listenOn(serviceServer), listenOn(walletServer)]);
    const store = new SqliteStore({ dataDir: join(dir, 'data') });
    const keyed = ensureIssuerKey(store, new Date());
    // Each is awaited below; until then a failure must not be an unhandled rejection.
    for (const p of [launching, listening, keyed]) p.catch(() => undefined);
    const bundle = await buildWalletBundle({ publicDir });
    console.log(
      `wallet bundle built in ${Math.round(bundle.ms)} ms: ${bundle.files.map((f) => `${f.path.split('/').slice(-3).join('/')} ${(f.bytes / 1024).toFixed(0)} KiB`).join(', ')}`,
    );
    // The worker proves with the library's prover, the browser build (fetch-only artifact reader).
    expect(bundle.inputs).toContain('src/prover/generate-proof.ts');
    expect(bundle.inputs).toContain('src/prover/read-bytes.browser.ts');
    expect(bundle.inputs).not.toContain('src/prover/read-bytes.node.ts');
    // The service page's bundle has no prover and no wallet code.
    expect(bundle.serviceInputs).not.toContain('src/wallet/wallet.ts');
    expect(bundle.serviceInputs).not.toContain('src/prover/generate-proof.ts');

    const [servicePort, walletPort] = await listening;
    // Two origins: another host name and another port (Chromium resolves *.localhost to loopback itself).
    serviceBase = `http://localhost:${servicePort}`;
    walletBase = `http://wallet.localhost:${walletPort}`;
    walletDirect = `http://127.0.0.1:${walletPort}`;

    const config = testConfig({
      serviceId: 'localhost',
      walletBaseUrl: walletBase,
      relyingParties: {
        demo: { name: 'zkid demo service', serviceId: 'localhost', apiKey: DEMO_RP_KEY },
        // A relying party that names another service's id while it is reached at localhost.
        other: { name: 'Other shop', serviceId: 'shop.example', apiKey: OTHER_RP_KEY },
      },
      // Only the current root is accepted, so one revocation makes a wallet's data stale.
      roots: { count: 1 },
      policies: {
        over18: { predicates: BUILTIN_POLICIES.over18!.predicates, disclose: [] },
        kyc: { predicates: [], disclose: ['idNumber'], identifying: true },
      },
    } as never);
    await keyed;
    app = await createApp({ store, config, logger: pino({ level: 'silent' }), publicDir: join(publicDir, 'service') });
    serviceServer.on('request', app);
    walletServer.on('request', createWalletApp({ serviceBaseUrl: serviceBase, publicDir: join(publicDir, 'wallet') }));

    await launching;
    context = await newContext();
    page = watch('tab', await context.newPage());
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    if (browserLog.length > 0) console.log(`browser console:\n${browserLog.slice(-80).join('\n')}`);
    await launching?.catch(() => undefined);
    await browser?.close();
    await Promise.all(
      [serviceServer, walletServer].map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))),
    );
    await app?.close();
    if (dir) removeDir(dir);
  });

  it('serves the wallet only on its own origin, with a strict CSP', async () => {
    const res = await fetch(`${walletDirect}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`connect-src 'self' ${serviceBase}`);
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await (await fetch(`${walletDirect}/config.json`)).json()).toEqual({ serviceBaseUrl: serviceBase });
    // The service origin no longer serves the wallet page or its bundle.
    expect((await fetch(`${serviceBase}/assets/wallet.js`)).status).toBe(404);
    expect((await fetch(`${serviceBase}/assets/prover-worker.js`)).status).toBe(404);
    expect(await (await fetch(`${serviceBase}/`)).text()).not.toContain('wallet.js');
  });

  it('service page -> wallet (other origin): secret, enrolment, revocation data, consent, proof -> back to the service, which redeems the code', async () => {
    await signIn(page, 'over18');
    expect(page.url()).toContain(`${walletBase}/?request_uri=`);
    const requestUri = new URL(page.url()).searchParams.get('request_uri') as string;
    expect(new URL(requestUri).origin).toBe(serviceBase);
    const requestId = requestUri.split('/').at(-2) as string;

    // The wallet names the service and its origin, and what will be proven; it cannot prove yet.
    expect(await text(page.locator('#rp-name'))).toBe('zkid demo service');
    expect(await text(page.locator('#rp-origin'))).toBe(serviceBase);
    expect(await text(page.locator('#rp-statement'))).toContain('age is at least 18');
    expect(await text(page.locator('#rp-disclosure'))).toContain('nothing else');
    expect(await page.locator('#prove').isDisabled()).toBe(true);
    expect(await text(page.locator('#grace-period'))).toMatch(/up to \d+ (minutes|hours|seconds) old/);

    await page.getByRole('button', { name: 'Create holder secret' }).click();
    await page.locator('#secret-status .ok').waitFor();
    await page.getByRole('button', { name: 'Enrol with the demo issuer' }).click();
    await page.locator('#credential-status .ok').waitFor();
    expect(await text(page.locator('#id-number'))).toMatch(/^\w\w•+\w\w$/);
    // Revocation data is fetched with the enrolment; the anonymity set is issued credentials, not serial slots.
    const set = page.locator('#anonymity-set');
    await set.waitFor();
    const kind = await page.locator('#revocation-kind').getAttribute('data-kind');
    expect(kind).toBe('snapshot');
    const issued = (await (await fetch(`${serviceBase}/v1/registry/root`)).json()) as { issued: number };
    expect(await set.getAttribute('data-count')).toBe(String(issued.issued));
    expect(await text(set)).toBe(`${issued.issued} issued credential${issued.issued === 1 ? '' : 's'}`);
    expect(await text(page.locator('#revocation-status'))).toContain('not revoked');
    const registryPaths = sent.filter((r) => r.url.includes('/v1/registry/')).map((r) => new URL(r.url).pathname);
    expect(registryPaths).toEqual(['/v1/registry/root', '/v1/registry/snapshot']);
    await page.locator('#prove:enabled').waitFor();
    await shot(page, 'wallet-consent.png');

    const secret = (await idbGet(page, 'holderSecret')) as string;
    expect(secret).toMatch(/^[0-9]+$/);
    pseudonym = await proveAndReturn(page);
    expect(pseudonym).toMatch(/^[0-9]{10,}$/);
    // Back on the service page: the code is gone from the URL, the session is shown.
    expect(new URL(page.url()).searchParams.has('response_code')).toBe(false);
    expect(await text(page.locator('#session-disclosed'))).toContain('nothing');
    await shot(page, 'service-verified.png');

    // One presentation, and one redemption of the code, with the relying party's key.
    const posted = sent.filter((r) => r.method === 'POST' && r.url.endsWith(`/v1/requests/${requestId}/presentation`));
    expect(posted).toHaveLength(1);
    // It carried the holder view's ticket back, unchanged (the service then skips reading the request).
    expect((JSON.parse(posted[0]!.body) as { ticket?: string }).ticket).toMatch(/^t1\./);
    const redeems = sent.filter((r) => r.method === 'POST' && r.url.endsWith(`/v1/requests/${requestId}/result`));
    expect(redeems).toHaveLength(1);
    const { responseCode } = JSON.parse(redeems[0]!.body) as { responseCode: string };
    // The code works once: again -> 409.
    const again = await fetch(`${serviceBase}/v1/requests/${requestId}/result`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${DEMO_RP_KEY}` },
      body: JSON.stringify({ responseCode }),
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('RESPONSE_CODE_USED');

    // The secret never left the browser.
    for (const r of sent) expect(r.url + r.body).not.toContain(secret);
  }, 240_000);

  it("a page on the service origin cannot read the wallet's IndexedDB or localStorage", async () => {
    const wallet = watch('wallet', await context.newPage());
    await wallet.goto(`${walletBase}/`);
    await wallet.locator('body[data-ready="true"]').waitFor();
    const secret = (await idbGet(wallet, 'holderSecret')) as string;
    expect(secret).toMatch(/^[0-9]+$/);

    // Same browser, same profile, the service's origin: its view of storage.
    await page.goto(`${serviceBase}/service.html`);
    await page.locator('body[data-ready="true"]').waitFor();
    const seen = await page.evaluate(async (walletOrigin) => {
      const databases = (await indexedDB.databases()).map((d) => d.name);
      const stores = await new Promise<string[]>((resolve) => {
        const open = indexedDB.open('zkid-wallet');
        open.onsuccess = () => {
          const names = Array.from(open.result.objectStoreNames);
          open.result.close();
          indexedDB.deleteDatabase('zkid-wallet');
          resolve(names);
        };
        open.onerror = () => resolve([]);
      });
      const local = Object.keys(localStorage);
      let fetched = 'blocked';
      try {
        await fetch(`${walletOrigin}/config.json`);
        fetched = 'allowed';
      } catch {}
      return { databases, stores, local, fetched, html: document.documentElement.outerHTML };
    }, walletBase);
    expect(seen.databases).not.toContain('zkid-wallet');
    // Opening the name on this origin creates an empty database of this origin: no 'kv' store, no secret.
    expect(seen.stores).toEqual([]);
    expect(seen.local).toEqual([]);
    expect(seen.html).not.toContain(secret);
    // The service page's own CSP does not even let it talk to the wallet's origin.
    expect(seen.fetched).toBe('blocked');
    // The wallet's data is still there, in the wallet's origin only.
    expect(await idbGet(wallet, 'holderSecret')).toBe(secret);
    await wallet.close();
  }, 60_000);

  it('refuses a request whose service id does not match the origin that delivered it, before any proof (SERVICE_MISMATCH)', async () => {
    const res = await fetch(`${serviceBase}/v1/requests`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${OTHER_RP_KEY}` },
      body: JSON.stringify({ policy: 'over18' }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { request: { id: string; serviceId: string }; requestUri: string; walletUrl: string };
    expect(created.request.serviceId).toBe('shop.example');
    expect(new URL(created.requestUri).origin).toBe(serviceBase);
    const before = sent.length;

    await page.goto(created.walletUrl);
    await page.locator('body[data-ready="true"]').waitFor();
    const refusal = page.locator('#refusal');
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-code')).toBe('SERVICE_MISMATCH');
    expect(await text(refusal)).toContain("names service 'shop.example' but came from localhost");
    expect(await page.locator('#prove').count()).toBe(0);
    await shot(page, 'wallet-refused.png');
    // Nothing was proven or posted for it; the request is still pending at the service.
    const after = sent.slice(before);
    expect(after.filter((r) => r.method === 'POST' && r.url.includes('/v1/requests/'))).toEqual([]);
    const status = await fetch(`${serviceBase}/v1/requests/${created.request.id}`, {
      headers: { Authorization: `Bearer ${OTHER_RP_KEY}` },
    });
    expect(((await status.json()) as { status: string }).status).toBe('pending');
  }, 60_000);

  it(
    'says plainly when a policy identifies the holder, and proves only after an explicit extra consent',
    async () => {
      await signIn(page, 'kyc');
      const warning = page.locator('#identifying-warning');
      await warning.waitFor();
      expect(await text(warning)).toContain('This service will learn who you are.');
      expect(await text(page.locator('#rp-disclosure'))).toContain('idNumber');
      expect(await page.locator('#prove').isDisabled()).toBe(true);
      await page.getByLabel('I agree that zkid demo service learns who I am').check();
      await page.locator('#prove:enabled').waitFor();
      await shot(page, 'wallet-identifying.png');
      // With the consent, the worker proves (allowIdentifying) and the service learns the ID number.
      const idNumber = ((await idbGet(page, 'enrolment')) as { credential: { attributes: { idNumber: string } } }).credential.attributes
        .idNumber;
      expect(await proveAndReturn(page)).toBe(pseudonym);
      expect(await text(page.locator('#session-disclosed'))).toContain(`idNumber = ${idNumber}`);
    },
    PROOF_TIMEOUT_MS + 60_000,
  );

  it('never refreshes revocation data because a request arrived: stale data is said so, and the holder may refresh by hand', async () => {
    // Someone else's credential is revoked: a new root, and the service accepts only that one now.
    const revoked = await fetch(`${serviceBase}/v1/issuer/revocations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...AUTH },
      body: JSON.stringify({ serial: '7', reason: 'test' }),
    });
    expect(revoked.status).toBe(200);
    const before = sent.length;
    await signIn(page, 'over18');
    const stale = page.locator('#stale');
    await stale.waitFor();
    expect(await text(stale)).toContain('Your revocation data is stale.');
    expect(await text(stale)).toContain('lets the registry match your download to this proof by its timing');
    expect(await page.locator('#prove').isDisabled()).toBe(true);
    // Opening the wallet for a request fetched nothing from the registry.
    expect(sent.slice(before).filter((r) => r.url.includes('/v1/registry/'))).toEqual([]);
    await shot(page, 'wallet-stale.png');

    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.locator('#prove:enabled').waitFor();
    expect(await stale.count()).toBe(0);
    expect(
      sent
        .slice(before)
        .filter((r) => r.url.includes('/v1/registry/'))
        .map((r) => new URL(r.url).pathname),
    ).toEqual(['/v1/registry/root', '/v1/registry/snapshot']);
    // Declining sends the browser back without a code.
    await page.getByRole('button', { name: 'Decline' }).click();
    await page.waitForURL((u) => u.origin === serviceBase);
    await page.locator('#declined').waitFor();
    expect(await text(page.locator('#declined'))).toContain('access_denied');
  }, 60_000);

  it('backs up the secret and restores it in a fresh browser: the same pseudonym at the same service', async () => {
    const wallet = watch('wallet', await context.newPage());
    await wallet.goto(`${walletBase}/`);
    await wallet.locator('body[data-ready="true"]').waitFor();
    const secret = (await idbGet(wallet, 'holderSecret')) as string;
    await wallet.getByRole('button', { name: 'Show recovery phrase' }).click();
    const phrase = (await text(wallet.locator('#recovery-phrase'))).trim();
    expect(phrase).toMatch(/^zkid1(-[0-9A-Z]{1,5}){11}$/);
    const [download] = await Promise.all([
      wallet.waitForEvent('download'),
      wallet.getByRole('button', { name: 'Download recovery file' }).click(),
    ]);
    const file = join(dir, 'zkid-recovery.json');
    await download.saveAs(file);
    const backup = JSON.parse(readFileSync(file, 'utf8')) as { holderSecret: string; credential?: unknown };
    expect(backup.holderSecret).toBe(secret);
    expect(backup.credential).toBeDefined();
    await wallet.close();

    // A new device: a fresh context (empty storage). Restore from the phrase, enrol again, prove.
    const fresh = await newContext();
    const tab = watch('restored', await fresh.newPage());
    await signIn(tab, 'over18');
    await tab.getByLabel('Recovery phrase').fill(phrase);
    await tab.getByRole('button', { name: 'Restore from phrase' }).click();
    await tab.locator('#restored').waitFor();
    expect(await idbGet(tab, 'holderSecret')).toBe(secret);
    await tab.getByRole('button', { name: 'Enrol with the demo issuer' }).click();
    await tab.locator('#anonymity-set').waitFor();
    await shot(tab, 'wallet-restored.png');
    expect(await proveAndReturn(tab)).toBe(pseudonym);
    // The prover kept its linear base (derived from the secret) in the wallet origin's Cache
    // Storage, for the next visit; forgetting the holder deletes it with the secret.
    const walletTab = watch('forget', await fresh.newPage());
    await walletTab.goto(`${walletBase}/`);
    await walletTab.locator('body[data-ready="true"]').waitFor();
    const baseEntries = () =>
      walletTab.evaluate(async () =>
        (await caches.has('zkid-prover-base-v1')) ? (await (await caches.open('zkid-prover-base-v1')).keys()).length : 0,
      );
    // The wallet waited for it before it returned to the service.
    await expect.poll(baseEntries, { timeout: 10_000 }).toBe(1);
    walletTab.once('dialog', (d) => void d.accept());
    await walletTab.locator('#forget').click();
    await expect.poll(() => idbGet(walletTab, 'holderSecret'), { timeout: 10_000 }).toBeUndefined();
    await expect.poll(baseEntries, { timeout: 10_000 }).toBe(0);
    await fresh.close();

    // And from the file, in another fresh context: the credential comes along, checked against the secret.
    const third = await newContext();
    const tab3 = watch('restored-file', await third.newPage());
    await tab3.goto(`${walletBase}/`);
    await tab3.locator('body[data-ready="true"]').waitFor();
    await tab3.locator('#restore-file').setInputFiles(file);
    await tab3.locator('#restored').waitFor();
    await tab3.locator('#credential-status .ok').waitFor();
    expect(await idbGet(tab3, 'holderSecret')).toBe(secret);
    // A phrase with a typo is refused, and says why.
    await tab3.getByLabel('Recovery phrase').fill(`${phrase.slice(0, -1)}${phrase.endsWith('0') ? '1' : '0'}`);
    await tab3.getByRole('button', { name: 'Restore from phrase' }).click();
    await expect.poll(() => text(tab3.getByRole('alert'))).toMatch(/typing mistake|another secret/);
    await third.close();
  }, 240_000);
});
