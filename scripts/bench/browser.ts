/**
 * Browser proofs in headless Chromium (playwright-core driving the system's Chromium): the
 * wallet's own proving worker (`/assets/prover-worker.js`, the library's generateProof, built by
 * src/server/wallet-bundle.ts as `npm start` builds it), loaded from the wallet's own origin (a
 * wallet app started here next to the running service, as `npm start` does). Each proof is for a
 * fresh request from the service, and is submitted to it to check that it verifies.
 *  - cold: a new browser context (empty HTTP cache) and a new worker: fetching and hash-checking
 *    the artifacts, compiling the wasm, parsing the zkey, starting snarkjs's threads, then proving;
 *  - warm: further proofs in the same worker (artifacts, zkey and curve engine reused);
 *  - cold-prepared: a new context, where the worker first prepares the request as the wallet does
 *    while it shows it (artifacts, curve engine, witness generator, the key's shape check; the
 *    time that took is reported apart), then the proof is timed from the holder's click.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Presentation } from '../../src/request.ts';
import { ROOT } from '../lib/circuits.ts';
import { step } from '../lib/progress.ts';
import { memoryRow, type ProofMemory, peakResetAvailable, rendererPeak } from './memory.ts';
import { enrolHolder, newRequest, submitPresentation, Unavailable } from './service.ts';
import { summarize } from './stats.ts';
import type { BrowserRow, MemoryRow } from './types.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * Build the wallet bundle the service serves (what `npm start` does first).
 * @throws Unavailable when the wallet or Chromium is not there
 */
