/**
 * Vitest global setup: the production build (`node scripts/build.mjs`, what `npm start` runs
 * first) once, before any test file, so the tests that start real child processes run the
 * compiled service and CLI (`node dist/...`, no tsx loader in every child) and test what
 * `npm start` runs. The build's output (stdout and stderr) goes to a log file in the system's
 * temporary directory whose path, with the exit code, test files get with
 * `inject('distBuild')` (test/build/build.test.ts asserts on it). A failed build fails the run: the
 * tests must not run an older dist/.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

export interface DistBuild {
  /** the build's stdout and stderr, in one file */
  logFile: string;
  /** wall-clock time of the build, ms */
  ms: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    distBuild: DistBuild;
  }
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Run the build asynchronously (never a synchronous child process); resolves with its output. */
function build(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (c: Buffer) => {
      output += c.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'zkid-dist-build-'));
  const logFile = join(dir, 'build.log');
  const started = performance.now();
  const { code, output } = await build();
  const ms = Math.round(performance.now() - started);
  writeFileSync(logFile, output);
  if (code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`test/global-setup.ts: \`node scripts/build.mjs\` exited ${code}:\n${output}`);
  }
  project.provide('distBuild', { logFile, ms });
  return () => rmSync(dir, { recursive: true, force: true });
}
