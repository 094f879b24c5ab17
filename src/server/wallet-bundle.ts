/**
 * Builds the browser wallet with esbuild: three ES modules from src/wallet/ into
 * src/server/public/assets/ (gitignored), which the app serves with the rest of
 * src/server/public/ as static files:
 *   assets/wallet.js         the wallet page (`/`)
 *   assets/service.js        the service demo page (`/service.html`)
 *   assets/prover-worker.js  the Web Worker that runs the library's generateProof
 *
 * `platform: 'browser'` selects the browser conditions: `#read-bytes` resolves to the fetch-only
 * reader (package.json "imports") and snarkjs and ffjavascript to their browser builds, so the
 * worker proves with the same prover module as the library, and nothing Node-only is bundled.
 *
 * `npm start` runs this first (the "prestart" script): `tsx src/server/wallet-bundle.ts [outdir]`.
 * The browser test calls buildWalletBundle() with a temporary directory.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where `npm start` puts the bundle: under the app's static directory. */
export const DEFAULT_ASSETS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public', 'assets');

/** Output name (without .js) -> entry point, relative to the repository root. */
export const WALLET_ENTRY_POINTS: Record<string, string> = {
  wallet: 'src/wallet/wallet.ts',
  service: 'src/wallet/service.ts',
  'prover-worker': 'src/wallet/prover-worker.ts',
};

export interface WalletBundle {
  outdir: string;
  files: { path: string; bytes: number }[];
  /** inputs of the bundle (repository-relative), for tests that check what went in */
  inputs: string[];
  ms: number;
}

/**
 * Bundle the wallet into `outdir` (created if missing). Each file is written under a temporary
 * name and renamed, so a running server never serves half a file.
 * @throws Error with esbuild's messages when the build fails
 */
export async function buildWalletBundle(o: { outdir?: string; minify?: boolean } = {}): Promise<WalletBundle> {
  const started = performance.now();
  const outdir = resolve(o.outdir ?? DEFAULT_ASSETS_DIR);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: WALLET_ENTRY_POINTS,
    outdir,
    entryNames: '[name]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: o.minify ?? true,
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
    if (f.path.endsWith('.js')) files.push({ path: f.path, bytes: f.contents.byteLength });
  }
  return { outdir, files, inputs: Object.keys(result.metafile.inputs), ms: performance.now() - started };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWalletBundle(process.argv[2] ? { outdir: process.argv[2] } : {}).then(
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
