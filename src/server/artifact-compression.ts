/**
 * How circuit artifacts are compressed for download, in one place: the production build
 * (scripts/build.mjs, which imports the compiled copy of this module) and the service's run-time
 * fallback (src/server/routes/registry.ts) make the same bytes.
 */
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlibConstants } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Brotli quality 5 with a 16 MiB window (the default circuit's wasm + zkey go from 18.2 MB to
 * 5.5 MB in about 2 s here; quality 11 saves 2 % more in 80 s) and gzip level 6 for clients
 * without brotli; both on zlib's thread pool.
 */
export async function compressForDownload(bytes: Uint8Array): Promise<{ br: Buffer; gzip: Buffer }> {
  const [br, gz] = await Promise.all([
    brotli(bytes, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 5,
        [zlibConstants.BROTLI_PARAM_LGWIN]: 24,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
    gzipAsync(bytes, { level: 6 }),
  ]);
  return { br, gzip: gz };
}
