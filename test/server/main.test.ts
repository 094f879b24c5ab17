/**
 * The real entry point as `npm start` runs it (the compiled service, `node dist/server/main.js`;
 * test/global-setup.ts builds dist/ once) as a child process on a temporary data directory: first
 * start (generated admin token, demo issuer key), readiness, a graceful SIGTERM (exit code 0), a
 * restart that keeps the token and the state, a hard kill right after a committed change, a stop
 * when the launcher goes away, and start-up refusals for bad configuration.
 *
 * A start costs seconds of CPU (loading the modules, building the curve, Poseidon and EdDSA, and
 * the curve again in each verification worker thread), so: the restart after the hard kill is
 * also the server whose launcher goes away, and the starts after the first one, none of which
 * verifies a proof, run with `verification.workers: 0` from a config file (the first start keeps
 * the default pool, and its graceful stop closes it).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, launch, type Started, start, stop } from '../helpers/server-process.ts';
import { removeDir, tempDir } from './helpers.ts';

const dir = tempDir('zkid-main-');
/** A config file that only turns the verification worker threads off (see above). */
const noWorkers = join(dir, 'no-workers.json');
writeFileSync(noWorkers, JSON.stringify({ verification: { workers: 0 } }));

afterAll(() => {
  killAll();
  removeDir(dir);
});

/** Whether a process (not necessarily our child) is still there. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (dist/server/main.js)', () => {
  let token = '';
  let revokedRoot = '';
  let keys: unknown;
  /** The restart after the hard kill, started by a shell (the launcher test ends it). */
  let launched: Started | undefined;

  it('starts on a fresh data directory with a generated admin token, answers /healthz, and stops gracefully', async () => {
    const s = await start({ dataDir: dir });
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
  }, 300_000);

  it('restarts with the same token, key and revocations; a hard kill after a commit loses nothing', async () => {
    const s = await start({ dataDir: dir, env: { ZKID_CONFIG: noWorkers } });
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
    s.signal('SIGKILL');
    expect(await s.exit).toBeNull(); // killed, no graceful stop
    expect(s.stdout()).not.toContain('"msg":"stopped"');

    // Restarted the way npm starts it, with a shell in the middle: the next test ends that shell.
    launched = await start({ dataDir: dir, env: { ZKID_CONFIG: noWorkers }, viaShell: true });
    expect(await (await fetch(`${launched.base}/v1/registry/root`)).json()).toMatchObject({ root: committed.root, revision: 2 });
  }, 300_000);

  it('stops gracefully when its launcher goes away (npm does not pass SIGTERM on to the script)', async () => {
    // The shell stands for npm: kill it (only it), and the server, re-parented, shuts down.
    const s = launched;
    if (!s) throw new Error('the previous test did not start the server');
    expect(alive(s.pid)).toBe(true);
    s.proc.kill('SIGKILL');
    const until = Date.now() + 60_000;
    while (alive(s.pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(alive(s.pid), 'the server outlived its launcher').toBe(false);
    // Its stdout is still our pipe: the shutdown was the graceful one.
    expect(s.stdout()).toMatch(/"signal":"launcher exited".*"msg":"shutting down: draining requests"/);
    expect(s.stdout()).toContain('"msg":"stopped"');
  }, 300_000);

  it('writes where the service page and the wallet are before anything else, on a first start and on later ones', async () => {
    const own = tempDir('zkid-main-first-');
    try {
      for (const run of ['first', 'later']) {
        const s = await start({ dataDir: own, mergeStderr: true });
        const lines = s
          .stdout()
          .split('\n')
          .filter((l) => l.trim() !== '');
        expect(lines[0]).toMatch(/^zkid: the service \(API and the relying party's demo page\) at http:\/\/localhost:\d+\/service\.html$/);
        expect(lines[1]).toMatch(/^zkid: the wallet, on its own origin, at http:\/\/localhost:\d+\/$/);
        // then what start-up had to say: the new admin token on a first start, the logs
        if (run === 'first') expect(lines[2]).toMatch(/^zkid: generated an admin token for the issuer API/);
        else expect(lines.slice(2).some((l) => l.includes('admin token read from the data directory'))).toBe(true);
        expect(lines.some((l) => l.includes('"msg":"issuer key ready"'))).toBe(true);
        expect(await stop(s)).toBe(0);
      }
    } finally {
      removeDir(own);
    }
  });

  it('refuses to start with an invalid config file or, in production, without an admin token', async () => {
    const file = join(dir, 'bad-config.json');
    writeFileSync(file, JSON.stringify({ roots: { count: 0 } }));
    const bad = launch({ dataDir: dir, env: { ZKID_CONFIG: file } });
    const prod = launch({ dataDir: dir, env: { NODE_ENV: 'production' } });
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toContain('config roots.count');
    expect(await prod.exit).toBe(2);
    expect(prod.stderr()).toContain('ZKID_ADMIN_TOKEN');
  }, 300_000);

  it('reads the config file and environment overrides', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        serviceId: 'from-file.example',
        roles: { issuer: false },
        trustedIssuers: [(keys as { keys: { publicKey: string[] }[] }).keys[0]?.publicKey],
        verification: { workers: 0 },
      }),
    );
    const s = await start({
      dataDir: dir,
      env: {
        ZKID_CONFIG: file,
        ZKID_SERVICE_ID: 'from-env.example',
        ZKID_DEMO: 'true',
        ZKID_WALLET_URL: 'https://wallet.from-env.example',
      },
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
    const noRp = launch({ dataDir: dir, env: { ZKID_CONFIG: file, ZKID_DEMO: 'false' } });
    expect(await noRp.exit).toBe(2);
    expect(noRp.stderr()).toContain('config relyingParties');
  }, 300_000);
});