export async function prepareWallet(): Promise<void> {
  const bundler = join(ROOT, 'src', 'server', 'wallet-bundle.ts');
  if (!existsSync(bundler)) throw new Unavailable('the browser wallet (src/server/wallet-bundle.ts) is not in this checkout');
  if (!existsSync(CHROMIUM)) throw new Unavailable(`no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  const mod = (await import(bundler)) as { buildWalletBundle(o?: object): Promise<unknown> };
  await step('browser: build the wallet bundle', () => mod.buildWalletBundle());
}

/**
 * Runs in the page: post one ProveMessage to the wallet's worker (created once per page, as the
 * wallet does) and time it to the result; it resolves once the worker reports its linear base
 * settled, as the wallet waits for before it leaves. A string, not a function: tsx's transform would wrap named functions
 * in a helper the page does not have.
 */
const IN_PAGE = `async (m) => {
  window.benchWorker ??= new Worker('/assets/prover-worker.js', { type: 'module', name: 'zkid-prover' });
  const worker = window.benchWorker;
  const t0 = performance.now();
  const phases = [];
  return await new Promise((resolve, reject) => {
    const onMessage = (e) => {
      if (e.data && e.data.type === 'progress') {
        phases.push([e.data.progress.message, Math.round(performance.now() - t0)]);
      } else if (e.data && e.data.type === 'result') {
        worker.removeEventListener('message', onMessage);
        const result = { ms: performance.now() - t0, workerMs: e.data.ms, presentation: e.data.presentation, phases };
        // As the wallet does before it returns to the service: wait (5 s at most) until the worker
        // has derived and stored the linear base this proof left, so the next proof never starts
        // during that work (its memory still counts in this proof's peak).
        const settled = (ev) => {
          if (ev.data && ev.data.type === 'base-settled' && ev.data.id === m.id) {
            worker.removeEventListener('message', settled);
            resolve(result);
          }
        };
        worker.addEventListener('message', settled);
        setTimeout(() => resolve(result), 5000);
      } else if (e.data && e.data.type === 'error') {
        worker.removeEventListener('message', onMessage);
        reject(new Error(e.data.error.code + ': ' + e.data.error.message));
      }
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', (e) => reject(new Error('worker failed: ' + e.message)), { once: true });
    worker.postMessage(m);
  });
}`;

/** Runs in the page: the wallet's prepare message (prover-protocol.ts) to the page's worker; resolves with its answer. */
const IN_PAGE_PREPARE = `async (request) => {
  window.benchWorker ??= new Worker('/assets/prover-worker.js', { type: 'module', name: 'zkid-prover' });
  const worker = window.benchWorker;
  return await new Promise((resolve) => {
    const onMessage = (e) => {
      if (e.data && e.data.type === 'prepared' && e.data.id === 0) {
        worker.removeEventListener('message', onMessage);
        resolve({ ms: e.data.ms, error: e.data.error });
      }
    };
    worker.addEventListener('message', onMessage);
    worker.postMessage({ type: 'prepare', id: 0, request });
  });
}`;

interface PageResult {
  ms: number;
  workerMs: number;
  presentation: Presentation;
  bytes?: number;
  artifactBytes?: number;
  /** the worker's progress reports: [message, ms since the proof was posted] */
  phases?: [string, number][];
  /** the renderer's peak resident set during the proof (scripts/bench/memory.ts) */
  memory?: ProofMemory;
}

/** ", peak 212 MiB" for a progress line, when the proof's memory was measured, then where the time went. */
function mib(r: PageResult): string {
  const memory = r.memory
    ? `, renderer peak ${(r.memory.peak / 2 ** 20).toFixed(0)} MiB (${(r.memory.before / 2 ** 20).toFixed(0)} before), private ${((r.memory.privatePeak ?? 0) / 2 ** 20).toFixed(0)} MiB (${((r.memory.privateBefore ?? 0) / 2 ** 20).toFixed(0)} before)`
    : '';
  const phases = r.phases?.length ? `\n    phases (ms after posting): ${r.phases.map(([m, at]) => `${at} ${m}`).join(' | ')}` : '';
  return memory + phases;
}

/** The wallet's own origin next to the service at `url`, on a free port. */
async function startWallet(url: string): Promise<{ base: string; server: Server }> {
  const mod = (await import(join(ROOT, 'src', 'server', 'wallet-app.ts'))) as {
    createWalletApp(o: { serviceBaseUrl: string }): import('node:http').RequestListener;
  };
  const server = createServer(mod.createWalletApp({ serviceBaseUrl: url }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/**
 * Chromium's time to decode the holder's compact proving key (decodeCompactZkey, bundled alone by
 * esbuild), in a page on the service's origin, from the bytes the service serves; median of `runs`
 * after one warm-up.
 */
export async function decodeInChromium(
  browser: import('playwright-core').Browser,
  url: string,
  zkcUrl: string,
  runs: number,
): Promise<number> {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [join(ROOT, 'src', 'prover', 'compact-zkey.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'compactZkey',
    platform: 'browser',
    write: false,
  });
  const code = out.outputFiles[0]?.text ?? '';
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${url}/v1/registry/root`, { waitUntil: 'load' });
    const times = (await page.evaluate(`(async () => {
      ${code}
      const bytes = new Uint8Array(await (await fetch(${JSON.stringify(zkcUrl)})).arrayBuffer());
      const times = [];
      for (let i = 0; i <= ${runs}; i++) {
        const t0 = performance.now();
        compactZkey.decodeCompactZkey(bytes);
        times.push(performance.now() - t0);
      }
      return times.slice(1);
    })()`)) as number[];
    return summarize(times).median;
  } finally {
    await context.close();
  }
}

/**
 * Cold and warm proofs in the wallet's worker. `o.memory`, when given, receives the peak memory
 * rows (the renderer process's peak resident set per proof; Linux only).
 */
