/** The wallet's DOM-free helpers, in Node: display formatting, policy wording, API error mapping. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUILTIN_POLICIES } from '../../src/index.browser.ts';
import { ApiError, api } from '../../src/wallet/api.ts';
import { describeError, describePolicy, timeLeft } from '../../src/wallet/dom.ts';
import { groupDigits, maskIdNumber, seconds, shortDecimal } from '../../src/wallet/format.ts';

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
