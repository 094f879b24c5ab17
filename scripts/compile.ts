/**
 * Compile circuit instances without a trusted setup (fast feedback on constraint counts):
 *   npm run compile -- [--instance NAME | --all] [--out DIR]
 * Writes r1cs, wasm and sym under DIR/<instance>/ (default circuits/build/tmp) and prints
 * constraints, wires and public signals per instance.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { CIRCUITS, compile, readRegistry } from './lib/circuits.ts';
import { step } from './lib/progress.ts';

const o = new Command()
  .option('--instance <name>', 'instance from circuits/instances.json (default: the default instance)')
  .option('--all', 'every instance in the registry')
  .option('--out <dir>', 'output folder', join(CIRCUITS, 'build', 'tmp'))
  .parse()
  .opts<{ instance?: string; all?: boolean; out: string }>();

const registry = readRegistry();
const names = o.all ? Object.keys(registry.instances) : [o.instance ?? registry.default];
const rows: Record<string, unknown>[] = [];
for (const name of names) {
  const r = await step(`compile ${name}`, () => compile(name, join(o.out, name)));
  rows.push({ instance: name, constraints: r.constraints, wires: r.wires, publicInputs: r.publicInputs, publicOutputs: r.publicOutputs });
}
console.table(rows);
