/**
 * Every benchmark figure in README comes from a results file the harness wrote and that is
 * committed (scripts/bench/results/NAME.json): README's `bench:NAME` block and NAME.md are the
 * markdown rendering of that JSON, exactly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { README, RESULTS_DIR, readBlock, replaceBlock } from '../../scripts/bench/publish.ts';
import { markdown } from '../../scripts/bench/report.ts';
import type { Report } from '../../scripts/bench/types.ts';

const readme = readFileSync(README, 'utf8');
const published = readdirSync(RESULTS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length));

describe('README benchmark figures', () => {
  it('has published results', () => {
    expect(published.length).toBeGreaterThan(0);
  });

  it.each(published)('%s: README block and %s.md are the rendering of the committed JSON', (name) => {
    const report = JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8')) as Report;
    const md = markdown(report);
    expect(report.command, 'the JSON records the command that made it').toMatch(/^npm run bench/);
    expect(readFileSync(join(RESULTS_DIR, `${name}.md`), 'utf8')).toBe(md);
    expect(readBlock(readme, name), `README's bench:${name} block`).toBe(md.trim());
  });

  it('has no figures block without a results file', () => {
    const blocks = [...readme.matchAll(/<!-- bench:([a-z0-9-]+):begin -->/g)].map((m) => m[1]);
    expect(blocks.sort()).toEqual([...published].sort());
  });

  it('replaces exactly one block', () => {
    const text = 'a\n<!-- bench:x:begin -->\nold\n<!-- bench:x:end -->\nb';
    expect(replaceBlock(text, 'x', 'new')).toBe('a\n<!-- bench:x:begin -->\n\nnew\n\n<!-- bench:x:end -->\nb');
    expect(() => replaceBlock(text, 'y', 'new')).toThrow(/exactly one/);
  });
});
