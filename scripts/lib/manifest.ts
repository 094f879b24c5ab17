/**
 * Artifact manifests: what a committed circuit build was made from (sources, compiler, ptau) and
 * the sha256 of each artifact, so a stale or altered build is detected.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { CIRCUITS, type InstanceSpec, mainSource } from './circuits.ts';

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256File(path: string): string {
  return sha256(readFileSync(path));
}

/**
 * sha256 of every circuit source an instance is built from, keyed by path under circuits/: the
 * template's file and the project files it includes, transitively (circomlib's, found through
 * `-l`, are pinned by the circomlib version instead), and the generated main component.
 */
export function sourceHashes(name: string, spec: InstanceSpec): Record<string, string> {
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(join(CIRCUITS, file), 'utf8').matchAll(/^\s*include\s+"([^"]+)"\s*;/gm)) {
      // circom resolves an include next to the including file first, then in the -l folders.
      const next = posix.normalize(posix.join(dirname(file), m[1] as string));
      if (!next.startsWith('..') && existsSync(join(CIRCUITS, next))) visit(next);
    }
  };
  visit(posix.normalize(spec.file));
  const out: Record<string, string> = {};
  for (const f of [...files].sort()) out[f] = sha256File(join(CIRCUITS, f));
  out[`main/${name}.circom`] = sha256(mainSource(name, spec));
  return out;
}

export type { ArtifactEntry, Manifest } from '../../src/circuit/artifacts-node.ts';
