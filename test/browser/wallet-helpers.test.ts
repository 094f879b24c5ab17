/** The wallet's DOM-free helpers, in Node: display formatting, policy wording, API error mapping. */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ISO_CODES_JSON, numericToAlpha2 } from '../../scripts/gen-iso3166-numeric.ts';
import { validateAttributes } from '../../src/credential/schema.ts';
import { BUILTIN_POLICIES, holderCommitment } from '../../src/index.browser.ts';
import { createProofRequest } from '../../src/request.ts';
import { ApiError, api } from '../../src/wallet/api.ts';
import { describeDisclosure, describeError, describePolicy, describePredicate, timeLeft } from '../../src/wallet/dom.ts';
import {
  attributeValue,
  CN_PROVINCE_NAMES,
  countryName,
  displayDate,
  displayDateTime,
  displayTime,
  freshnessText,
  groupDigits,
  maskIdNumber,
  minutesText,
  provinceName,
  regionLabel,
  seconds,
  shortDecimal,
} from '../../src/wallet/format.ts';
import { acceptRequest, checkRedirectTo, requestUriFrom } from '../../src/wallet/intake.ts';
import { ISO3166_NUMERIC_TO_ALPHA2 } from '../../src/wallet/iso3166-numeric.ts';
import {
  blendStepTimes,
  DEFAULT_STEP_MS,
  ProofProgressEstimate,
  parseStepTimes,
  STEP_ORDER,
  stepOf,
  timeLeftWords,
} from '../../src/wallet/progress.ts';
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
      'a valid, unrevoked ID; age is at least 18; region is in Beijing (110000 to 119999)',
    );
    expect(
      describePolicy({
        name: 'x',
        predicates: [{ attribute: 'nationality', op: 'IN', value: [156, 344] }],
        disclose: ['region', 'idNumber'],
      }),
    ).toBe('a valid, unrevoked ID; nationality is one of China (156), Hong Kong SAR China (344); reveals region, ID number');
  });

  it('says predicate values in readable form: dates, countries, provinces, document kinds', () => {
    expect(describePredicate({ attribute: 'validUntil', op: 'GT', value: 20300101 })).toBe('expiry date is after 1 Jan 2030');
    expect(describePredicate({ attribute: 'birthDate', op: 'LTE', value: 20000229 })).toBe('date of birth is on or before 29 Feb 2000');
    expect(describePredicate({ attribute: 'nationality', op: 'EQ', value: 156 })).toBe('nationality is China (156)');
    expect(describePredicate({ attribute: 'nationality', op: 'NIN', value: [840, 999] })).toBe(
      'nationality is none of United States (840), country code 999 (999)',
    );
    expect(describePredicate({ attribute: 'region', op: 'BETWEEN', value: [110000, 129999] })).toBe(
      'region is between Beijing (110000) and Tianjin (129999)',
    );
    expect(describePredicate({ attribute: 'documentType', op: 'EQ', value: 1 })).toBe('document type is CN resident ID');
    expect(describeDisclosure(['idNumber', 'region'])).toBe('ID number (idNumber), region');
  });

  it('shows every date in one format, and times in the local clock', () => {
    expect(displayDate(20240229)).toBe('29 Feb 2024');
    expect(displayDate(20301231)).toBe('31 Dec 2030');
    expect(displayDate(20300101)).toBe('1 Jan 2030');
    // Not a date: shown as it is rather than guessed at.
    expect(displayDate(20301301)).toBe('20301301');
    const t = new Date(2026, 11, 1, 9, 5); // local time
    expect(displayDateTime(t)).toBe('1 Dec 2026, 09:05');
    expect(displayDateTime(t.toISOString())).toBe('1 Dec 2026, 09:05');
    expect(displayTime(t, new Date(2026, 11, 1, 23, 0).getTime())).toBe('09:05');
    expect(displayTime(t, new Date(2026, 11, 2, 0, 1).getTime())).toBe('1 Dec 2026, 09:05');
    expect(minutesText(59_999)).toBe('less than a minute');
    expect(minutesText(12 * 60_000 + 5_000)).toBe('12 min');
    expect(minutesText(75 * 60_000)).toBe('1 h 15 min');
  });

  it('names attribute values: countries through Intl.DisplayNames, provinces from the GB/T 2260 table', () => {
    expect(countryName(156)).toBe('China');
    expect(countryName(344)).toBe('Hong Kong SAR China');
    expect(countryName(276)).toBe('Germany');
    expect(countryName(4)).toBe('Afghanistan');
    expect(countryName(999)).toBe('country code 999');
    expect(provinceName(110105)).toBe('Beijing');
    expect(provinceName(820000)).toBe('Macao');
    expect(provinceName(990000)).toBeUndefined();
    expect(provinceName(1101)).toBeUndefined();
    expect(regionLabel(440305)).toBe('Guangdong (440305)');
    expect(regionLabel(42)).toBe('region code 42');
    expect(attributeValue('nationality', '156')).toBe('China (156)');
    expect(attributeValue('birthDate', 19800101)).toBe('1 Jan 1980');
    expect(attributeValue('idNumber', '11010519491231002X')).toBe('11010519491231002X');
  });

  it('has a name for every country code of the table, and the table matches the maintained ISO 3166 list', () => {
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    const codes = Object.entries(ISO3166_NUMERIC_TO_ALPHA2);
    expect(codes.length).toBeGreaterThanOrEqual(249);
    for (const [numeric, alpha2] of codes) {
      expect(alpha2, numeric).toMatch(/^[A-Z]{2}$/);
      expect(names.of(alpha2), `${numeric} ${alpha2}`).toBeTruthy();
    }
    if (!existsSync(ISO_CODES_JSON)) {
      console.warn(`${ISO_CODES_JSON} is missing (apt-get install iso-codes): the ISO 3166 table was not compared with it`);
      return;
    }
    // Regenerate with `node --import tsx scripts/gen-iso3166-numeric.ts` when this fails.
    expect(codes.map(([n, a]) => [Number(n), a])).toEqual(numericToAlpha2(readFileSync(ISO_CODES_JSON, 'utf8')));
  });

  it("names exactly the provinces the credential schema accepts for a CN resident ID's region", () => {
    const accepted: number[] = [];
    for (let p = 10; p <= 99; p++) {
      try {
        validateAttributes({
          idNumber: '11010519491231002X',
          birthDate: 19491231,
          validUntil: 20300101,
          region: p * 10_000 + 101,
          nationality: 156,
          documentType: 1,
        });
        accepted.push(p);
      } catch {}
    }
    expect(accepted.length).toBe(34);
    expect(Object.keys(CN_PROVINCE_NAMES).map(Number)).toEqual(accepted);
  });

  it('says how fresh revocation data is, and until when a verifier normally accepts it', () => {
    const fetched = new Date(2026, 11, 1, 21, 57).getTime();
    const at = (min: number) => freshnessText(new Date(fetched).toISOString(), 3600, fetched + min * 60_000);
    expect(at(12)).toEqual({
      text: 'Data from 12 min ago. A verifier normally accepts it until 22:57 (its 60-minute grace period after the fetch), and for as long as the registry has not changed since.',
      acceptedUntil: fetched + 3_600_000,
    });
    expect(at(75).text).toBe(
      'Data from 1 h 15 min ago: older than the 60-minute grace period, so a verifier accepts it only if the registry has not changed since it was fetched.',
    );
    expect(freshnessText(new Date(fetched).toISOString(), undefined, fetched + 30_000)).toEqual({
      text: 'Data from less than a minute ago.',
    });
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

  it("keeps the view's ticket as it came, to send back with the presentation; ignores one that is not a bounded string", () => {
    const uri = 'http://localhost:8080/v1/requests/abc/holder';
    const withTicket = (ticket: unknown) => ({ ...(view('localhost') as object), ticket }) as never;
    expect(acceptRequest(withTicket('t1.abc.def'), uri).ticket).toBe('t1.abc.def');
    expect(acceptRequest(view('localhost'), uri).ticket).toBeUndefined();
    expect(acceptRequest(withTicket(42), uri).ticket).toBeUndefined();
    expect(acceptRequest(withTicket('x'.repeat(16_385)), uri).ticket).toBeUndefined();
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

describe("proof progress in the holder's words", () => {
  const at = (e: ProofProgressEstimate, t: number) => e.view(t);
  const stage = (s: 'checking' | 'loading-artifacts' | 'witness' | 'proving' | 'done') => ({ stage: s });

  it('maps the library stages to steps (proving: start, QAP, FFT, MSM)', () => {
    expect(stepOf(stage('checking'), 0)).toBe('check');
    expect(stepOf(stage('loading-artifacts'), 0)).toBe('load');
    expect(stepOf(stage('witness'), 0)).toBe('witness');
    expect([0, 1, 2, 3, 4].map((n) => stepOf(stage('proving'), n))).toEqual(['prepare', 'qap', 'fft', 'msm', 'msm']);
    expect(stepOf(stage('done'), 4)).toBeUndefined();
  });

  it('moves the bar with the clock, says the time left, and never lets a slow step push the bar into the next', () => {
    // 2 s in all: check 100, load 200, witness 300, prepare 100, QAP 200, FFT 400, MSM 700.
    const T = { check: 100, load: 200, witness: 300, prepare: 100, qap: 200, fft: 400, msm: 700 };
    const e = new ProofProgressEstimate(T, 0);
    expect(at(e, 0)).toEqual({
      fraction: 0,
      remainingMs: 2000,
      words: 'Checking your credential',
      label: 'Checking your credential — about 2 s left',
    });
    // Halfway through the check: the bar has moved with the clock.
    expect(at(e, 50).fraction).toBeCloseTo(50 / 2000, 6);
    expect(at(e, 50).remainingMs).toBe(1950);
    e.report(stage('loading-artifacts'), 30);
    e.report(stage('witness'), 330);
    const w = at(e, 330);
    expect(w.words).toBe('Building the proof');
    expect(w.fraction).toBeCloseTo(300 / 2000, 6);
    expect(w.remainingMs).toBe(1700);
    // The witness takes ten times longer than expected: the bar stops at 95% of its share, and
    // the time left at the steps still to come plus 5% of this one.
    const late = at(e, 330 + 3000);
    expect(late.fraction).toBeCloseTo((300 + 0.95 * 300) / 2000, 6);
    expect(late.remainingMs).toBe(1400 + 15);
    expect(late.label).toBe('Building the proof — about 2 s left');
    for (const t of [3400, 3500, 3600, 3700]) e.report(stage('proving'), t);
    expect(at(e, 3700).remainingMs).toBe(700);
    expect(at(e, 3700).label).toBe('Building the proof — almost done');
    e.report(stage('done'), 4400);
    expect(e.measured()).toEqual({ check: 30, load: 300, witness: 3070, prepare: 100, qap: 100, fft: 100, msm: 700 });
  });

  it("learns this device's step times halfway, and reads stored ones defensively", () => {
    // The defaults add up to the measured browser proof on the quiet reference machine (4.6 s).
    expect(STEP_ORDER.reduce((sum, k) => sum + DEFAULT_STEP_MS[k], 0)).toBe(4600);
    const next = blendStepTimes(DEFAULT_STEP_MS, { msm: DEFAULT_STEP_MS.msm * 3, load: Number.NaN });
    expect(next.msm).toBe(DEFAULT_STEP_MS.msm * 2);
    expect(next.load).toBe(DEFAULT_STEP_MS.load);
    expect(parseStepTimes(undefined)).toEqual(DEFAULT_STEP_MS);
    expect(parseStepTimes({ msm: 900, fft: -1, qap: 'x' })).toEqual({ ...DEFAULT_STEP_MS, msm: 900 });
    expect(timeLeftWords(400)).toBe('almost done');
    expect(timeLeftWords(2_100)).toBe('about 3 s left');
    expect(timeLeftWords(90_000)).toBe('about 2 min left');
  });
});
