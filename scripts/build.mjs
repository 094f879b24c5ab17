#!/usr/bin/env node
/**
 * Production build (`npm run build`, and `npm start` runs it first): compiled JavaScript in dist/
 * that plain `node` runs, no tsx. Plain JavaScript itself, so it runs after
 * `npm ci --omit=dev` (esbuild is a runtime dependency).
 *
 *   dist/<path>.js         every Node-side module of src/, one output file per source file, in the
 *                          same place relative to dist/ as the source is to src/: paths that modules
 *                          compute from import.meta.url (circuits/build, package.json,
 *                          circuits/instances.json, the worker script) resolve exactly as from src/
 *   dist/server/verify-worker.mjs   the verification worker's entry (src/ has a tsx-registering shim)
 *   dist/server/public/    the static pages, and the browser bundles (wallet, prover worker, service
 *                          page) built into it by the compiled src/server/wallet-bundle.ts
 *   dist/artifacts/<sha256>.br, .gz   the committed circuit artifacts (circuits/build/*: wasm, zkey,
 *                          zkc) compressed for download, named by the sha256 of their content, so
 *                          the service sends them without compressing at run time (it checks them
 *                          against the sha256 first: src/server/routes/registry.ts); an earlier
 *                          build's files are reused when the content is the same
 *   dist/build-info.json   when and from what the build was made (src/cli/bin.js reads it)
 *
 * Each module is transpiled by esbuild with its imports left as imports: relative `.ts` specifiers
 * become `.js`, the `#read-bytes` subpath import becomes the Node reader's relative path (the
 * package.json "imports" map points at TypeScript sources), packages stay external. Types are not
 * checked here (`npm run typecheck` does that).
 *
 * Usage: node scripts/build.mjs [--out DIR] [--quiet]
 */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/** Browser-only sources: bundled for the browser by wallet-bundle.ts, never run by Node. */
const BROWSER_ONLY = [/^wallet\//, /\.browser\.ts$/];

/** Every .ts module under src/ that Node runs (repository-relative paths below src/). */
function nodeSources(dir = SRC) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'public') out.push(...nodeSources(p));
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
      const rel = relative(SRC, p).split(sep).join('/');
      if (!BROWSER_ONLY.some((re) => re.test(rel))) out.push(rel);
    }
  }
  return out.sort();
}

/** Package imports (package.json "imports") with a browser and a Node variant: dist/ takes the Node one. */
const NODE_VARIANTS = {
  '#read-bytes': join(SRC, 'prover', 'read-bytes.node.ts'),
  '#poseidon-lite': join(SRC, 'poseidon-lite.node.ts'),
};

/** esbuild plugin: keep every import an import, rewritten to point at the compiled file. */
const keepImports = {
  name: 'keep-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const spec = args.path;
      const nodeVariant = NODE_VARIANTS[spec];
      if (nodeVariant) {
        let rel = relative(args.resolveDir, nodeVariant).split(sep).join('/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return { path: rel.replace(/\.ts$/, '.js'), external: true };
      }
      if (spec.startsWith('.')) {
        // Outside src/ (circuits/instances.json): the same relative path works from dist/.
        if (!resolve(args.resolveDir, spec).startsWith(SRC + sep)) return { path: spec, external: true };
        return { path: spec.replace(/\.ts$/, '.js'), external: true };
      }
      return { path: spec, external: true };
    });
  },
};

/**
 * Build into `outDir` (default dist/).
 * @param {{ outDir?: string, log?: (line: string) => void }} [o]
 * @returns {Promise<{ outDir: string, modules: number, ms: number }>}
 */
