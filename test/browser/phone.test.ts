/**
 * The pages fit a phone: at 375x667 and 414x896 no page and no state of the wallet or the relying
 * party's demo page is wider than the screen, and what the holder reads is in words (progress,
 * attributes, how fresh the revocation data is). In Debian's headless Chromium, as a phone
 * (isMobile, 2x pixels), against the service and the wallet app in-process on two origins.
 * The flow runs once (one real proof, one proof the service turns down); in each state the page
 * is measured at both sizes (the viewport resized in place), so the proving state too is measured
 * at both sizes while the proof is being built.
 *
 * States: the service page (before, after a result, after a decline), the empty wallet, a request
 * with no secret, the credential and consent screen, the identifying policy's extra tick, the
 * proof in progress, the proof sent, a proof the credential cannot make, a refused request
 * (SERVICE_MISMATCH), an error, stale revocation data, a proof the service turns down, the
 * recovery phrase, a restored wallet. Screenshots of each go to
 * <os.tmpdir()>/zkid-phone-screens (printed; not in the repository).
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES } from '../../src/index.browser.ts';
import { createApp, type ZkidApp } from '../../src/server/app.ts';
import { DEMO_RP_KEY } from '../../src/server/config.ts';
import { ensureIssuerKey } from '../../src/server/issuer-service.ts';
import { createWalletApp } from '../../src/server/wallet-app.ts';
import { buildWalletBundle } from '../../src/server/wallet-bundle.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { AUTH, removeDir, tempDir, testConfig } from '../server/helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCREENS = join(tmpdir(), 'zkid-phone-screens');
const CHROMIUM = '/usr/bin/chromium';
const PROOF_TIMEOUT_MS = 120_000;
const OTHER_RP_KEY = 'other-relying-party-key-0123456789';
const skip = !existsSync(CHROMIUM) && !process.env.CI;
if (skip) console.warn(`SKIPPED test/browser/phone.test.ts: ${CHROMIUM} is missing (apt-get install -y chromium); in CI this test runs`);

function listenOn(server: Server): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

describe.skipIf(skip)('every page and state fits a phone (headless Chromium)', () => {
  const dir = tempDir('zkid-phone-');
  const serviceServer = createServer();
  const walletServer = createServer();
  let app: ZkidApp;
  let browser: Browser;
  /** the browser's launch, awaited by afterAll too (a failed beforeAll may leave it under way) */
  let launching: Promise<unknown> | undefined;
  let service = '';
  let wallet = '';
  const log: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENS, { recursive: true });
    console.log(`phone screenshots: ${SCREENS}`);
    const publicDir = join(dir, 'public');
    cpSync(join(ROOT, 'src/server/public'), publicDir, { recursive: true, filter: (src) => !/[/\\]assets$/.test(src) });
    // Independent, so at the same time: the bundle (esbuild), the browser (a child process), the
    // listeners and the issuer's key. The browser is kept as soon as it runs, so afterAll closes
    // it even if a step below fails.
    launching = import('playwright-core').then(async ({ chromium }) => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
    });
    const listening = Promise.all([listenOn(serviceServer), listenOn(walletServer)]);
    const store = new SqliteStore({ dataDir: join(dir, 'data') });
    const keyed = ensureIssuerKey(store, new Date());
    // Each is awaited below; until then a failure must not be an unhandled rejection.
    for (const p of [launching, listening, keyed]) p.catch(() => undefined);
    await buildWalletBundle({ publicDir });
    const [servicePort, walletPort] = await listening;
    service = `http://localhost:${servicePort}`;
    wallet = `http://wallet.localhost:${walletPort}`;
    const config = testConfig({
      serviceId: 'localhost',
      walletBaseUrl: wallet,
      relyingParties: {
        demo: { name: 'zkid demo service', serviceId: 'localhost', apiKey: DEMO_RP_KEY },
        // names another service's id while it is reached at localhost: the wallet refuses its requests
        other: { name: 'Other shop', serviceId: 'shop.example', apiKey: OTHER_RP_KEY },
      },
      // Only the current root is accepted, so one revocation makes a wallet's data stale.
      roots: { count: 1, maxAgeSeconds: 3600 },
      policies: {
        resident: {
          predicates: BUILTIN_POLICIES['adult-resident-of-region']!.predicates,
          disclose: ['region', 'nationality', 'validUntil'],
        },
        over18: { predicates: BUILTIN_POLICIES.over18!.predicates, disclose: [] },
        kyc: { predicates: [], disclose: ['idNumber'], identifying: true },
        // nobody the demo issuer enrols (born 1960-2000) satisfies it: the wallet's 'could not prove'
        over100: { predicates: [{ attribute: 'birthDate', op: 'AGE_GTE', value: 100 }], disclose: [] },
      },
    } as never);
    await keyed;
    app = await createApp({ store, config, logger: pino({ level: 'silent' }), publicDir: join(publicDir, 'service') });
    serviceServer.on('request', app);
    walletServer.on('request', createWalletApp({ serviceBaseUrl: service, publicDir: join(publicDir, 'wallet') }));
    await launching;
  }, 180_000);

  afterAll(async () => {
    if (log.length > 0) console.log(`browser console:\n${log.slice(-40).join('\n')}`);
    await launching?.catch(() => undefined);
    await browser?.close();
    await Promise.all(
      [serviceServer, walletServer].map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))),
    );
    await app?.close();
    removeDir(dir);
  });

  /** The two phone sizes every state is measured at; the flow itself runs at the first. */
  const SIZES = [
    { width: 375, height: 667 },
    { width: 414, height: 896 },
  ] as const;

  const phone = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({
      viewport: SIZES[0],
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
      locale: 'en-GB',
      timezoneId: 'UTC',
    });
    const page = await context.newPage();
    page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
    return { context, page };
  };

  /** The page's width and the first elements that reach past the screen's right edge. */
  const measure = (page: Page) =>
    page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      overflowing: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 3)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).split(' ')[0]}` : ''}`),
    }));

  /**
   * Assert the page fits both phones' widths, and keep a screenshot at each (<width>-<state>.png).
   * Both sizes are measured first (quick), then both screenshots taken, so a transient state is
   * measured at both sizes while it lasts; `still`, when given, asserts before each measurement
   * that the state is still on screen. Leaves the page at the first size.
   */
  const fits = async (page: Page, state: string, still?: () => Promise<void>) => {
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await still?.();
      expect(await measure(page), `${state} at ${size.width} px`).toEqual({ scrollWidth: size.width, overflowing: [] });
    }
    for (const size of [...SIZES].reverse()) {
      await page.setViewportSize(size);
      // One image pixel per CSS pixel (a quarter of the device pixels to encode). Generous
      // timeout: on a busy machine with a proof running a frame can take long.
      await page.screenshot({ path: join(SCREENS, `${size.width}-${state}.png`), fullPage: true, scale: 'css', timeout: 90_000 });
    }
  };

  const ready = (page: Page) => page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
  const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

  async function signIn(page: Page, policy: string): Promise<void> {
    await page.goto(`${service}/service.html`);
    await ready(page);
    await page.getByRole('button', { name: `Sign in: ${policy}` }).click();
    await page.waitForURL((u) => u.origin === wallet, { timeout: 30_000 });
    await ready(page);
  }

  /** Write a value into the wallet's IndexedDB (from a page of the wallet's origin). */
  const idbUpdate = (page: Page, key: string, patch: Record<string, unknown>) =>
    page.evaluate(
      ([k, p]) =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('zkid-wallet');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const store = open.result.transaction('kv', 'readwrite').objectStore('kv');
            const get = store.get(k as string);
            get.onsuccess = () => {
              const put = store.put({ ...get.result, ...(p as object) }, k as string);
              put.onsuccess = () => resolve();
              put.onerror = () => reject(put.error);
            };
          };
        }),
      [key, patch] as const,
    );

  it(
    'at 375x667 and 414x896: service page, wallet (empty, request, credential, consent, proving, sent), results, refusal, error, stale data, backup, restore',
    async () => {
      const { context, page } = await phone();
      try {
        await page.goto(`${service}/service.html`);
        await ready(page);
        await fits(page, 'service');

        await page.goto(`${wallet}/`);
        await ready(page);
        expect(await text(page, '#credential-status')).toContain('not enrolled');
        await fits(page, 'wallet-empty');

        // A request, before the wallet has a secret: the policy in words, the province by name.
        await signIn(page, 'resident');
        expect(await text(page, '#rp-statement')).toBe(
          'a valid, unrevoked ID; age is at least 18; region is in Beijing (110000 to 119999); reveals region, nationality, expiry date',
        );
        expect(await text(page, '#rp-disclosure')).toBe(
          'It will see: your region, nationality, expiry date (validUntil), and your pseudonym.',
        );
        await fits(page, 'request-no-secret');

        // The credential card and the consent screen.
        await page.getByRole('button', { name: 'Create holder secret' }).click();
        await page.locator('#secret-status .ok').waitFor();
        await page.getByRole('button', { name: 'Enrol with the demo issuer' }).click();
        await page.locator('#anonymity-set').waitFor({ timeout: 30_000 });
        await page.locator('#prove:enabled').waitFor({ timeout: 30_000 });
        expect(await text(page, '#nationality')).toBe('China');
        expect(await text(page, '#region')).toMatch(/^Beijing \(11\d{4}\)$/);
        expect(await text(page, '#birth-date')).toMatch(/^\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (19[6-9]\d|2000)$/);
        expect(await text(page, '#valid-until')).toMatch(/^1 Jan \d{4}$/);
        expect(await text(page, '#credential-status')).toMatch(/on \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d$/);
        const fresh = await text(page, '#revocation-age');
        // The time alone, or with the date when the hour ahead crosses midnight.
        expect(fresh).toMatch(
          /^Data from less than a minute ago\. A verifier normally accepts it until (\d{1,2} [A-Z][a-z]{2} \d{4}, )?\d\d:\d\d \(its 60-minute grace period/,
        );
        const until = await page.locator('#revocation-age').getAttribute('data-accepted-until');
        const fetchedAt = await page.locator('#revocation-age').getAttribute('data-fetched-at');
        expect(Date.parse(until ?? '') - Date.parse(fetchedAt ?? '')).toBe(3_600_000);
        expect(await text(page, '#grace-period')).toContain(
          "accepts revocation data up to 60 minutes old, counted from when newer data appeared, so a revocation of your ID reaches it within that time. Your wallet's data is from less than a minute ago: zkid demo service accepts it.",
        );
        await fits(page, 'consent');

        // Proving: the label in the holder's words with the time left. The way back to the service
        // is answered 204 (a navigation that changes nothing), so the wallet's result stays on
        // screen to be measured; the test then follows that URL itself.
        await page.evaluate(() => {
          const seen: string[] = [];
          (window as unknown as { labels: string[] }).labels = seen;
          const label = document.getElementById('progress-label') as HTMLElement;
          new MutationObserver(() => seen.push(label.textContent ?? '')).observe(label, {
            childList: true,
            characterData: true,
            subtree: true,
          });
        });
        let returnUrl = '';
        const isReturn = (u: URL) => u.origin === service && u.pathname === '/service.html' && u.searchParams.has('response_code');
        await page.route(isReturn, async (route) => {
          returnUrl = route.request().url();
          await route.fulfill({ status: 204 });
        });
        await page.getByRole('button', { name: 'Prove and continue' }).click();
        await page
          .locator('#progress-label', { hasText: /Building the proof — (about \d+ s left|almost done)/ })
          .waitFor({ timeout: PROOF_TIMEOUT_MS });
        // Measured at both sizes while the proof is still being built.
        await fits(page, 'proving', async () =>
          expect(await text(page, '#progress-label')).toMatch(/^Building the proof — (about \d+ s left|almost done)$/),
        );
        const verdict = page.locator('#verdict [data-verdict]');
        await verdict.waitFor({ timeout: PROOF_TIMEOUT_MS });
        expect(await verdict.getAttribute('data-verdict')).toBe('verified');
        expect(await text(page, '#progress-label')).toBe('zkid demo service checked your proof and accepted it');
        expect(await text(page, '#pseudonym')).toMatch(/^\d{10,}$/);
        await fits(page, 'proof-sent');
        const labels = (await page.evaluate(() => (window as unknown as { labels: string[] }).labels)).filter(Boolean);
        expect(labels[0]).toMatch(/^Checking your credential — about \d+ s left$/);
        expect(labels).toContainEqual(expect.stringMatching(/^Building the proof — (about \d+ s left|almost done)$/));
        expect(labels).toContainEqual(expect.stringMatching(/^Proof ready in \d+\.\d\d s: sending it to zkid demo service$/));
        // The time left never goes up while the proof is built.
        const left = labels
          .map((l) => /about (\d+) s left/.exec(l)?.[1])
          .filter((x) => x !== undefined)
          .map(Number);
        expect(left.length).toBeGreaterThan(1);
        for (let i = 1; i < left.length; i++) expect(left[i]).toBeLessThanOrEqual(left[i - 1] as number);
        await expect.poll(() => returnUrl, { timeout: 30_000 }).not.toBe('');
        await page.unroute(isReturn);

        // The service page after the result: readable disclosed values, the pseudonym with a Copy button.
        await page.goto(returnUrl);
        await page.locator('#session-pseudonym').waitFor({ timeout: 30_000 });
        const disclosed = await text(page, '#session-disclosed');
        expect(disclosed).toMatch(/^Disclosed: validUntil = 1 Jan \d{4}, region = Beijing \(11\d{4}\), nationality = China \(156\)\.$/);
        await page.locator('#sessions td[data-label="Pseudonym"] button.copy').first().waitFor();
        await fits(page, 'service-result');

        // An identifying policy: the warning and its extra tick; then the holder declines.
        await signIn(page, 'kyc');
        await page.locator('#identifying-warning').waitFor();
        await page.getByLabel('I agree that zkid demo service learns who I am').check();
        await page.locator('#prove:enabled').waitFor();
        await fits(page, 'identifying');
        await page.getByRole('button', { name: 'Decline' }).click();
        await page.waitForURL((u) => u.origin === service);
        await page.locator('#declined').waitFor();
        await fits(page, 'service-declined');

        // A policy the credential does not satisfy: the prover's check says so before any proving.
        await signIn(page, 'over100');
        await page.getByRole('button', { name: 'Prove and continue' }).click();
        const notProven = page.locator('#verdict [data-verdict="not-proven"]');
        await notProven.waitFor({ timeout: PROOF_TIMEOUT_MS });
        expect(await notProven.getAttribute('data-code')).toBe('PREDICATE_UNSATISFIED');
        expect(await text(page, '#progress-label')).toBe('Stopped: no proof was made');
        await fits(page, 'not-proven');

        // A request from a service that names another service's id: refused before any proof.
        const res = await fetch(`${service}/v1/requests`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${OTHER_RP_KEY}` },
          body: JSON.stringify({ policy: 'over18' }),
        });
        const created = (await res.json()) as { walletUrl: string };
        await page.goto(created.walletUrl);
        await ready(page);
        expect(await page.locator('#refusal').getAttribute('data-code')).toBe('SERVICE_MISMATCH');
        await fits(page, 'refused');

        // An error: a recovery phrase with a typo (the wallet already has a secret anyway).
        await page.goto(`${wallet}/`);
        await ready(page);
        await page.getByLabel('Recovery phrase').fill('zkid1-AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF-GGGGG-HHHHH-JJJJJ-KKKKK-MMMMM');
        await page.getByRole('button', { name: 'Restore from phrase' }).click();
        await page.getByRole('alert').filter({ hasText: 'Restoring from the phrase' }).waitFor();
        await fits(page, 'error');

        // The backup screen: the recovery phrase shown.
        await page.getByRole('button', { name: 'Show recovery phrase' }).click();
        const phrase = await text(page, '#recovery-phrase');
        expect(phrase).toMatch(/^zkid1(-[0-9A-Z]{1,5}){11}$/);
        await fits(page, 'backup');

        // Stale revocation data: fetched 75 minutes ago, and the registry changed since.
        await idbUpdate(page, 'revocation', { fetchedAt: new Date(Date.now() - 75 * 60_000).toISOString() });
        const revoked = await fetch(`${service}/v1/issuer/revocations`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...AUTH },
          body: JSON.stringify({ serial: '11', reason: 'test' }),
        });
        expect(revoked.status).toBe(200);
        await signIn(page, 'over18');
        await page.locator('#stale').waitFor();
        expect(await text(page, '#stale')).toMatch(
          /^Your revocation data is stale\. It is from 1 h 15 min ago \(\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d, root revision \d+\): the registry has changed since, and zkid demo service no longer accepts it \(it accepts older data for 60 minutes after a change, and only a few changes back\)\./,
        );
        expect(await text(page, '#revocation-age')).toBe(
          'Data from 1 h 15 min ago: older than the 60-minute grace period, so a verifier accepts it only if the registry has not changed since it was fetched.',
        );
        expect(await page.locator('#prove').isDisabled()).toBe(true);
        await fits(page, 'stale');

        // Refreshed by hand, proven, and the service turns the proof down (its answer replaced
        // here): the wallet's 'rejected' verdict with the service's code.
        await page.getByRole('button', { name: 'Refresh now' }).click();
        await page.locator('#prove:enabled').waitFor({ timeout: 30_000 });
        const isPresentation = (u: URL) => u.origin === service && u.pathname.endsWith('/presentation');
        await page.route(isPresentation, (route) =>
          route.fulfill({
            status: 409,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'PSEUDONYM_ALREADY_USED', message: 'this person has already answered this policy' } }),
          }),
        );
        await page.getByRole('button', { name: 'Prove and continue' }).click();
        const rejected = page.locator('#verdict [data-verdict="rejected"]');
        await rejected.waitFor({ timeout: PROOF_TIMEOUT_MS });
        expect(await rejected.getAttribute('data-code')).toBe('PSEUDONYM_ALREADY_USED');
        expect(await text(page, '#progress-label')).toBe('zkid demo service did not accept the proof');
        await fits(page, 'rejected');
        await page.unroute(isPresentation);

        // A new device: restored from the phrase.
        const other = await phone();
        try {
          await other.page.goto(`${wallet}/`);
          await ready(other.page);
          await other.page.getByLabel('Recovery phrase').fill(phrase);
          await other.page.getByRole('button', { name: 'Restore from phrase' }).click();
          await other.page.locator('#restored').waitFor();
          await fits(other.page, 'restored');
        } finally {
          await other.context.close();
        }
      } finally {
        await context.close();
      }
    },
    2 * PROOF_TIMEOUT_MS + 180_000,
  );
});
