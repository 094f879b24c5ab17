/**
 * Development trusted setup for a circuit instance (NOT for production):
 *   compile -> powers of tau (cached outside the repo) -> Groth16 phase 2 with one contribution
 *   and a beacon -> `zkey verify` -> verification key -> manifest.
 *
 * Usage: npm run ceremony -- [--instance NAME] [--ptau FILE --ptau-sha256 HEX] [--power N]
 *                            [--cache DIR] [--out DIR]
 * Production: pass a Perpetual Powers of Tau file with its published hash (--ptau, --ptau-sha256)
 * and run a real multi-party phase 2 (snarkjs zkey contribute, by independent parties).
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import * as snarkjs from 'snarkjs';
import { CIRCUITS, compile, compilerVersion, instanceSpec, packageVersion, readRegistry } from './lib/circuits.ts';
import { writeCompactZkey } from './lib/compact-zkey.ts';
import { type Manifest, sha256File, sourceHashes } from './lib/manifest.ts';
import { writePinnedArtifacts } from './lib/pins.ts';
import { snarkLogger, step } from './lib/progress.ts';
import { BEACON, DEFAULT_PTAU_CACHE, devPtau, randomHex } from './lib/ptau.ts';

export { devPtau };

const program = new Command()
  .name('ceremony')
  .description('Development trusted setup (not for production) for one circuit instance')
  .option('--instance <name>', 'circuit instance from circuits/instances.json')
  .option('--ptau <file>', 'use this powers-of-tau file instead of a cached development one')
  .option('--ptau-sha256 <hex>', 'expected sha256 of --ptau (required with --ptau)')
  .option('--power <n>', 'power of the development ptau (default: the smallest that fits)')
  .option('--cache <dir>', 'cache for development ptau files', DEFAULT_PTAU_CACHE)
  .option('--out <dir>', 'output folder (default circuits/build/<instance>)')
  .parse();

const opts = program.opts<{ instance?: string; ptau?: string; ptauSha256?: string; power?: string; cache: string; out?: string }>();

async function main() {
  const name = opts.instance ?? readRegistry().default;
  const spec = instanceSpec(name);
  const out = resolve(opts.out ?? join(CIRCUITS, 'build', name));
  const tmp = join(out, 'tmp');
  mkdirSync(tmp, { recursive: true });

  const compiled = await step(`compile ${name}`, () => compile(name, tmp, spec));
  process.stderr.write(
    `  ${compiled.constraints} constraints, ${compiled.wires} wires, ${compiled.publicInputs} public inputs, ${compiled.publicOutputs} outputs\n`,
  );
  const r1cs = join(tmp, `${name}.r1cs`);

  let ptau: string;
  let origin: 'dev' | 'external';
  let power: number;
  if (opts.ptau) {
    if (!opts.ptauSha256) throw new Error('--ptau needs --ptau-sha256 (the published hash of the file)');
    ptau = resolve(opts.ptau);
    const got = await step('hash external ptau', () => sha256File(ptau));
    if (got !== opts.ptauSha256.toLowerCase()) throw new Error(`ptau sha256 mismatch: expected ${opts.ptauSha256}, got ${got}`);
    origin = 'external';
    power = 0;
  } else {
    // Groth16 needs a domain of at least constraints + public signals + 1.
    const needed = compiled.constraints + compiled.publicInputs + compiled.publicOutputs + 1;
    power = opts.power ? Number(opts.power) : Math.max(10, Math.ceil(Math.log2(needed)));
    // Prefer an existing larger cached ptau over building a new smaller one.
    for (let p = power; p <= 20 && !opts.power; p++) {
      if (existsSync(join(opts.cache, `dev-bn128-${p}.ptau`))) {
        power = p;
        break;
      }
    }
    ptau = await devPtau(opts.cache, power);
    origin = 'dev';
  }
  const log = snarkLogger();
  const z0 = join(tmp, 'c0.zkey');
  const z1 = join(tmp, 'c1.zkey');
  const zf = join(tmp, 'final.zkey');
  await step('groth16 setup (phase 2 start)', () => snarkjs.zKey.newZKey(r1cs, ptau, z0, log));
  await step('phase 2 contribution', () => snarkjs.zKey.contribute(z0, z1, 'zkid dev contribution', randomHex(64), log));
  await step('phase 2 beacon', () => snarkjs.zKey.beacon(z1, zf, 'zkid dev beacon', BEACON, 10, log));
  const ok = await step('zkey verify', () => snarkjs.zKey.verifyFromR1cs(r1cs, ptau, zf, log));
  if (!ok) throw new Error('zkey verification failed');
  const vkey = await step('export verification key', () => snarkjs.zKey.exportVerificationKey(zf));

  const wasmOut = join(out, 'circuit.wasm');
  const zkeyOut = join(out, 'circuit.zkey');
  const vkeyOut = join(out, 'verification_key.json');
  copyFileSync(join(tmp, `${name}_js`, `${name}.wasm`), wasmOut);
  copyFileSync(zf, zkeyOut);
  copyFileSync(join(tmp, `${name}.sym`), join(out, 'circuit.sym'));
  copyFileSync(r1cs, join(out, 'circuit.r1cs'));
  writeFileSync(vkeyOut, `${JSON.stringify(vkey, null, 1)}\n`);
  const entry = (file: string) => ({ file: file.slice(out.length + 1), sha256: sha256File(file), bytes: statSync(file).size });
  const manifest: Manifest = {
    instance: name,
    template: spec.template,
    params: spec.params,
    compiler: compilerVersion(),
    circomlib: packageVersion('circomlib'),
    snarkjs: packageVersion('snarkjs'),
    constraints: compiled.constraints,
    wires: compiled.wires,
    publicInputs: compiled.publicInputs,
    publicOutputs: compiled.publicOutputs,
    nPublic: (vkey as { nPublic: number }).nPublic,
    sources: sourceHashes(name, spec),
    artifacts: { wasm: entry(wasmOut), zkey: entry(zkeyOut), vkey: entry(vkeyOut) },
    ptau: { power, sha256: sha256File(ptau), origin },
    ceremony: {
      phase2Contributions: 1,
      beacon: BEACON,
      verified: true,
      note:
        origin === 'dev'
          ? 'DEVELOPMENT SETUP, NOT FOR PRODUCTION: local powers of tau and one local phase-2 contribution; whoever ran it could forge proofs.'
          : 'External powers of tau; phase 2 has one local contribution: run a multi-party phase 2 before production.',
    },
    createdAt: new Date().toISOString(),
  };
  // The holder's compact proving key (what the wallet downloads), made from the zkey.
  await step('compact proving key', () => writeCompactZkey(out, manifest));
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // The holder's build trusts only committed artifacts: regenerate the pinned hashes.
  writePinnedArtifacts();
  rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`✔ artifacts in ${out}\n`);
}

main()
  .then(async () => {
    await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
    process.exit(0);
  })
  .catch((e) => {
    process.stderr.write(`ceremony failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
