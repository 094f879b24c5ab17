/**
 * The README's command-line walkthrough, run as a user would: each step a real `zkid` process, the
 * compiled CLI (test/helpers/cli.ts; test/global-setup.ts builds dist/ once).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { zkid as run } from '../helpers/cli.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'zkid-cli-'));
/**
 * Run `zkid` with a command line as written in the README (arguments split on spaces), as an
 * asynchronous child process: a synchronous one would block the test worker for minutes on a
 * busy machine.
 */
const zkid = (line: string) => run(line.split(' '), dir);
const ok = async (line: string) => {
  const r = await zkid(line);
  if (r.status !== 0) throw new Error(`zkid ${line} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
};
const json = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

// Several processes a test, one of them a proof: room for a busy machine.
describe('zkid CLI walkthrough', { timeout: 600_000 }, () => {
  beforeAll(() => {
    writeFileSync(
      join(dir, 'attributes.json'),
      JSON.stringify({
        idNumber: '11010519491231002X',
        birthDate: 19491231,
        validUntil: 20391231,
        region: 110105,
        nationality: 156,
        documentType: 1,
      }),
    );
  });

  it('issues, proves over18 and verifies', async () => {
    await ok('issuer keygen --out issuer.json');
    await ok('holder init --out holder.json');
    await ok('issue --key issuer.json --attributes attributes.json --holder holder.json --serial 1000 --out credential.json');
    expect(json('credential.json').serial).toBe('1000');
    await ok('revoke --tree tree.json --serial 999 1001');
    await ok('request --policy over18 --service shop.example --issuer issuer.json --tree tree.json --out request.json');
    await ok('tree bucket --tree tree.json --serial 1000 --out bucket.json');
    await ok(
      'prove --service shop.example --credential credential.json --holder holder.json --request request.json --bucket bucket.json --out presentation.json',
    );
    const verdict = JSON.parse(await ok('verify --request request.json --presentation presentation.json'));
    expect(verdict).toMatchObject({ verified: true, policy: 'over18', disclosed: {} });
    // The proof reveals nothing of the ID number.
    expect(readFileSync(join(dir, 'presentation.json'), 'utf8')).not.toContain('11010519491231002X');
  });

  it("refuses a request for another service's pseudonym before proving anything", async () => {
    // bank.example asks, but the holder is answering shop.example: the scope would be the bank's.
    await ok('request --policy over18 --service bank.example --issuer issuer.json --tree tree.json --out request-bank.json');
    const r = await zkid(
      'prove --service shop.example --credential credential.json --holder holder.json --request request-bank.json --bucket bucket.json --out stolen.json',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^error SERVICE_MISMATCH \(request\.serviceId\): the request is for service 'bank\.example', not 'shop\.example'/m,
    );
    expect(r.stderr).not.toMatch(/proving/);
    expect(existsSync(join(dir, 'stolen.json'))).toBe(false);
  });

  it('refuses to prove once the credential is revoked, and says why', async () => {
    await ok('revoke --tree tree.json --serial 1000');
    await ok('request --policy over18 --service shop.example --issuer issuer.json --tree tree.json --out request2.json');
    const r = await zkid(
      'prove --service shop.example --credential credential.json --holder holder.json --request request2.json --tree tree.json',
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error CREDENTIAL_REVOKED');
  });

  it('rejects a presentation replayed against another request (exit 1, with the code)', async () => {
    const r = await zkid('verify --request request2.json --presentation presentation.json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ verified: false, code: 'REQUEST_MISMATCH' });
  });

  it('names the field of bad input', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...json('attributes.json'), birthDate: 20230230 }));
    const r = await zkid('issue --key issuer.json --attributes bad.json --holder holder.json');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error INVALID_DATE \(attributes\.birthDate\)/);
  });

  it('exits 64 on usage errors, never 1 (which means "rejected") or 2 (invalid input)', async () => {
    const lines = ['nosuch', 'prove --credential credential.json', 'verify --request request.json --bogus x', 'issuer keygen --out'];
    const results = await Promise.all(lines.map((line) => zkid(line)));
    results.forEach((r, i) => {
      expect(r.status, lines[i]).toBe(64);
      expect(r.stderr, lines[i]).toMatch(/^error: (unknown command|required option|unknown option|option .* argument missing)/m);
    });
  });

  it('prints its version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect((await ok('--version')).trim()).toBe(pkg.version);
  });

  it('prints circuit info as JSON', async () => {
    const info = JSON.parse(await ok('circuit info --json'));
    expect(info).toMatchObject({ instance: 'presentation-d24-a8-k4-s16', constraints: 10494, publicInputs: 8, nPublic: 17 });
    expect(info.zkeySha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