export async function benchBrowser(
  url: string,
  o: { cold: number; warm: number; memory?: MemoryRow[]; onDecode?: (ms: number, note: string) => void },
): Promise<BrowserRow[]> {
  const { chromium } = await import('playwright-core');
  const wallet = await startWallet(url);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const version = browser.version();
  const cdp = o.memory && peakResetAvailable() ? await browser.newBrowserCDPSession() : undefined;
  const holder = await enrolHolder(url);
  const cold: PageResult[] = [];
  const warm: PageResult[] = [];
  const revisit: PageResult[] = [];
  const prepared: PageResult[] = [];
  const prepareMs: number[] = [];
  /** Bytes received (bodies as sent) by a context's pages and their workers, total and artifacts. */
  const meter = (context: import('playwright-core').BrowserContext) => {
    const m = { bytes: 0, artifactBytes: 0 };
    context.on('requestfinished', async (req) => {
      try {
        const sizes = await req.sizes();
        const n = sizes.responseBodySize + sizes.responseHeadersSize;
        m.bytes += n;
        if (req.url().includes('/v1/artifacts/')) m.artifactBytes += n;
      } catch {
        // a request whose sizes are gone (page closed) counts nothing
      }
    });
    return m;
  };
  const prove = async (page: import('playwright-core').Page): Promise<PageResult> => {
    const request = await newRequest(url);
    // The wallet's worker resolves nothing itself: artifact URLs are made absolute on the service.
    if (request.artifacts) {
      for (const k of ['wasm', 'zkey'] as const) request.artifacts[k].url = new URL(request.artifacts[k].url, `${url}/`).href;
    }
    const msg = {
      type: 'prove',
      id: 1,
      credential: holder.credential,
      holderSecret: holder.secret.toString(),
      request,
      revocation: holder.bucket,
      expectedServiceId: request.serviceId,
      allowIdentifying: false,
    };
    const peak = cdp ? await rendererPeak(cdp) : undefined;
    const r = (await page.evaluate(`(${IN_PAGE})(${JSON.stringify(msg)})`)) as PageResult;
    if (peak) r.memory = { ...(await peak()), ms: r.ms };
    const v = await submitPresentation(url, r.presentation);
    if (v.status !== 200) throw new Error(`the browser's presentation was not accepted: ${v.status} ${JSON.stringify(v.body)}`);
    return r;
  };
  try {
    for (let i = 0; i < o.cold; i++) {
      const context = await browser.newContext();
      const m = meter(context);
      try {
        const page = await context.newPage();
        await page.goto(`${wallet.base}/`, { waitUntil: 'load' });
        const before = { ...m };
        const r = await step(`browser: cold proof ${i + 1}/${o.cold}`, () => prove(page));
        await new Promise((res) => setTimeout(res, 200));
        cold.push({ ...r, bytes: m.bytes - before.bytes, artifactBytes: m.artifactBytes - before.artifactBytes });
        process.stderr.write(`  ${r.ms.toFixed(0)} ms, ${m.bytes - before.bytes} bytes received${mib(r)}\n`);
        // Warm proofs run in the last cold page's worker, right after its first proof.
        if (i === o.cold - 1) {
          for (let j = 0; j < o.warm; j++) {
            const w = await prove(page);
            warm.push(w);
            process.stderr.write(`  warm proof ${j + 1}/${o.warm}: ${w.ms.toFixed(0)} ms${mib(w)}\n`);
          }
        }
        // The holder comes back later: the first page is gone; a new page and worker in the same
        // browser profile (its Cache Storage) prove.
        await page.close();
        const again = await context.newPage();
        await again.goto(`${wallet.base}/`, { waitUntil: 'load' });
        const before2 = { ...m };
        const r2 = await prove(again);
        await new Promise((res) => setTimeout(res, 200));
        revisit.push({ ...r2, bytes: m.bytes - before2.bytes, artifactBytes: m.artifactBytes - before2.artifactBytes });
        process.stderr.write(
          `  revisit: ${r2.ms.toFixed(0)} ms, ${m.artifactBytes - before2.artifactBytes} artifact bytes received${mib(r2)}\n`,
        );
        await again.close();
      } finally {
        await context.close();
      }
    }
    // The wallet prepares while the holder reads the request: a new context, prepare, then the click.
    for (let i = 0; i < o.cold; i++) {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${wallet.base}/`, { waitUntil: 'load' });
        const request = await newRequest(url);
        for (const k of ['wasm', 'zkey'] as const) {
          if (request.artifacts) request.artifacts[k].url = new URL(request.artifacts[k].url, `${url}/`).href;
        }
        const p = (await page.evaluate(`(${IN_PAGE_PREPARE})(${JSON.stringify(request)})`)) as { ms: number; error?: string };
        if (p.error) throw new Error(`the worker could not prepare: ${p.error}`);
        prepareMs.push(p.ms);
        const r = await step(`browser: cold proof after preparing ${i + 1}/${o.cold}`, () => prove(page));
        prepared.push(r);
        process.stderr.write(`  prepared in ${p.ms.toFixed(0)} ms, then the proof: ${r.ms.toFixed(0)} ms${mib(r)}\n`);
      } finally {
        await context.close();
      }
    }
    if (o.onDecode) {
      const zkcUrl = new URL((await newRequest(url)).artifacts?.zkey.url ?? '', `${url}/`).href;
      const ms = await step('browser: decode the compact proving key', () => decodeInChromium(browser, url, zkcUrl, 5));
      o.onDecode(ms, `Chromium ${version} headless, decodeCompactZkey on the main thread, median of 5 after a warm-up`);
    }
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => wallet.server.close(() => resolve()));
  }
  const median = (xs: number[]) => summarize(xs).median;
  if (o.memory) {
    const measured = `peak RSS (VmHWM, reset just before each proof) of the Chromium ${version} headless renderer process holding the wallet page, its proving worker and snarkjs's workers (Chromium's other processes not counted); private: the same renderer's anonymous resident memory (RssAnon), sampled every 5 ms`;
    for (const [kind, rs, how] of [
      ['cold', cold, 'a new context: artifacts fetched, hash-checked and compiled, a new worker'],
      ['revisit', revisit, 'a new page and worker in a profile that proved before (its earlier page closed): artifacts from Cache Storage'],
      ['warm', warm, 'the same worker after its first proof, once that proof had settled its linear base (as the wallet waits for)'],
    ] as const) {
      const ms = rs.flatMap((r) => (r.memory ? [r.memory] : []));
      if (ms.length) o.memory.push(memoryRow('browser', kind, ms, measured, how));
    }
  }
  const rows: BrowserRow[] = [];
  const traffic = (rs: PageResult[]) =>
    rs.every((r) => r.bytes !== undefined)
      ? { bytes: median(rs.map((r) => r.bytes as number)), artifactBytes: median(rs.map((r) => r.artifactBytes as number)) }
      : {};
  if (cold.length) {
    rows.push({
      kind: 'cold',
      stat: summarize(cold.map((r) => r.ms)),
      workerMs: median(cold.map((r) => r.workerMs)),
      ...traffic(cold),
      note: `Chromium ${version} headless, new context and worker: artifacts fetched from the service, hash-checked, compiled`,
    });
  }
  if (revisit.length) {
    rows.push({
      kind: 'revisit',
      stat: summarize(revisit.map((r) => r.ms)),
      workerMs: median(revisit.map((r) => r.workerMs)),
      ...traffic(revisit),
      note: `Chromium ${version} headless, a new page and worker in a profile that proved before (its earlier page closed): artifacts from Cache Storage, hash-checked`,
    });
  }
  if (prepared.length) {
    rows.push({
      kind: 'cold-prepared',
      stat: summarize(prepared.map((r) => r.ms)),
      workerMs: median(prepared.map((r) => r.workerMs)),
      note: `Chromium ${version} headless, new context; the worker first prepared the request as the wallet does while showing it (${Math.round(median(prepareMs))} ms: artifacts, curve engine, witness generator, the key's shape check), then timed from the holder's click`,
    });
  }
  if (warm.length) {
    rows.push({
      kind: 'warm',
      stat: summarize(warm.map((r) => r.ms)),
      workerMs: median(warm.map((r) => r.workerMs)),
      note: `Chromium ${version} headless, the same worker after its first proof, once each proof had settled its linear base (as the wallet waits for)`,
    });
  }
  return rows;
}
