#!/usr/bin/env node
// `zkid` command. Runs the compiled CLI (dist/cli/main.js, made by `npm run build`) when it is there
// and no source under src/ is newer than that build; otherwise, in a development checkout, the
// TypeScript sources through tsx (a development dependency). A stale build without tsx still runs,
// with a warning; neither a build nor tsx is an error that says what to run.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const compiled = new URL('dist/cli/main.js', root);

/** mtime (ms) of the build, or undefined when there is none. */
function builtAt() {
  try {
    statSync(compiled);
    return statSync(new URL('dist/build-info.json', root)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Whether any .ts or .js source under src/ (the browser's public/ output aside) changed after `t`. */
function sourcesNewerThan(t, dir = fileURLToPath(new URL('src/', root))) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false; // an installed package without sources: the build is all there is
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (e.name !== 'public' && sourcesNewerThan(t, p)) return true;
    } else if (/\.(ts|js|mjs)$/.test(e.name) && statSync(p).mtimeMs > t) return true;
  }
  return false;
}

const t = builtAt();
if (t !== undefined && !sourcesNewerThan(t)) {
  await import(compiled.href);
} else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    tsx = undefined;
  }
  if (tsx) {
    tsx.register();
    await import('./main.ts');
  } else if (t !== undefined) {
    process.stderr.write('zkid: warning: dist/ is older than src/ (run `npm run build`)\n');
    await import(compiled.href);
  } else {
    process.stderr.write('zkid: no compiled CLI (dist/cli/main.js): run `npm run build` first\n');
    process.exitCode = 1;
  }
}
