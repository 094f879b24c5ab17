/**
 * `npm run pin`: bring each committed build's compact proving key (circuit.zkc) up to date with its
 * zkey and manifest, then regenerate src/circuit/pinned-artifacts.ts from the manifests.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_DIR, type Manifest } from '../src/circuit/artifacts-node.ts';
import { writeCompactZkey } from './lib/compact-zkey.ts';
import { PINS_FILE, writePinnedArtifacts } from './lib/pins.ts';

for (const instance of readdirSync(BUILD_DIR).sort()) {
  const dir = join(BUILD_DIR, instance);
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) continue;
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  if (writeCompactZkey(dir, manifest)) {
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
    process.stderr.write(`wrote ${join(dir, manifest.artifacts.zkc?.file ?? '')} and its manifest entry\n`);
  }
}
writePinnedArtifacts();
process.stderr.write(`wrote ${PINS_FILE}\n`);
