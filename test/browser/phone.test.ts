/**
 * The pages fit a phone: at 375x667 and 414x896 neither the relying party's demo page nor the
 * wallet (empty, and showing a request) is wider than the screen. Runs the real entry point
 * (`node --import tsx src/server/main.ts`) and Debian's headless Chromium; screenshots in
 * test/.artifacts/phone-*.png.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../server/helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(ROOT, 'test', '.artifacts');
const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && !process.env.CI;
if (skip) console.warn(`SKIPPED test/browser/phone.test.ts: ${CHROMIUM} is missing (apt-get install -y chromium); in CI this test runs`);

describe.skipIf(skip)('the pages fit a phone (headless Chromium)', () => {
  const dir = tempDir('zkid-phone-');
  let server: ChildProcess | undefined;
  let service = '';
  let wallet = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const { buildWalletBundle } = await import('../../src/server/wallet-bundle.ts');
    await buildWalletBundle();
    const { ZKID_ADMIN_TOKEN: _t, ZKID_CONFIG: _c, NODE_ENV: _n, ...env } = process.env;
    server = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: ROOT,
      env: { ...env, PORT: '0', WALLET_PORT: '0', HOST: '127.0.0.1', ZKID_DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    server.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const deadline = Date.now() + 90_000;
    for (;;) {
      const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (line) {
        const { port, walletPort } = JSON.parse(line) as { port: number; walletPort: number };
        service = `http://localhost:${port}`;
        wallet = `http://localhost:${walletPort}`;
        break;
      }
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the service did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 180_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server?.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    removeDir(dir);
  });

  it.each([
    [375, 667],
    [414, 896],
  ])('at %ix%i: service page, empty wallet, wallet showing a request', async (width, height) => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const context = await browser.newContext({ viewport: { width, height }, isMobile: true, deviceScaleFactor: 2 });
      const page = await context.newPage();
      const widest = async (name: string) => {
        await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
        await page.screenshot({ path: join(ARTIFACTS, `phone-${width}-${name}.png`), fullPage: true });
        return page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          overflowing: [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 3)
            .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}`),
        }));
      };
      await page.goto(`${service}/service.html`);
      expect(await widest('service'), 'service page').toEqual({ scrollWidth: width, overflowing: [] });
      await page.goto(`${wallet}/`);
      expect(await widest('wallet'), 'empty wallet').toEqual({ scrollWidth: width, overflowing: [] });
      await page.goto(`${service}/service.html`);
      await page.locator('body[data-ready="true"]').waitFor();
      await page.getByRole('button', { name: 'Sign in: over18' }).click();
      await page.waitForURL((u) => u.origin === wallet, { timeout: 30_000 });
      expect(await widest('request'), 'wallet showing a request').toEqual({ scrollWidth: width, overflowing: [] });
    } finally {
      await browser.close();
    }
  });
});
