/**
 * Build step: the holder's compact proving key (circuit.zkc, src/prover/compact-zkey.ts) from a
 * build's circuit.zkey, recorded in its manifest (artifacts.zkc) so it is hash-pinned like the rest.
 * The encoding is deterministic: the same zkey always gives the same bytes and sha256.
 * Run by `npm run ceremony` and `npm run pin` (and alone by `npx tsx scripts/compact-zkey.ts`).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../../src/circuit/artifacts-node.ts';
import { decodeCompactZkey, encodeCompactZkey } from '../../src/prover/compact-zkey.ts';
import { zkeyParts } from '../../src/prover/groth16-prove.ts';
import { sha256 } from './manifest.ts';

export const COMPACT_ZKEY_FILE = 'circuit.zkc';

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0
  );
}

/**
 * Encode `<dir>/<manifest.artifacts.zkey.file>` into `<dir>/circuit.zkc`, check that it decodes to
 * the zkey's bytes, and set `manifest.artifacts.zkc` (the caller writes the manifest).
 * @returns whether the file or the manifest entry changed
 * @throws Error when the round trip differs (a bug in the encoder: nothing is written then)
 */
export function writeCompactZkey(dir: string, manifest: Manifest): boolean {
  const zkey = new Uint8Array(readFileSync(join(dir, manifest.artifacts.zkey.file)));
  const parts = zkeyParts(zkey);
  const compact = encodeCompactZkey(parts);
  const back = decodeCompactZkey(compact);
  for (const k of ['header', 'coefs', 'pointsA', 'pointsB1', 'pointsB2', 'pointsC', 'pointsH'] as const) {
    if (!equalBytes(back[k], parts[k])) throw new Error(`compact zkey of ${dir}: ${k} does not decode to the zkey's bytes`);
  }
  if (back.nCoefs !== parts.nCoefs) throw new Error(`compact zkey of ${dir}: nCoefs differs`);
  const file = join(dir, COMPACT_ZKEY_FILE);
  let old: Uint8Array | undefined;
  try {
    old = new Uint8Array(readFileSync(file));
  } catch {
    old = undefined;
  }
  const fileChanged = !old || !equalBytes(old, compact);
  if (fileChanged) writeFileSync(file, compact);
  const entry = { file: COMPACT_ZKEY_FILE, sha256: sha256(compact), bytes: statSync(file).size };
  const prev = manifest.artifacts.zkc;
  manifest.artifacts.zkc = entry;
  return fileChanged || prev?.sha256 !== entry.sha256 || prev?.bytes !== entry.bytes || prev?.file !== entry.file;
}
