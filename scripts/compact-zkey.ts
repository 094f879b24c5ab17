/**
 * `npx tsx scripts/compact-zkey.ts [--instance NAME]`: encode a committed build's circuit.zkey as
 * the holder's compact proving key (circuit.zkc) and record it in the manifest, then regenerate the
 * pins. `npm run pin` does this for every build; the ceremony does it for the build it makes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { BUILD_DIR, type Manifest } from '../src/circuit/artifacts-node.ts';
import { DEFAULT_CIRCUIT } from '../src/circuit/registry.ts';
import { writeCompactZkey } from './lib/compact-zkey.ts';
import { writePinnedArtifacts } from './lib/pins.ts';

const opts = new Command()
  .name('compact-zkey')
  .description("Encode a build's zkey as the holder's compact proving key (circuit.zkc)")
  .option('--instance <name>', 'circuit instance', DEFAULT_CIRCUIT)
  .parse()
  .opts<{ instance: string }>();

const dir = join(BUILD_DIR, opts.instance);
const file = join(dir, 'manifest.json');
const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
const changed = writeCompactZkey(dir, manifest);
if (changed) writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
writePinnedArtifacts();
const z = manifest.artifacts.zkc;
process.stderr.write(`${changed ? 'wrote' : 'unchanged:'} ${join(dir, z?.file ?? '')} (${z?.bytes} bytes, sha256 ${z?.sha256})\n`);
