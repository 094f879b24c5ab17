/** The wallet's DOM-free helpers, in Node: display formatting, policy wording, API error mapping. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUILTIN_POLICIES, holderCommitment } from '../../src/index.browser.ts';
import { createProofRequest } from '../../src/request.ts';
import { ApiError, api } from '../../src/wallet/api.ts';
import { describeError, describePolicy, timeLeft } from '../../src/wallet/dom.ts';
import { groupDigits, maskIdNumber, seconds, shortDecimal } from '../../src/wallet/format.ts';
import { acceptRequest, checkRedirectTo, requestUriFrom } from '../../src/wallet/intake.ts';
import { checkSecretFitsCredential, createBackup, parseBackup, recoveryPhrase, secretFromPhrase } from '../../src/wallet/recovery.ts';

describe('wallet display helpers', () => {
  it('masks ID numbers, keeping two characters at each end', () => {
    expect(maskIdNumber('110105200001011238')).toBe('11••••••••••••••38');
    expect(maskIdNumber('E12345678')).toBe('E1•••••78');
    expect(maskIdNumber('A12')).toBe('••2');
    expect(maskIdNumber('A1234')).toBe('A1•34');
  });

  it('formats numbers without depending on the locale', () => {
    expect(groupDigits(258048)).toBe('258,048');
    expect(groupDigits(999)).toBe('999');
    expect(shortDecimal('123')).toBe('123');
    expect(shortDecimal('12345678901234567890')).toBe('12345678…567890');
    expect(seconds(1834.2)).toBe('1.83 s');
  });

  it('describes policies in words', () => {
    expect(describePolicy(BUILTIN_POLICIES.over18!)).toBe('a valid, unrevoked ID; age is at least 18');
    expect(describePolicy(BUILTIN_POLICIES['valid-id']!)).toBe('a valid, unrevoked ID');
    expect(describePolicy(BUILTIN_POLICIES['adult-resident-of-region']!)).toBe(
      'a valid, unrevoked ID; age is at least 18; region is between 110000 and 119999',
    );
    expect(
      describePolicy({
        name: 'x',
        predicates: [{ attribute: 'nationality', op: 'IN', value: [156, 344] }],
        disclose: ['region'],
      }),
    ).toBe('a valid, unrevoked ID; nationality is one of 156, 344; reveals region');
  });

  it('counts down to expiry', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(timeLeft('2026-01-01T00:04:10Z', now)).toBe('4 min 10 s left');
    expect(timeLeft('2026-01-01T00:00:09Z', now)).toBe('9 s left');
    expect(timeLeft('2025-12-31T23:59:59Z', now)).toBe('expired');
  });
});

describe('api()', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  const respond = (status: number, body: string) =>
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(body, { status })),
    );

  it("turns the service's {error: {code, message}} into an ApiError with that code", async () => {
    respond(409, JSON.stringify({ error: { code: 'PSEUDONYM_ALREADY_USED', message: 'this person has already answered' } }));
    const e = await api('POST', '/v1/requests/x/presentation', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(describeError(e)).toEqual({ code: 'PSEUDONYM_ALREADY_USED', message: 'this person has already answered' });
    expect((e as ApiError).status).toBe(409);
  });

  it('reports responses without a JSON error body and unreachable services', async () => {
    respond(502, '<html>bad gateway</html>');
    await expect(api('GET', '/v1/info')).rejects.toMatchObject({ code: 'HTTP_502', status: 502 });
    respond(200, 'not json');
    await expect(api('GET', '/v1/info')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    await expect(api('GET', '/v1/info')).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });

  it('returns the JSON body of a success', async () => {
    respond(201, JSON.stringify({ id: 'abc' }));
    await expect(api('POST', '/v1/requests', { policy: 'over18' })).resolves.toEqual({ id: 'abc' });
  });
});

describe('recovery phrase and file', () => {
  const secret = 0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abn;

  it('round-trips a secret through the phrase, whatever the case, spacing and look-alike letters', async () => {
    const phrase = await recoveryPhrase(secret);
    expect(phrase).toMatch(/^zkid1(-[0-9A-HJKMNP-TV-Z]{1,5}){11}$/);
    expect(await secretFromPhrase(phrase)).toBe(secret);
    expect(await secretFromPhrase(phrase.toLowerCase().replace(/-/g, ' '))).toBe(secret);
    const body = phrase.slice('zkid1-'.length);
    expect(await secretFromPhrase(`zkid1-${body.replace(/0/g, 'O').replace(/1/g, 'l')}`)).toBe(secret);
    expect(await secretFromPhrase(await recoveryPhrase(1n))).toBe(1n);
  });

  it('refuses a phrase with one mistyped character (checksum), or of the wrong length', async () => {
    const phrase = await recoveryPhrase(secret);
    const i = 8;
    const typo = phrase.slice(0, i) + (phrase[i] === 'A' ? 'B' : 'A') + phrase.slice(i + 1);
    await expect(secretFromPhrase(typo)).rejects.toThrow(/typing mistake/);
    await expect(secretFromPhrase(phrase.slice(0, -1))).rejects.toThrow(/55 characters/);
    await expect(secretFromPhrase('hello')).rejects.toThrow(/starts with 'zkid1-'/);
  });

  it('checks a recovery file: commitment, and the credential it carries', () => {
    const credential = { holderCommitment: holderCommitment(secret).toString() } as never;
    const backup = createBackup(secret, undefined, new Date('2026-01-01T00:00:00Z'));
    expect(backup).toEqual({
      format: 'zkid/wallet-backup/v1',
      holderSecret: secret.toString(),
      holderCommitment: holderCommitment(secret).toString(),
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(parseBackup(JSON.stringify(backup)).secret).toBe(secret);
    expect(() => parseBackup(JSON.stringify({ ...backup, holderCommitment: '1' }))).toThrow(/damaged/);
    expect(() => parseBackup('{')).toThrow(/not JSON/);
    expect(() => checkSecretFitsCredential(secret, credential)).not.toThrow();
    expect(() => checkSecretFitsCredential(secret + 1n, credential)).toThrow(
      expect.objectContaining({ code: 'HOLDER_MISMATCH' }) as unknown as Error,
    );
  });
});

describe('request intake (the origin that delivered a request)', () => {
  const sha = 'ab'.repeat(32);
  const request = (serviceId: string) =>
    createProofRequest({
      policy: BUILTIN_POLICIES.over18!,
      serviceId,
      issuers: [['1', '2']],
      roots: ['3'],
      artifacts: { wasm: { url: '/v1/artifacts/c/c.wasm', sha256: sha }, zkey: { url: '/v1/artifacts/c/c.zkey', sha256: sha } },
    });
  const view = (serviceId: string, redirectUri?: string) =>
    ({
      status: 'pending',
      relyingParty: { name: 'Shop' },
      request: request(serviceId),
      gracePeriodSeconds: 3600,
      ...(redirectUri ? { redirectUri } : {}),
    }) as never;

  it('reads request_uri from the wallet URL, http(s) only', () => {
    expect(requestUriFrom('?request_uri=http%3A%2F%2Flocalhost%3A8080%2Fv1%2Frequests%2Fabc%2Fholder')).toBe(
      'http://localhost:8080/v1/requests/abc/holder',
    );
    expect(requestUriFrom('')).toBeUndefined();
    expect(() => requestUriFrom('?request_uri=javascript%3Aalert(1)')).toThrow(/http\(s\)/);
  });

  it('accepts a request whose service id is the delivering origin, and resolves its artifact URLs there', () => {
    const a = acceptRequest(
      view('localhost', 'http://localhost:8080/service.html?state=x'),
      'http://localhost:8080/v1/requests/abc/holder',
    );
    expect(a.serviceOrigin).toBe('http://localhost:8080');
    expect(a.presentationUrl).toBe('http://localhost:8080/v1/requests/abc/presentation');
    expect(a.request.artifacts?.zkey.url).toMatch(/^http:\/\/localhost:8080\/v1\/artifacts\//);
    expect(a.relyingPartyName).toBe('Shop');
  });

  it('refuses another service id, or a redirectUri elsewhere, with SERVICE_MISMATCH', () => {
    expect(() => acceptRequest(view('bank.example'), 'http://localhost:8080/v1/requests/abc/holder')).toThrow(
      expect.objectContaining({ code: 'SERVICE_MISMATCH' }) as unknown as Error,
    );
    expect(() => acceptRequest(view('localhost', 'https://evil.example/'), 'http://localhost:8080/v1/requests/abc/holder')).toThrow(
      expect.objectContaining({ code: 'SERVICE_MISMATCH' }) as unknown as Error,
    );
    expect(() => acceptRequest(view('localhost', 'javascript:alert(1)'), 'http://localhost:8080/v1/requests/abc/holder')).toThrow(
      expect.objectContaining({ code: 'SERVICE_MISMATCH' }) as unknown as Error,
    );
  });

  it('follows the service back only to the page it named', () => {
    const uri = 'http://localhost:8080/service.html?state=x';
    expect(checkRedirectTo('http://localhost:8080/service.html?state=x&response_code=abc', uri)).toContain('response_code=abc');
    expect(() => checkRedirectTo('http://evil.example/service.html?response_code=abc', uri)).toThrow(/not to the page it named/);
    expect(() => checkRedirectTo('http://localhost:8080/service.html?state=x', uri)).toThrow(/not to the page it named/);
  });
});
