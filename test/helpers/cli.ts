/**
 * The `zkid` command as a real child process: the compiled CLI, `node dist/cli/main.js` (what the
 * `zkid` bin, src/cli/bin.js, runs when the build is current; test/global-setup.ts builds dist/
 * once before the tests). Called directly rather than through bin.js, so that a source file
 * edited while the tests run cannot switch the bin to the tsx loader (test/build/build.test.ts
 * runs the bin itself). Asynchronous: a synchronous child would block the test worker.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The compiled CLI, absolute (the CLI may run in another working directory). */
export const CLI_ENTRY = join(ROOT, 'dist', 'cli', 'main.js');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run `zkid <args>` in `cwd`; resolves with its exit status (-1 when a signal ended it) and output. */
export function zkid(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_ENTRY, ...args], { cwd, encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
