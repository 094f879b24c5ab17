import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIRCUITS, instanceSpec } from '../../scripts/lib/circuits.ts';
import { sha256File, sourceHashes } from '../../scripts/lib/manifest.ts';
import { publicSignalNames } from '../../src/circuit/registry.ts';
import { ASSERTION_SITES } from '../../src/prover/witness-errors.ts';
import { r1cs } from '../helpers/circuit.ts';
import { build, params } from '../helpers/zkid.ts';

describe('committed circuit artifacts', () => {
  it('were built from the current circuit sources (regenerate with npm run ceremony when this fails)', () => {
    expect(sourceHashes(build.instance, instanceSpec(build.instance))).toEqual(build.manifest.sources);
  });

  it('match the sha256 recorded in the manifest', () => {
    for (const a of Object.values(build.manifest.artifacts)) {
      expect(sha256File(join(build.dir, a.file)), a.file).toBe(a.sha256);
    }
  });

  it('has exactly 10,494 constraints (the r1cs header agrees with the manifest)', () => {
    // r1cs: magic, version, nSections; then sections (type u32, size u64). The header section
    // (type 1) holds n8, prime (32), nWires, nPubOut, nPubIn, nPrvIn (u32 each), nLabels (u64), nConstraints.
    const view = new DataView(r1cs.buffer, r1cs.byteOffset);
    let at = 12;
    while (view.getUint32(at, true) !== 1) at += 12 + Number(view.getBigUint64(at + 4, true));
    const nConstraints = view.getUint32(at + 12 + 4 + 32 + 16 + 8, true);
    expect(nConstraints).toBe(10494);
    expect(build.manifest.constraints).toBe(10494);
  });

  it('has the public signals the verifier expects', () => {
    expect(build.verificationKey.nPublic).toBe(publicSignalNames(params).length);
    expect(build.manifest.nPublic).toBe(17);
  });

  it('has a verification key with gamma != delta (phase 2 was contributed to)', () => {
    expect(build.verificationKey.vk_gamma_2).not.toEqual(build.verificationKey.vk_delta_2);
  });

  it('maps witness failures to source lines that still hold the named assertions', () => {
    for (const sites of Object.values(ASSERTION_SITES)) {
      for (const s of sites) {
        const line = readFileSync(join(CIRCUITS, 'lib', s.file), 'utf8').split('\n')[s.line - 1];
        expect(line, `${s.file}:${s.line}`).toContain(s.statement);
      }
    }
  });
});
