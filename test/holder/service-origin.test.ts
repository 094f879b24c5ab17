/** The holder's WebAuthn-style rule: a request's service id must belong to the origin that delivered it. */
import { describe, expect, it } from 'vitest';
import { checkServiceOrigin, serviceIdMatchesHost } from '../../src/holder/service-origin.ts';

describe('serviceIdMatchesHost', () => {
  it.each([
    ['shop.example', 'shop.example'],
    ['shop.example', 'www.shop.example'],
    ['shop.example', 'a.b.shop.example'],
    ['login.shop.example', 'login.shop.example'],
    ['shop.co.uk', 'pay.shop.co.uk'],
    ['evil.github.io', 'evil.github.io'],
    ['localhost', 'localhost'],
    ['127.0.0.1', '127.0.0.1'],
    ['Shop.Example', 'WWW.shop.example'],
  ])('%s is served by %s', (id, host) => {
    expect(serviceIdMatchesHost(id, host)).toBe(true);
  });

  it.each([
    ['bank.example', 'shop.example', 'another site'],
    ['shop.example', 'evilshop.example', 'a suffix without a dot boundary'],
    ['www.shop.example', 'shop.example', 'a parent cannot claim its subdomain'],
    ['github.io', 'evil.github.io', 'a public suffix (private section) would be shared by every site under it'],
    ['co.uk', 'shop.co.uk', 'a public suffix'],
    ['com', 'shop.com', 'a top-level domain'],
    ['localhost', 'shop.localhost', 'localhost is matched only exactly'],
    ['0.0.1', '127.0.0.1', 'IP addresses are matched only exactly'],
    ['shop example', 'shop example', 'not a host name'],
  ])('%s is not served by %s (%s)', (id, host) => {
    expect(serviceIdMatchesHost(id, host)).toBe(false);
  });
});

describe('checkServiceOrigin', () => {
  it('accepts an origin or URL of the service, whatever its port or path', () => {
    expect(() => checkServiceOrigin('shop.example', 'https://www.shop.example')).not.toThrow();
    expect(() => checkServiceOrigin('localhost', 'http://localhost:8080/v1/requests/abc/holder')).not.toThrow();
  });

  it("refuses a request for another service's scope, naming both", () => {
    expect(() => checkServiceOrigin('bank.example', 'https://shop.example')).toThrow(
      expect.objectContaining({
        code: 'SERVICE_MISMATCH',
        field: 'serviceId',
        message: expect.stringContaining("names service 'bank.example' but came from shop.example"),
      }),
    );
  });

  it('refuses origins that are not http(s)', () => {
    for (const o of ['file:///tmp/request.json', 'data:text/plain,x', 'not a url', 'javascript:alert(1)']) {
      expect(() => checkServiceOrigin('shop.example', o)).toThrow(expect.objectContaining({ code: 'SERVICE_MISMATCH', field: 'origin' }));
    }
  });
});
