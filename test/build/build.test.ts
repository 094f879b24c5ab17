/**
 * The production build (`npm run build`, scripts/build.mjs): compiled JavaScript in dist/ that plain
 * `node` runs. test/global-setup.ts runs the build once before any test file (this file asserts on
 * its log and its output: building again here would swap dist/ under the other files' servers and
 * CLI processes); this file starts the compiled service (no tsx loader anywhere: its worker threads
 * too) on a temporary data directory, asks /healthz and the wallet's page, stops it by process
 * group, and runs the compiled CLI.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { circuitBuild } from '../../src/circuit/artifacts-node.ts';
import { precompressedForms } from '../../src/server/routes/registry.ts';
import { killAll, start, stop } from '../helpers/server-process.ts';
import { removeDir, tempDir } from '../server/helpers.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dist');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const dataDir = tempDir('zkid-build-');
let buildLog = '';

beforeAll(() => {
  // The global setup's build (its stdout and stderr); it fails the run when the build fails.
  buildLog = readFileSync(inject('distBuild').logFile, 'utf8');
});

afterAll(() => {
  killAll();
  removeDir(dataDir);
});

/** Every file under `dir`, repository-relative. */
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('npm run build', () => {
  it('shows its progress and writes compiled JavaScript only: no .ts imports, no tsx', () => {
    expect(buildLog).toMatch(/modules transpiled/);
    expect(buildLog).toMatch(/browser bundles/);
    expect(buildLog).toMatch(/done/);
    const js = files(DIST).filter((f) => /\.m?js$/.test(f) && !f.startsWith(join(DIST, 'server', 'public')));
    expect(js).toContain(join(DIST, 'server', 'main.js'));
    expect(js).toContain(join(DIST, 'server', 'verify-worker.mjs'));
    expect(js).toContain(join(DIST, 'cli', 'main.js'));
    for (const f of js) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/(from|import\()\s*["'][^"']+\.ts["']/);
      expect(text, f).not.toMatch(/["']tsx(\/[^"']*)?["']/);
      expect(text, f).not.toMatch(/["']#read-bytes["']/);
    }
    for (const asset of ['wallet.js', 'prover-worker.js', 'style.css']) {
      expect(files(join(DIST, 'server', 'public', 'wallet', 'assets')).map((f) => f.split('/').pop())).toContain(asset);
    }
  });

  it('compresses the circuit artifacts for download, named by the sha256 of their content', () => {
    expect(buildLog).toMatch(/circuit artifacts compressed for download: \d+ made, \d+ reused/);
    const { manifest } = circuitBuild();
    const kinds = ['wasm', 'zkey', 'zkc'] as const;
    for (const kind of kinds) {
      const a = manifest.artifacts[kind];
      if (!a) continue;
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      const br = readFileSync(join(DIST, 'artifacts', `${a.sha256}.br`));
      const gz = readFileSync(join(DIST, 'artifacts', `${a.sha256}.gz`));
      expect(sha(brotliDecompressSync(br)), kind).toBe(a.sha256);
      expect(sha(gunzipSync(gz)), kind).toBe(a.sha256);
      expect(br.length).toBeLessThan(a.bytes);
    }
  });

  it("the service serves the build's compressed forms only when they decode to the named content", async () => {
    const { manifest } = circuitBuild();
    const wasm = manifest.artifacts.wasm;
    const dir = tempDir('zkid-precompressed-');
    try {
      for (const ext of ['br', 'gz']) copyFileSync(join(DIST, 'artifacts', `${wasm.sha256}.${ext}`), join(dir, `${wasm.sha256}.${ext}`));
      const good = await precompressedForms(dir, wasm.sha256);
      expect(good?.br.equals(readFileSync(join(dir, `${wasm.sha256}.br`)))).toBe(true);
      // Named by another content's sha256 (a stale or swapped file): refused, so compressed anew.
      const zkey = manifest.artifacts.zkey;
      for (const ext of ['br', 'gz']) copyFileSync(join(dir, `${wasm.sha256}.${ext}`), join(dir, `${zkey.sha256}.${ext}`));
      expect(await precompressedForms(dir, zkey.sha256)).toBeUndefined();
      // Cut short (a crash while writing): refused.
      const br = readFileSync(join(dir, `${wasm.sha256}.br`));
      writeFileSync(join(dir, `${wasm.sha256}.br`), br.subarray(0, br.length >> 1));
      expect(await precompressedForms(dir, wasm.sha256)).toBeUndefined();
      // One form missing: refused.
      mkdirSync(join(dir, 'only-gz'));
      copyFileSync(join(DIST, 'artifacts', `${wasm.sha256}.gz`), join(dir, 'only-gz', `${wasm.sha256}.gz`));
      expect(await precompressedForms(join(dir, 'only-gz'), wasm.sha256)).toBeUndefined();
    } finally {
      removeDir(dir);
    }
  });

  it('imports at run time only node: builtins and packages in "dependencies" (so npm ci --omit=dev suffices)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const bare = new Set<string>();
    for (const f of files(DIST).filter((x) => /\.m?js$/.test(x) && !x.startsWith(join(DIST, 'server', 'public')))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)["']([^"'.#/][^"']*)["']/gm)) {
        const spec = m[1] as string;
        bare.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
      }
    }
    expect(bare.size).toBeGreaterThan(5);
    const outside = [...bare].filter((name) => !name.startsWith('node:') && !(name in pkg.dependencies));
    expect(outside).toEqual([]);
  });

  it('the compiled service runs with plain node: /healthz, the wallet page and its worker script, then a graceful stop', async () => {
    // "listening" comes after the verification worker threads reported ready.
    const s = await start({ dataDir, detached: true });

    const health = await fetch(`${s.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const page = await fetch(`${s.walletBase}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<script[^>]+assets\/wallet\.js/);
    const worker = await fetch(`${s.walletBase}/assets/prover-worker.js`);
    expect(worker.status).toBe(200);
    expect((await worker.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    const demo = await fetch(`${s.base}/service.html`);
    expect(demo.status).toBe(200);
    // The wasm as the build compressed it: the very bytes of dist/artifacts/<sha256>.br.
    const { instance, manifest } = circuitBuild();
    const wasm = manifest.artifacts.wasm;
    const res = await fetch(`${s.base}/v1/artifacts/${instance}/${wasm.file}`, { headers: { 'Accept-Encoding': 'br' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('etag')).toBe(`W/"${wasm.sha256}"`);
    expect(Number(res.headers.get('content-length'))).toBe(readFileSync(join(DIST, 'artifacts', `${wasm.sha256}.br`)).length);
    await res.arrayBuffer();
    expect(s.stdout()).not.toContain('no valid precompressed forms');

    // Detached: SIGTERM goes to its process group.
    expect(await stop(s)).toBe(0);
    expect(s.stdout()).toContain('"msg":"stopped"');
    expect(s.stderr()).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION|failed to start/);
  }, 300_000);

  it('the compiled CLI prints its version and finds the committed circuit artifacts', async () => {
    const v = await run(process.execPath, ['dist/cli/main.js', '--version'], { cwd: ROOT, timeout: 120_000 });
    expect(v.stdout.trim()).toBe(VERSION);
    // From another working directory: the artifacts are found from the module's own location.
    const info = await run(process.execPath, [join(DIST, 'cli', 'main.js'), 'circuit', 'info'], { cwd: '/', timeout: 120_000 });
    expect(info.stdout).toMatch(/^constraints\s+\d+/m);
    expect(info.stdout).toMatch(/^zkeySha256\s+[0-9a-f]{64}/m);
    // The `zkid` bin: the compiled CLI when the build is current, the sources through tsx otherwise.
    const bin = await run(process.execPath, ['src/cli/bin.js', '--version'], { cwd: ROOT, timeout: 120_000 });
    expect(bin.stdout.trim()).toBe(VERSION);
  }, 300_000);
});
