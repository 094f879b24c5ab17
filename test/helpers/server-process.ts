/**
 * The service as a real child process: `node dist/server/main.js`, what `npm start` runs (its
 * prestart builds dist/; test/global-setup.ts builds it once before the tests). Plain node, no tsx
 * loader: a start costs about a quarter less CPU than through tsx.
 *
 *   launch()  start it and collect its stdout and stderr; `exit` resolves with the exit code
 *   start()   launch() and wait for its "listening" log line: the base URLs and its pid
 *   stop()    SIGTERM (to its process group when detached), resolve with the exit code
 *   killAll() SIGKILL whatever is still running (a test file's afterAll)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The compiled entry point, relative to ROOT. */
export const SERVER_ENTRY = 'dist/server/main.js';

export interface LaunchOptions {
  /** ZKID_DATA_DIR */
  dataDir: string;
  /** variables set over the inherited environment; undefined removes one */
  env?: Record<string, string | undefined>;
  /** its own process group: `signal` and `stop` signal the group (the server and all it started) */
  detached?: boolean;
  /**
   * Started by `/bin/sh -c '<node> dist/server/main.js; true'`: a launcher in the middle, as npm
   * is. The child is then the shell (in its own process group, so killAll reaches the server too);
   * the server's own pid is in its "listening" line (Started.pid).
   */
  viaShell?: boolean;
  /** stderr sent into stdout (`2>&1`), so stdout() holds both in the order a terminal shows them */
  mergeStderr?: boolean;
}

export interface Launched {
  /** the child: the server, or the shell that started it */
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** the child's exit code (null when a signal ended it) */
  exit: Promise<number | null>;
  /** signal the child, or its process group when detached */
  signal(signal: NodeJS.Signals): void;
}

export interface Started extends Launched {
  /** http://127.0.0.1:<port> of the service */
  base: string;
  /** http://127.0.0.1:<walletPort> of the wallet's origin */
  walletBase: string;
  /** the server's process id, from its "listening" line */
  pid: number;
}

const running = new Set<Launched>();

/** The inherited environment without what would change the service's configuration or loader. */
function childEnv(o: LaunchOptions): NodeJS.ProcessEnv {
  const { ZKID_ADMIN_TOKEN: _t, ZKID_CONFIG: _c, NODE_ENV: _n, NODE_OPTIONS: _o, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, PORT: '0', WALLET_PORT: '0', HOST: '127.0.0.1', ZKID_DATA_DIR: o.dataDir };
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Start the compiled service; collect its output. */
export function launch(o: LaunchOptions): Launched {
  const detached = o.detached === true || o.viaShell === true;
  const [command, args] = o.viaShell
    ? ['/bin/sh', ['-c', `"${process.execPath}" ${SERVER_ENTRY}; true`]]
    : o.mergeStderr
      ? ['/bin/sh', ['-c', `exec "${process.execPath}" ${SERVER_ENTRY} 2>&1`]]
      : [process.execPath, [SERVER_ENTRY]];
  const proc = spawn(command, args, { cwd: ROOT, env: childEnv(o), stdio: ['ignore', 'pipe', 'pipe'], detached });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const signal = (s: NodeJS.Signals) => {
    try {
      if (detached && proc.pid) process.kill(-proc.pid, s);
      else proc.kill(s);
    } catch {
      // already gone
    }
  };
  const launched: Launched = {
    proc,
    stdout: () => out,
    stderr: () => err,
    exit: new Promise((resolve) => {
      proc.once('exit', (code) => {
        // A shell's group may outlive the shell (the server it started): killAll still reaches it.
        if (!o.viaShell) running.delete(launched);
        resolve(code);
      });
    }),
    signal,
  };
  running.add(launched);
  return launched;
}

/** The "listening" log line in `text`, if it is there yet. */
function listeningLine(text: string): string | undefined {
  return text.split('\n').find((s) => s.includes('"msg":"listening"'));
}

/** launch(), then wait (up to `timeoutMs`) for the "listening" line; throws with the output when it ends first. */
export async function start(o: LaunchOptions, timeoutMs = 120_000): Promise<Started> {
  const l = launch(o);
  const line = await new Promise<string>((resolve, reject) => {
    const settle = (found: string | undefined, why: string) => {
      clearTimeout(timer);
      l.proc.stdout?.off('data', onData);
      l.proc.off('close', onClose);
      if (found) resolve(found);
      else reject(new Error(`the server ${why}:\n${l.stdout()}\n${l.stderr()}`));
    };
    // Added after launch()'s own collector, so l.stdout() already holds the chunk.
    const onData = () => {
      const found = listeningLine(l.stdout());
      if (found) settle(found, '');
    };
    // 'close': the process ended and its output is all read.
    const onClose = () => settle(listeningLine(l.stdout()), 'ended before it was listening');
    const timer = setTimeout(() => settle(undefined, `was not listening after ${timeoutMs / 1000} s`), timeoutMs);
    l.proc.stdout?.on('data', onData);
    l.proc.once('close', onClose);
    onData();
  });
  const info = JSON.parse(line) as { port: number; walletPort: number; pid: number };
  return { ...l, base: `http://127.0.0.1:${info.port}`, walletBase: `http://127.0.0.1:${info.walletPort}`, pid: info.pid };
}

/** SIGTERM (a graceful stop); resolves with the exit code. */
export function stop(s: Launched): Promise<number | null> {
  s.signal('SIGTERM');
  return s.exit;
}

/** SIGKILL every server (and launcher shell's process group) this file started that may still run. */
export function killAll(): void {
  for (const l of running) l.signal('SIGKILL');
  running.clear();
}
