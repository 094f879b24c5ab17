/**
 * Publish a benchmark run as the project's figures: `npm run bench:publish -- --from DIR --as NAME`
 * copies DIR/results.json (written by `npm run bench`) to scripts/bench/results/NAME.json, renders
 * NAME.md from it, and replaces README's block between `<!-- bench:NAME:begin -->` and
 * `<!-- bench:NAME:end -->` with the same markdown. test/bench/readme-figures.test.ts checks that
 * README, the markdown and the JSON agree, so every figure in README comes from a committed file
 * the harness wrote.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { markdown } from './report.ts';
import type { Report } from './types.ts';

export const RESULTS_DIR = new URL('./results/', import.meta.url).pathname;
export const README = new URL('../../README.md', import.meta.url).pathname;

export const blockMarkers = (name: string): [string, string] => [`<!-- bench:${name}:begin -->`, `<!-- bench:${name}:end -->`];

/** README's text with the named block replaced. @throws Error when the markers are missing or repeated */
export function replaceBlock(readme: string, name: string, body: string): string {
  const [begin, end] = blockMarkers(name);
  const i = readme.indexOf(begin);
  const j = readme.indexOf(end);
  if (i < 0 || j < i || readme.indexOf(begin, i + 1) >= 0) throw new Error(`README needs exactly one ${begin} ... ${end} block`);
  return `${readme.slice(0, i + begin.length)}\n\n${body.trimEnd()}\n\n${readme.slice(j)}`;
}

/** The named block's body (trimmed), or undefined. */
export function readBlock(readme: string, name: string): string | undefined {
  const [begin, end] = blockMarkers(name);
  const i = readme.indexOf(begin);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) return undefined;
  return readme.slice(i + begin.length, j).trim();
}

async function main(): Promise<void> {
  const o = new Command()
    .name('bench:publish')
    .requiredOption('--from <dir>', 'the run folder (npm run bench --out DIR; default bench-results)')
    .requiredOption('--as <name>', 'name of the published figures, e.g. circuits or service')
    .option('--command <text>', "the command that made the run, when the report predates the 'command' field")
    .parse()
    .opts<{ from: string; as: string; command?: string }>();
  if (!/^[a-z0-9-]{1,32}$/.test(o.as)) throw new Error('--as must be 1-32 characters of a-z, 0-9 or -');
  const report = JSON.parse(readFileSync(join(resolve(o.from), 'results.json'), 'utf8')) as Report;
  if (o.command) report.command = o.command;
  const md = markdown(report);
  writeFileSync(join(RESULTS_DIR, `${o.as}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, `${o.as}.md`), md);
  writeFileSync(README, replaceBlock(readFileSync(README, 'utf8'), o.as, md));
  process.stderr.write(`published ${o.as}: scripts/bench/results/${o.as}.json, .md and README's block\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench:publish: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
}
