/**
 * Artifact manifests: what a committed circuit build was made from (sources, compiler, ptau) and
 * the sha256 of each artifact, so a stale or altered build is detected.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIRCUITS, type InstanceSpec, mainSource } from './circuits.ts';

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256File(path: string): string {
  return sha256(readFileSync(path));
}

/** sha256 of every circuit source an instance is built from, keyed by path under circuits/. */
export function sourceHashes(name: string, spec: InstanceSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(join(CIRCUITS, 'lib')).sort()) {
    if (f.endsWith('.circom')) out[`lib/${f}`] = sha256File(join(CIRCUITS, 'lib', f));
  }
  out[`main/${name}.circom`] = sha256(mainSource(name, spec));
  return out;
}

export type { ArtifactEntry, Manifest } from '../../src/circuit/artifacts-node.ts';
