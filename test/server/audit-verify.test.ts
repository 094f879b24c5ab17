/**
 * The audit log's hash chain can be verified (GET /v1/issuer/audit/verify, `zkid audit verify`):
 * an intact log is valid with its head hash; an edited or deleted entry is found, by id, with the
 * reason. Tampering needs someone who bypasses the store (the triggers refuse UPDATE and DELETE),
 * so the test drops the triggers first, as such an attacker would.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/store/audit-verify.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { zkid as runCli } from '../helpers/cli.ts';
import { ADMIN_TOKEN, enrol, removeDir, startApp, type TestApp } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
let t: TestApp;

/** The compiled CLI (`zkid`, test/helpers/cli.ts), run from the repository. */
const zkid = (args: string[]) => runCli(args, ROOT);

beforeAll(async () => {
  t = await startApp();
  await enrol(t.app);
  await enrol(t.app);
});
afterAll(async () => {
  await t.app.close().catch(() => undefined);
  removeDir(t.dir);
});

describe('audit chain verification', () => {
  it('answers valid with the head hash for an intact log (admin only)', async () => {
    expect((await request(t.app).get('/v1/issuer/audit/verify')).status).toBe(401);
    const res = await request(t.app).get('/v1/issuer/audit/verify').set(auth);
    expect(res.status).toBe(200);
    const entries = await t.store.listAudit({ limit: 1000 });
    expect(res.body).toEqual({ valid: true, entries: entries.length, headId: entries.at(-1)?.id, headHash: entries.at(-1)?.hash });
    expect(entries.length).toBeGreaterThanOrEqual(3);
  });

  it('finds an edited entry and a deleted one, by id, and the CLI exits 1', async () => {
    await t.app.close();
    const store = new SqliteStore({ dataDir: t.dir });
    try {
      const db = store.database;
      db.exec('DROP TRIGGER audit_append_only_update; DROP TRIGGER audit_append_only_delete;');
      db.prepare('UPDATE audit SET details_json = \'{"keyId":"forged"}\' WHERE id = 2').run();
      expect(await verifyAuditChain(store)).toMatchObject({
        valid: false,
        brokenAt: 2,
        reason: expect.stringContaining('was changed after it was written'),
      });
    } finally {
      await store.close();
    }
    const cli = await zkid(['audit', 'verify', '--data', t.dir]);
    expect(cli.status).toBe(1);
    expect(JSON.parse(cli.stdout)).toMatchObject({ valid: false, brokenAt: 2 });

    const again = new SqliteStore({ dataDir: t.dir });
    try {
      const original = (await again.listAudit({ limit: 1000 }))[1];
      again.database.prepare('DELETE FROM audit WHERE id = 2').run();
      expect(original?.id).toBe(2);
      expect(await verifyAuditChain(again)).toMatchObject({
        valid: false,
        brokenAt: 3,
        reason: expect.stringContaining('1 entries are missing'),
      });
    } finally {
      await again.close();
    }
  });

  it('CLI: exit 0 and the head on an intact log, 2 for a missing data directory', async () => {
    const fresh = await startApp();
    await fresh.app.close();
    const ok = await zkid(['audit', 'verify', '--data', fresh.dir]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true });
    removeDir(fresh.dir);
    const missing = await zkid(['audit', 'verify', '--data', join(fresh.dir, 'nope')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/error INVALID_ARGUMENT \(data\)/);
  });
});
