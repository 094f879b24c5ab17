/**
 * The real entry point (`npm start` runs src/server/main.ts) as a child process on a temporary
 * data directory: first start (generated admin token, demo issuer key), readiness, a graceful
 * SIGTERM (exit code 0), a restart that keeps the token and the state, a hard kill right after a
 * committed change, and start-up refusals for bad configuration.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = tempDir('zkid-main-');
const running = new Set<ChildProcess>();

afterAll(() => {
  for (const p of running) p.kill('SIGKILL');
  removeDir(dir);
});

interface Started {
  proc: ChildProcess;
  base: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function launch(env: Record<string, string | undefined>): {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const { ZKID_ADMIN_TOKEN: _t, ZKID_CONFIG: _c, NODE_ENV: _n, ...inherited } = process.env;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: { ...inherited, PORT: '0', WALLET_PORT: '0', HOST: '127.0.0.1', ZKID_DATA_DIR: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exit = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      running.delete(proc);
      resolve(code);
    }),
  );
  return { proc, stdout: () => out, stderr: () => err, exit };
}

async function start(env: Record<string, string | undefined> = {}): Promise<Started> {
  const l = launch(env);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const line = l
      .stdout()
      .split('\n')
      .find((s) => s.includes('"msg":"listening"'));
    if (line) {
      const port = (JSON.parse(line) as { port: number }).port;
      return { ...l, base: `http://127.0.0.1:${port}` };
    }
    if (l.proc.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${l.stdout()}\n${l.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(s: Started): Promise<number | null> {
  s.proc.kill('SIGTERM');
  return s.exit;
}

describe('npm start (src/server/main.ts)', () => {
  let token = '';
  let revokedRoot = '';
  let keys: unknown;

  it('starts on a fresh data directory with a generated admin token, answers /healthz, and stops gracefully', async () => {
    const s = await start();
    const health = await fetch(`${s.base}/healthz`);
    expect(health.status).toBe(200);
    token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
    expect(s.stderr()).toContain(token); // printed once, on first start
    expect(s.stdout()).not.toContain(token); // never in the logs

    const auth = { Authorization: `Bearer ${token}` };
    const k = await fetch(`${s.base}/v1/issuer/keys`, { headers: auth });
    expect(k.status).toBe(200);
    keys = await k.json();
    expect((await fetch(`${s.base}/v1/issuer/keys`)).status).toBe(401);
    const revoked = await fetch(`${s.base}/v1/issuer/revocations`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ serial: '31337' }),
    });
    revokedRoot = ((await revoked.json()) as { root: string }).root;
    const openapi = await fetch(`${s.base}/openapi.json`);
    expect(((await openapi.json()) as { openapi: string }).openapi).toBe('3.1.0');

    expect(await stop(s)).toBe(0);
    expect(s.stdout()).toContain('"msg":"stopped"');
    expect(s.stdout()).not.toContain('kept the process alive');
  });

  it('restarts with the same token, key and revocations; a hard kill after a commit loses nothing', async () => {
    const s = await start();
    expect(s.stderr()).not.toContain(token);
    const auth = { Authorization: `Bearer ${token}` };
    expect(await (await fetch(`${s.base}/v1/issuer/keys`, { headers: auth })).json()).toEqual(keys);
    const root = (await (await fetch(`${s.base}/v1/registry/root`)).json()) as { root: string; revision: number };
    expect(root).toMatchObject({ root: revokedRoot, revision: 1 });

    const res = await fetch(`${s.base}/v1/issuer/revocations`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ serial: '31338' }),
    });
    const committed = (await res.json()) as { root: string; revision: number };
    s.proc.kill('SIGKILL');
    await s.exit;

    const again = await start();
    expect(await (await fetch(`${again.base}/v1/registry/root`)).json()).toMatchObject({ root: committed.root, revision: 2 });
    expect(await stop(again)).toBe(0);
  });

  it('stops when its launcher goes away (npm does not pass SIGTERM on to the script)', async () => {
    // A shell in the middle stands for npm: kill it, and the server, re-parented, shuts down.
    const { ZKID_ADMIN_TOKEN: _t, ZKID_CONFIG: _c, NODE_ENV: _n, ...inherited } = process.env;
    const shell = spawn('/bin/sh', ['-c', `"${process.execPath}" --import tsx src/server/main.ts; true`], {
      cwd: ROOT,
      env: { ...inherited, PORT: '0', WALLET_PORT: '0', HOST: '127.0.0.1', ZKID_DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(shell);
    let out = '';
    shell.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const deadline = Date.now() + 60_000;
    let pid = 0;
    while (!pid) {
      const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (line) pid = (JSON.parse(line) as { pid: number }).pid;
      else if (Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
      else await new Promise((r) => setTimeout(r, 100));
    }
    shell.kill('SIGKILL');
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const until = Date.now() + 30_000;
    while (alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(alive(), 'the server outlived its launcher').toBe(false);
  });

  it('refuses to start with an invalid config file or, in production, without an admin token', async () => {
    const file = join(dir, 'bad-config.json');
    writeFileSync(file, JSON.stringify({ roots: { count: 0 } }));
    const bad = launch({ ZKID_CONFIG: file });
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toContain('config roots.count');
    const prod = launch({ NODE_ENV: 'production' });
    expect(await prod.exit).toBe(2);
    expect(prod.stderr()).toContain('ZKID_ADMIN_TOKEN');
  });

  it('reads the config file and environment overrides', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        serviceId: 'from-file.example',
        roles: { issuer: false },
        trustedIssuers: [(keys as { keys: { publicKey: string[] }[] }).keys[0]?.publicKey],
      }),
    );
    const s = await start({
      ZKID_CONFIG: file,
      ZKID_SERVICE_ID: 'from-env.example',
      ZKID_DEMO: 'true',
      ZKID_WALLET_URL: 'https://wallet.from-env.example',
    });
    const info = (await (await fetch(`${s.base}/v1/info`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      serviceId: 'from-env.example', // the demo relying party's service id
      demo: true,
      walletBaseUrl: 'https://wallet.from-env.example',
      roles: { verifier: true, issuer: false, registry: true },
    });
    expect((await fetch(`${s.base}/v1/issuer/keys`)).status).toBe(404);
    expect(await stop(s)).toBe(0);
    // Without demo, the verifier needs a configured relying party.
    const noRp = launch({ ZKID_CONFIG: file, ZKID_DEMO: 'false' });
    expect(await noRp.exit).toBe(2);
    expect(noRp.stderr()).toContain('config relyingParties');
  });
});
