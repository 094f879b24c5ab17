/**
 * Public registry routes: the current revocation root and its history, revocation buckets (for
 * private witness refresh: a bucket covers 2^10 leaves, about 258,000 serials, so fetching one
 * does not say which credential the holder has), the full snapshot, and the circuit artifacts.
 *
 * Registry data changes with every revocation: `Cache-Control: no-cache` with an ETag, so clients
 * revalidate cheaply (304). Buckets and the snapshot say how many live credentials they cover
 * (`issuedCount`): the anonymity set of a holder who fetched them. The snapshot is served gzip or
 * brotli by Accept-Encoding (`Vary: Accept-Encoding`, one weak ETag for every encoding).
 * Root records carry the issuer's signatures (src/revocation/root.ts): /roots serves them by
 * revision (`?since=`) for verifiers that follow this registry, and the root, every bucket and the
 * snapshot carry the current record (`rootRecord`) so the holder checks the root its data yields.
 * Artifacts never change under a hash: strong ETag = "<sha256>", `immutable`, and the request's
 * artifact URLs carry `?sha256=` so a new build gets a new URL. Their brotli and gzip forms come
 * from the production build (`npm run build` writes dist/artifacts/<sha256>.br and .gz; checked
 * against the sha256 when first read) or, when those are missing or wrong (a tsx run from src/),
 * are made on the first request that accepts one (that request waits for them); kept either way.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip } from 'node:zlib';
import type { Express, NextFunction, Request, Response } from 'express';
import { isCanonicalDecimal } from '../../field.ts';
import { rootRecordToJson } from '../../revocation/root.ts';
import { DEFAULT_BUCKET_BITS, DEFAULT_SHAPE } from '../../revocation/tree.ts';
import { compressForDownload } from '../artifact-compression.ts';
import { type AppContext, param } from '../context.ts';
import { HttpError } from '../http-error.ts';
import { rootsQuery } from '../registry-schemas.ts';
import { parseOrThrow } from '../schemas.ts';

/** Readable from any origin: wallets elsewhere may fetch public registry data and artifacts. */
function publicResource(_req: Request, res: Response, next: NextFunction): void {
  res.set({ 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' });
  next();
}

/** Does If-None-Match name this ETag (weak comparison)? */
function notModified(req: Request, etag: string): boolean {
  const inm = req.get('if-none-match');
  const bare = etag.replace(/^W\//, '');
  return inm !== undefined && (inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === bare));
}

interface ServedArtifact {
  path: string;
  sha256: string;
  contentType: string;
}

/** An artifact's brotli and gzip forms (either absent when its compression failed). */
interface Encoded {
  br?: Buffer;
  gzip?: Buffer;
}

/**
 * Compressed forms by the artifact's sha256, shared by every app in the process, read (or made) on
 * the first request that accepts a compressed form (zlib's thread pool; later requests reuse them).
 * Not at start: most processes never serve an artifact (verifier-only instances behind a CDN, the
 * test suite's apps); compressing the default circuit's files costs ~2 s of CPU, which is why the
 * build does it once (scripts/build.mjs, with the same compressForDownload).
 */
const compressedBySha = new Map<string, Promise<Encoded>>();

/** Compress an artifact for download (compressForDownload: the build's settings). */
async function compress(path: string, logger: AppContext['logger']): Promise<Encoded> {
  try {
    return await compressForDownload(await readFile(path));
  } catch (err) {
    logger.error({ err, path }, 'artifact compression failed: serving uncompressed');
    return {};
  }
}

/**
 * Where the production build leaves the artifacts' compressed forms (scripts/build.mjs): dist/artifacts/
 * next to dist/server/ when this module runs compiled; from src/ (tsx) the directory is absent.
 */
export const PRECOMPRESSED_DIR = fileURLToPath(new URL('../../artifacts/', import.meta.url));

const brotliDecode = promisify(brotliDecompress);
const gunzipAsync = promisify(gunzip);

/**
 * The build's compressed forms of the artifact with this sha256 from `dir` (<sha256>.br and .gz),
 * each decoded and checked against the sha256 before it is served.
 * @returns undefined when either is missing, unreadable or decodes to other bytes
 */
export async function precompressedForms(dir: string, sha256: string): Promise<Required<Encoded> | undefined> {
  try {
    const [br, gz] = await Promise.all([readFile(join(dir, `${sha256}.br`)), readFile(join(dir, `${sha256}.gz`))]);
    const [a, b] = await Promise.all([brotliDecode(br), gunzipAsync(gz)]);
    const digest = (x: Buffer) => createHash('sha256').update(x).digest('hex');
    return digest(a) === sha256 && digest(b) === sha256 ? { br, gzip: gz } : undefined;
  } catch {
    return undefined;
  }
}

/** The artifact's compressed forms: once per process (the first caller reads or makes them, the rest wait). */
function compressedForms(a: ServedArtifact, logger: AppContext['logger']): Promise<Encoded> {
  let forms = compressedBySha.get(a.sha256);
  if (!forms) {
    forms = precompressedForms(PRECOMPRESSED_DIR, a.sha256).then((built) => {
      if (built) return built;
      logger.info(
        { path: a.path, dir: PRECOMPRESSED_DIR },
        'no valid precompressed forms of this artifact from the build: compressing it now',
      );
      return compress(a.path, logger);
    });
    compressedBySha.set(a.sha256, forms);
  }
  return forms;
}

/** The best encoding the client accepts among those ready: br, then gzip, else identity. */
export function chooseEncoding(acceptEncoding: string | undefined, ready: { br?: unknown; gzip?: unknown }): 'br' | 'gzip' | undefined {
  if (!acceptEncoding) return undefined;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q ? Number(q.slice(2)) : 1;
    if (name) accepted.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const ok = (e: string) => (accepted.get(e) ?? accepted.get('*') ?? 0) > 0;
  if (ready.br && ok('br')) return 'br';
  if (ready.gzip && ok('gzip')) return 'gzip';
  return undefined;
}

/** sha256 of files already read, by path, while their size and mtime stay the same (tests build many apps). */
const hashed = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

function fileSha256(path: string): string {
  const { size, mtimeMs } = statSync(path);
  const known = hashed.get(path);
  if (known && known.size === size && known.mtimeMs === mtimeMs) return known.sha256;
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  hashed.set(path, { size, mtimeMs, sha256 });
  return sha256;
}

/**
 * The artifacts of the configured circuit, by file name, each checked against the manifest's
 * sha256 at start: a service never serves (or verifies with) a file that differs from its manifest.
 * @throws Error naming the file whose hash differs
 */
export function artifactTable(ctx: AppContext): Map<string, ServedArtifact> {
  const { manifest, dir } = ctx.circuit;
  const table = new Map<string, ServedArtifact>();
  const types: Record<string, string> = {
    wasm: 'application/wasm',
    zkey: 'application/octet-stream',
    zkc: 'application/octet-stream',
    vkey: 'application/json',
  };
  for (const kind of ['wasm', 'zkey', 'zkc', 'vkey'] as const) {
    const entry = manifest.artifacts[kind];
    if (!entry) continue; // zkc: the holder's compact proving key, in builds that have one
    const path = join(dir, entry.file);
    const actual = fileSha256(path);
    if (actual !== entry.sha256)
      throw new Error(`${path} has sha256 ${actual}, but the manifest says ${entry.sha256}: rebuild the circuit`);
    table.set(entry.file, { path, sha256: entry.sha256, contentType: types[kind] as string });
  }
  return table;
}

export function registerRegistryRoutes(app: Express, ctx: AppContext): void {
  const { registry, config, clock } = ctx;

  if (config.roles.registry) {
    app.get('/v1/registry/root', publicResource, async (_req, res) => {
      const snapshot = await registry.servedSnapshot();
      res.set('Cache-Control', 'no-cache').json({
        root: registry.root,
        revision: registry.revision,
        publishedAt: registry.publishedAt.toISOString(),
        rootRecord: registry.currentRecordJson(),
        shape: DEFAULT_SHAPE,
        bucketBits: DEFAULT_BUCKET_BITS,
        accepted: registry.acceptedRoots(clock(), config.roots),
        window: config.roots,
        // credentials issued and not revoked: the anonymity set of a holder who takes the snapshot
        issued: snapshot.issuedCount,
        // the snapshot's size gzip-compressed (brotli is smaller still): small enough to take whole?
        snapshotBytes: snapshot.gzip.length,
      });
    });

    app.get('/v1/registry/roots', publicResource, (req, res) => {
      const q = parseOrThrow(rootsQuery, req.query, 'INVALID_PARAMETER');
      res.set('Cache-Control', 'no-cache').json({
        roots: registry.history(q.limit ?? 50, q.since).map(rootRecordToJson),
        accepted: registry.acceptedRoots(clock(), config.roots),
      });
    });

    app.get('/v1/registry/buckets/:index', publicResource, (req, res) => {
      const raw = param(req, 'index');
      const index = isCanonicalDecimal(raw, 10) ? Number(raw) : Number.NaN;
      if (!(index >= 0 && index < registry.bucketCount)) {
        throw new HttpError('INVALID_PARAMETER', `bucket index must be an integer from 0 to ${registry.bucketCount - 1}`);
      }
      res.set('Cache-Control', 'no-cache').json(registry.exportBucket(index));
    });

    app.get('/v1/registry/snapshot', publicResource, async (req, res) => {
      const snapshot = await registry.servedSnapshot();
      res.set({
        'Cache-Control': 'no-cache',
        Vary: 'Accept-Encoding',
        ETag: snapshot.etag,
        'Content-Type': 'application/json; charset=utf-8',
      });
      if (notModified(req, snapshot.etag)) {
        res.status(304).end();
        return;
      }
      // Brotli when accepted (smallest), else gzip, else plain JSON; no Accept-Encoding: plain JSON
      // (the RFC allows any coding then, but such clients rarely decode).
      const header = req.get('accept-encoding');
      const encoding = !header ? 'identity' : req.acceptsEncodings('br') ? 'br' : req.acceptsEncodings('gzip') ? 'gzip' : 'identity';
      if (encoding === 'br' || encoding === 'gzip') {
        res.set('Content-Encoding', encoding).send(encoding === 'br' ? snapshot.br : snapshot.gzip);
        return;
      }
      res.send(snapshot.json);
    });
  }

  if (config.roles.registry || config.roles.verifier) {
    const table = artifactTable(ctx);
    app.get('/v1/artifacts/:circuit/:file', publicResource, async (req, res, next) => {
      const circuitName = param(req, 'circuit');
      const file = param(req, 'file');
      const artifact = circuitName === ctx.circuit.instance ? table.get(file) : undefined;
      const wanted = req.query.sha256;
      if (!artifact || (wanted !== undefined && wanted !== artifact.sha256)) {
        throw new HttpError(
          'ARTIFACT_NOT_FOUND',
          `no artifact ${circuitName.slice(0, 100)}/${file.slice(0, 100)}${typeof wanted === 'string' ? ` with sha256 ${wanted.slice(0, 64)}` : ''}`,
        );
      }
      // The ETag is the sha256 of the artifact itself: strong for the file as it is, weak for a
      // compressed form of it (same content, other bytes), so a cached copy of either revalidates.
      const accept = req.get('accept-encoding');
      const etag = `"${artifact.sha256}"`;
      const headers = {
        'Cache-Control': 'public, max-age=31536000, immutable',
        'Content-Type': artifact.contentType,
        Vary: 'Accept-Encoding',
      };
      // A revalidation is answered before anything is compressed.
      const inm = req.get('if-none-match');
      if (inm && (inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag))) {
        const weak = chooseEncoding(accept, { br: true, gzip: true }) !== undefined;
        res
          .set({ ...headers, ETag: weak ? `W/${etag}` : etag })
          .status(304)
          .end();
        return;
      }
      const encoded = chooseEncoding(accept, { br: true, gzip: true }) ? await compressedForms(artifact, ctx.logger) : {};
      const encoding = chooseEncoding(accept, encoded);
      res.set({ ...headers, ETag: encoding ? `W/${etag}` : etag });
      const body = encoding ? encoded[encoding] : undefined;
      if (encoding && body) {
        res.set({ 'Content-Encoding': encoding, 'Content-Length': String(body.length) });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      res.sendFile(artifact.path, { etag: false, lastModified: false, cacheControl: false, dotfiles: 'deny' }, (err) => {
        if (err && !res.headersSent) next(err);
      });
    });
  }
}