export async function buildDist(o = {}) {
  const outDir = resolve(o.outDir ?? join(ROOT, 'dist'));
  // The build writes into a fresh directory and swaps it in, so a running server never sees half a build.
  const tmp = `${outDir}.${process.pid}.tmp`;
  try {
    return await buildInto(tmp, outDir, o.log ?? (() => {}));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Compress every committed circuit build's downloadable artifacts into `tmp`/artifacts, reusing
 * `outDir`/artifacts' files of the same sha256, with the service's own compressForDownload
 * (src/server/artifact-compression.ts, from the build just transpiled into `tmp`).
 * A file whose content differs from its manifest is skipped (the service refuses to start with it).
 * @returns how many artifacts were compressed and how many reused
 */
async function compressArtifacts(tmp, outDir, log) {
  const { compressForDownload } = await import(pathToFileURL(join(tmp, 'server', 'artifact-compression.js')).href);
  const dir = join(tmp, 'artifacts');
  mkdirSync(dir, { recursive: true });
  const builds = join(ROOT, 'circuits', 'build');
  let made = 0;
  let reused = 0;
  const jobs = [];
  for (const e of existsSync(builds) ? readdirSync(builds, { withFileTypes: true }) : []) {
    const manifestPath = join(builds, e.name, 'manifest.json');
    if (!e.isDirectory() || !existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    for (const kind of ['wasm', 'zkey', 'zkc']) {
      const a = manifest.artifacts?.[kind];
      if (!a) continue;
      const names = [`${a.sha256}.br`, `${a.sha256}.gz`];
      if (names.every((n) => existsSync(join(outDir, 'artifacts', n)))) {
        for (const n of names) copyFileSync(join(outDir, 'artifacts', n), join(dir, n));
        reused++;
        continue;
      }
      const bytes = readFileSync(join(builds, e.name, a.file));
      if (createHash('sha256').update(bytes).digest('hex') !== a.sha256) {
        log(`build: ${e.name}/${a.file} differs from its manifest's sha256: not compressed`);
        continue;
      }
      jobs.push(
        compressForDownload(bytes).then(({ br, gzip: gz }) => {
          writeFileSync(join(dir, names[0]), br);
          writeFileSync(join(dir, names[1]), gz);
          made++;
        }),
      );
    }
  }
  await Promise.all(jobs);
  return { made, reused };
}

/** Build into `tmp`, then swap it in as `outDir`. */
async function buildInto(tmp, outDir, log) {
  const started = performance.now();
  rmSync(tmp, { recursive: true, force: true });

  const t0 = performance.now();
  const sources = nodeSources();
  await build({
    absWorkingDir: ROOT,
    entryPoints: sources.map((s) => `src/${s}`),
    outbase: 'src',
    outdir: tmp,
    bundle: true,
    plugins: [keepImports],
    format: 'esm',
    platform: 'node',
    target: 'node20.10',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // The worker pool starts './verify-worker.mjs' next to verify-pool.js.
  writeFileSync(
    join(tmp, 'server', 'verify-worker.mjs'),
    "// Worker-thread entry of the compiled service (scripts/build.mjs).\nimport './verify-worker.js';\n",
  );
  log(`build: ${sources.length} modules transpiled (${Math.round(performance.now() - t0)} ms)`);

  const t1 = performance.now();
  const publicDir = join(tmp, 'server', 'public');
  cpSync(join(SRC, 'server', 'public'), publicDir, {
    recursive: true,
    filter: (p) => !/[\\/]assets([\\/]|$)/.test(relative(join(SRC, 'server', 'public'), p)) && !p.endsWith('.gitignore'),
  });
  const walletBundle = await import(pathToFileURL(join(tmp, 'server', 'wallet-bundle.js')).href);
  const bundle = await walletBundle.buildWalletBundle({ publicDir });
  const kib = bundle.files.reduce((n, f) => n + f.bytes, 0) / 1024;
  log(`build: browser bundles (wallet, prover worker, service page) ${Math.round(kib)} KiB (${Math.round(performance.now() - t1)} ms)`);

  const t2 = performance.now();
  const compressed = await compressArtifacts(tmp, outDir, log);
  log(
    `build: circuit artifacts compressed for download: ${compressed.made} made, ${compressed.reused} reused (${Math.round(performance.now() - t2)} ms)`,
  );

  writeFileSync(
    join(tmp, 'build-info.json'),
    `${JSON.stringify({ builtAt: new Date().toISOString(), modules: sources.length, node: process.version }, null, 2)}\n`,
  );
  const old = `${outDir}.${process.pid}.old`;
  if (existsSync(outDir)) cpOrRename(outDir, old);
  mkdirSync(dirname(outDir), { recursive: true });
  cpOrRename(tmp, outDir);
  rmSync(old, { recursive: true, force: true });
  const ms = performance.now() - started;
  log(`build: done, ${relative(process.cwd(), outDir) || '.'}/ in ${(ms / 1000).toFixed(1)} s`);
  return { outDir, modules: sources.length, ms };
}

/** Rename a directory (same file system: atomic), falling back to copy and remove. */
function cpOrRename(from, to) {
  try {
    renameSync(from, to);
  } catch {
    cpSync(from, to, { recursive: true });
    rmSync(from, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out');
  const quiet = args.includes('--quiet');
  buildDist({
    ...(at >= 0 && args[at + 1] ? { outDir: args[at + 1] } : {}),
    log: quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  }).catch((e) => {
    process.stderr.write(`build failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
