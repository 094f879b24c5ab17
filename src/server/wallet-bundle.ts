/**
 * Builds the browser pages with esbuild into the two public directories (their assets/ are
 * gitignored), one per origin:
 *   public/wallet/assets/   served by the wallet's own origin (src/server/wallet-app.ts)
 *     wallet.js             the wallet page (`/`)
 *     prover-worker.js      the Web Worker that runs the library's generateProof
 *     style.css
 *   public/service/assets/  served by the service (the relying party's demo page)
 *     service.js            `/service.html`
 *     style.css
 *
 * `platform: 'browser'` selects the browser conditions: `#read-bytes` resolves to the fetch-only
 * reader (package.json "imports") and snarkjs and ffjavascript to their browser builds, so the
 * worker proves with the same prover module as the library, and nothing Node-only is bundled.
 *
 * `npm run build` (also the "prestart" script, scripts/build.mjs) builds these bundles into
 * dist/server/public/; `npm run dev` runs `tsx src/server/wallet-bundle.ts [publicDir]` first.
 * The browser test calls buildWalletBundle() with a copy of the public directory.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The public directory: `wallet/` and `service/` below it, and the shared style.css. */
export const DEFAULT_PUBLIC_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'public');
/** What the wallet's origin serves. */
export const WALLET_PUBLIC_DIR = join(DEFAULT_PUBLIC_ROOT, 'wallet');
/** What the service's origin serves. */
export const SERVICE_PUBLIC_DIR = join(DEFAULT_PUBLIC_ROOT, 'service');

/** Per origin: output name (without extension) -> entry point, relative to the repository root. */
export const ENTRY_POINTS: Record<'wallet' | 'service', Record<string, string>> = {
  wallet: {
    wallet: 'src/wallet/wallet.ts',
    'prover-worker': 'src/wallet/prover-worker.ts',
    style: 'src/server/public/style.css',
  },
  service: {
    service: 'src/wallet/service.ts',
    style: 'src/server/public/style.css',
  },
};

export interface WalletBundle {
  publicDir: string;
  files: { path: string; bytes: number }[];
  /** inputs of the wallet origin's bundle (repository-relative), for tests that check what went in */
  inputs: string[];
  /** inputs of the service page's bundle */
  serviceInputs: string[];
  ms: number;
}

async function buildOne(entryPoints: Record<string, string>, outdir: string, minify: boolean) {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints,
    outdir,
    entryNames: '[name]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: 'linked',
    legalComments: 'eof',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  mkdirSync(outdir, { recursive: true });
  const files: WalletBundle['files'] = [];
  for (const f of result.outputFiles) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
    if (f.path.endsWith('.js') || f.path.endsWith('.css')) files.push({ path: f.path, bytes: f.contents.byteLength });
  }
  return { files, inputs: Object.keys(result.metafile.inputs) };
}

/**
 * Bundle the wallet and the service page into `<publicDir>/wallet/assets` and
 * `<publicDir>/service/assets` (created if missing). Each file is written under a temporary name
 * and renamed, so a running server never serves half a file.
 * @throws Error with esbuild's messages when the build fails
 */
export async function buildWalletBundle(o: { publicDir?: string; minify?: boolean } = {}): Promise<WalletBundle> {
  const started = performance.now();
  const publicDir = resolve(o.publicDir ?? DEFAULT_PUBLIC_ROOT);
  const minify = o.minify ?? true;
  const [wallet, service] = await Promise.all([
    buildOne(ENTRY_POINTS.wallet, join(publicDir, 'wallet', 'assets'), minify),
    buildOne(ENTRY_POINTS.service, join(publicDir, 'service', 'assets'), minify),
  ]);
  return {
    publicDir,
    files: [...wallet.files, ...service.files],
    inputs: wallet.inputs,
    serviceInputs: service.inputs,
    ms: performance.now() - started,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWalletBundle(process.argv[2] ? { publicDir: process.argv[2] } : {}).then(
    (b) => {
      const list = b.files.map((f) => `${relative(ROOT, f.path)} ${(f.bytes / 1024).toFixed(0)} KiB`).join(', ');
      process.stdout.write(`wallet bundle built in ${Math.round(b.ms)} ms: ${list}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`wallet bundle: build failed\n${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
