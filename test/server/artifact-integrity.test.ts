/**
 * A service never serves (or verifies with) a circuit file that differs from its manifest: the
 * app refuses to start, naming the file, also after an earlier start in the same process hashed
 * the unchanged file (src/server/routes/registry.ts keeps hashes by path, size and mtime).
 */
import { closeSync, copyFileSync, mkdirSync, openSync, readSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { circuitBuild } from '../../src/circuit/artifacts-node.ts';
import { createApp } from '../../src/server/app.ts';
import { ensureIssuerKey } from '../../src/server/issuer-service.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { build, removeDir, tempDir, testConfig } from './helpers.ts';

const dir = tempDir('zkid-integrity-');
afterAll(() => removeDir(dir));

/** A copy of the committed build under `dir`. */
function copyBuild(): string {
  const buildDir = join(dir, 'build');
  mkdirSync(join(buildDir, build.instance), { recursive: true });
  for (const f of ['manifest.json', 'verification_key.json', 'circuit.wasm', 'circuit.zkey', 'circuit.zkc']) {
    copyFileSync(join(build.dir, f), join(buildDir, build.instance, f));
  }
  return buildDir;
}

async function start(buildDir: string, name: string) {
  const store = new SqliteStore({ dataDir: join(dir, name) });
  try {
    await ensureIssuerKey(store, new Date());
    const app = await createApp({
      store,
      config: testConfig(),
      logger: pino({ level: 'silent' }),
      publicDir: null,
      circuit: circuitBuild(build.instance, buildDir),
    });
    await app.close();
  } finally {
    await store.close().catch(() => undefined);
  }
}

describe('circuit files checked against the manifest at start', () => {
  it('starts on an intact copy, then refuses it once one byte of the wasm changed (same size)', async () => {
    const buildDir = copyBuild();
    await start(buildDir, 'a');

    const wasm = join(buildDir, build.instance, 'circuit.wasm');
    const fd = openSync(wasm, 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, 1000);
    byte[0] = (byte[0] as number) ^ 0xff;
    writeSync(fd, byte, 0, 1, 1000);
    closeSync(fd);
    const later = new Date(Date.now() + 5000);
    utimesSync(wasm, later, later);

    await expect(start(buildDir, 'b')).rejects.toThrow(/circuit\.wasm has sha256 [0-9a-f]{64}, but the manifest says [0-9a-f]{64}/);
  });
});
