/** The README's command-line walkthrough, run as a user would (each step a real `zkid` process). */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'zkid-cli-'));
/** Run `zkid` with a command line as written in the README (arguments split on spaces). */
const zkid = (line: string) =>
  spawnSync(process.execPath, [join(ROOT, 'src/cli/bin.js'), ...line.split(' ')], { cwd: dir, encoding: 'utf8' });
const ok = (line: string) => {
  const r = zkid(line);
  if (r.status !== 0) throw new Error(`zkid ${line} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
};
const json = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

describe('zkid CLI walkthrough', () => {
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

  it('issues, proves over18 and verifies', () => {
    ok('issuer keygen --out issuer.json');
    ok('holder init --out holder.json');
    ok('issue --key issuer.json --attributes attributes.json --holder holder.json --serial 1000 --out credential.json');
    expect(json('credential.json').serial).toBe('1000');
    ok('revoke --tree tree.json --serial 999 1001');
    ok('request --policy over18 --service shop.example --issuer issuer.json --tree tree.json --out request.json');
    ok('tree bucket --tree tree.json --serial 1000 --out bucket.json');
    ok('prove --credential credential.json --holder holder.json --request request.json --bucket bucket.json --out presentation.json');
    const verdict = JSON.parse(ok('verify --request request.json --presentation presentation.json'));
    expect(verdict).toMatchObject({ verified: true, policy: 'over18', disclosed: {} });
    // The proof reveals nothing of the ID number.
    expect(readFileSync(join(dir, 'presentation.json'), 'utf8')).not.toContain('11010519491231002X');
  });

  it('refuses to prove once the credential is revoked, and says why', () => {
    ok('revoke --tree tree.json --serial 1000');
    ok('request --policy over18 --service shop.example --issuer issuer.json --tree tree.json --out request2.json');
    const r = zkid('prove --credential credential.json --holder holder.json --request request2.json --tree tree.json');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error CREDENTIAL_REVOKED');
  });

  it('rejects a presentation replayed against another request (exit 1, with the code)', () => {
    const r = zkid('verify --request request2.json --presentation presentation.json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ verified: false, code: 'REQUEST_MISMATCH' });
  });

  it('names the field of bad input', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...json('attributes.json'), birthDate: 20230230 }));
    const r = zkid('issue --key issuer.json --attributes bad.json --holder holder.json');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error INVALID_DATE \(attributes\.birthDate\)/);
  });

  it('prints circuit info as JSON', () => {
    const info = JSON.parse(
      execFileSync(process.execPath, [join(ROOT, 'src/cli/bin.js'), 'circuit', 'info', '--json'], { encoding: 'utf8' }),
    );
    expect(info).toMatchObject({ instance: 'presentation-d24-a8-k4-s16', constraints: 10494, publicInputs: 8, nPublic: 17 });
    expect(info.zkeySha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
