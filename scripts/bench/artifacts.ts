/**
 * What a holder downloads for a cold first proof, and what decoding it costs: the default build's
 * circuit wasm, its zkey and the compact proving key (circuit.zkc) the wallet fetches instead,
 * each raw, as the service sends it (brotli quality 5, 16 MiB window; gzip level 6) and at brotli
 * quality 11; the proving key's parse time in Node (prepareZkey: the zkey's sections copied, or
 * the compact key decoded, then the same in-memory key); and, for the record, the compact key with
 * compressed points (x and a sign bit; not built) with its decoding measured on snarkjs's wasm
 * (g1m_CtoLEM / g2m_CtoLEM, a square root per point, on snarkjs's worker threads).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlibConstants } from 'node:zlib';
import { circuitBuild } from '../../src/circuit/artifacts-node.ts';
import { decodeCompactZkey } from '../../src/prover/compact-zkey.ts';
import { curve, prepareZkey } from '../../src/prover/groth16-prove.ts';
import { measure } from './stats.ts';
import type { ArtifactRow } from './types.ts';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

async function brotli(bytes: Uint8Array, quality: number): Promise<number> {
  const out = await brotliAsync(bytes, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: quality,
      [zlibConstants.BROTLI_PARAM_LGWIN]: 24,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  return out.length;
}

async function sizes(bytes: Uint8Array): Promise<Pick<ArtifactRow, 'bytes' | 'br' | 'br11' | 'gzip'>> {
  const [br, br11, gz] = await Promise.all([brotli(bytes, 5), brotli(bytes, 11), gzipAsync(bytes, { level: 6 })]);
  return { bytes: bytes.length, br, br11, gzip: gz.length };
}

/** Non-infinity points of a concatenated LEM affine array. */
function present(points: Uint8Array, size: number): Uint8Array {
  const kept: Uint8Array[] = [];
  for (let i = 0; i < points.length; i += size) {
    const p = points.subarray(i, i + size);
    if (p.some((b) => b !== 0)) kept.push(p);
  }
  const out = new Uint8Array(kept.length * size);
  kept.forEach((p, k) => {
    out.set(p, k * size);
  });
  return out;
}

/** Wall time (ms) to recover `points` from their compressed form on snarkjs's worker threads; checks the result. */
async function decompressMs(G: any, fn: string, points: Uint8Array, size: number): Promise<number> {
  const c = await curve();
  const half = size / 2;
  const n = points.length / size;
  const compressed = new Uint8Array(n * half);
  for (let i = 0; i < n; i++) G.toRprCompressed(compressed, i * half, points.subarray(i * size, i * size + size));
  const t0 = performance.now();
  const per = Math.ceil(n / Math.max(1, c.tm.concurrency as number));
  const tasks: Promise<Uint8Array[]>[] = [];
  for (let s = 0; s < n; s += per) {
    const m = Math.min(per, n - s);
    const calls = [];
    for (let k = 0; k < m; k++)
      calls.push({
        cmd: 'CALL',
        fnName: fn,
        params: [
          { var: 0, offset: k * half },
          { var: 1, offset: k * size },
        ],
      });
    tasks.push(
      c.tm.queueAction([
        { cmd: 'ALLOCSET', var: 0, buff: compressed.slice(s * half, (s + m) * half) },
        { cmd: 'ALLOC', var: 1, len: m * size },
        ...calls,
        { cmd: 'GET', out: 0, var: 1, len: m * size },
      ]),
    );
  }
  const parts = await Promise.all(tasks);
  const ms = performance.now() - t0;
  const back = Buffer.concat(parts.map(([p]) => p as Uint8Array));
  if (!back.equals(Buffer.from(points))) throw new Error(`${fn}: decompressed points differ`);
  return ms;
}

/**
 * @param o.runs measured parses per proving key (after one warm-up)
 * @param o.compressedPoints also measure the compressed-points variant (a few seconds per run)
 */
export async function measureArtifacts(o: { runs: number; compressedPoints?: boolean }): Promise<ArtifactRow[]> {
  const build = circuitBuild();
  const zkc = build.manifest.artifacts.zkc;
  if (!zkc) throw new Error('the default build has no compact proving key: run npm run pin');
  const wasm = new Uint8Array(readFileSync(build.wasm.location));
  const zkey = new Uint8Array(readFileSync(build.zkey.location));
  const compact = new Uint8Array(readFileSync(join(build.dir, zkc.file)));
  const parse = (bytes: Uint8Array, label: string) =>
    measure(label, () => prepareZkey(bytes), { warmup: 1, runs: o.runs }).then((s) => s.median);
  const rows: ArtifactRow[] = [
    { artifact: 'wasm', file: build.manifest.artifacts.wasm.file, ...(await sizes(wasm)), note: 'witness generator (both forms)' },
    {
      artifact: 'zkey',
      file: build.manifest.artifacts.zkey.file,
      ...(await sizes(zkey)),
      parseMs: await parse(zkey, 'parse zkey'),
      note: 'snarkjs proving key: the CLI and Node',
    },
    {
      artifact: 'zkc',
      file: zkc.file,
      ...(await sizes(compact)),
      parseMs: await parse(compact, 'parse zkc'),
      note: "the holder's compact proving key: what the wallet downloads",
    },
  ];
  if (o.compressedPoints) {
    const c = await curve();
    const p = decodeCompactZkey(compact);
    const g1 = [p.pointsA, p.pointsB1, p.pointsC, p.pointsH].map((x) => present(x, 64));
    const g2 = present(p.pointsB2, 128);
    const nG1 = g1.reduce((n, x) => n + x.length / 64, 0);
    const nG2 = g2.length / 128;
    const msG1 = await decompressMs(c.G1, 'g1m_CtoLEM', Buffer.concat(g1), 64);
    const msG2 = await decompressMs(c.G2, 'g2m_CtoLEM', g2, 128);
    const saved = nG1 * 32 + nG2 * 64;
    // Compressed points are random bytes: the transfer encodings save nothing on them.
    rows.push({
      artifact: 'zkc, points compressed (not built)',
      file: '',
      bytes: compact.length - saved,
      br: (rows[2]?.br as number) - saved,
      br11: (rows[2]?.br11 as number) - saved,
      gzip: (rows[2]?.gzip as number) - saved,
      parseMs: (rows[2]?.parseMs as number) + msG1 + msG2,
      note: `${nG1} G1 and ${nG2} G2 points as x + sign; decoding adds ${msG1.toFixed(0)} + ${msG2.toFixed(0)} ms of square roots (snarkjs wasm, ${c.tm.concurrency} threads, one run)`,
    });
  }
  return rows;
}
