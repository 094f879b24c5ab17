/**
 * Node only: the committed circuit builds under circuits/build/<instance>/ and their manifests.
 * Browser code gets artifacts by URL (see src/prover/artifacts.ts) and must not import this file.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZkidError } from '../errors.ts';
import type { ArtifactSource } from '../prover/artifacts.ts';
import type { VerificationKey } from '../verifier/groth16-checks.ts';
import { DEFAULT_CIRCUIT } from './registry.ts';

export const BUILD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'circuits', 'build');

export interface ArtifactEntry {
  file: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  instance: string;
  template: string;
  params: Record<string, number>;
  compiler: string;
  circomlib: string;
  snarkjs: string;
  constraints: number;
  wires: number;
  publicInputs: number;
  publicOutputs: number;
  nPublic: number;
  sources: Record<string, string>;
  /**
   * zkc: the holder's compact proving key (src/prover/compact-zkey.ts), made from the zkey at build
   * time; the wallet downloads it instead of the zkey
   */
  artifacts: { wasm: ArtifactEntry; zkey: ArtifactEntry; vkey: ArtifactEntry; zkc?: ArtifactEntry };
  ptau: { power: number; sha256: string; origin: 'dev' | 'external' };
  ceremony: { phase2Contributions: number; beacon: string; verified: boolean; note: string };
  createdAt: string;
}

export interface CircuitBuild {
  instance: string;
  dir: string;
  manifest: Manifest;
  wasm: ArtifactSource & { location: string };
  zkey: ArtifactSource & { location: string };
  vkeyPath: string;
  verificationKey: VerificationKey;
}

/**
 * The committed build of an instance: paths and hashes from its manifest, and its verification key.
 * @throws ZkidError ARTIFACT_UNAVAILABLE when the build is missing
 */
export function circuitBuild(instance: string = DEFAULT_CIRCUIT, buildDir: string = BUILD_DIR): CircuitBuild {
  const dir = join(buildDir, instance);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (e) {
    throw new ZkidError(
      'ARTIFACT_UNAVAILABLE',
      `no build of circuit ${instance} in ${dir}: run npm run ceremony -- --instance ${instance}`,
      'circuit',
      { cause: e },
    );
  }
  const vkeyPath = join(dir, manifest.artifacts.vkey.file);
  return {
    instance,
    dir,
    manifest,
    wasm: { location: join(dir, manifest.artifacts.wasm.file), sha256: manifest.artifacts.wasm.sha256 },
    zkey: { location: join(dir, manifest.artifacts.zkey.file), sha256: manifest.artifacts.zkey.sha256 },
    vkeyPath,
    verificationKey: JSON.parse(readFileSync(vkeyPath, 'utf8')) as VerificationKey,
  };
}
