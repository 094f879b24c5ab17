/** Policy privacy rules: nothing may single out a holder, and identifying policies say so. */
import { describe, expect, it } from 'vitest';
import { circuitParams, DEFAULT_CIRCUIT } from '../src/circuit/registry.ts';
import { isIdentifyingPolicy, parsePolicy } from '../src/policy.ts';

const params = circuitParams(DEFAULT_CIRCUIT);
const parse = (o: object) => parsePolicy({ name: 'p', ...o }, params);

describe('parsePolicy refuses linking slots', () => {
  const ops: [string, unknown][] = [
    ['EQ', 5],
    ['NE', 5],
    ['LT', 5],
    ['LTE', 5],
    ['GT', 5],
    ['GTE', 5],
    ['BETWEEN', [1, 5]],
    ['IN', [1, 2, 3]],
    ['NIN', [1, 2, 3]],
  ];
  for (const attribute of ['serial', 'holderCommitment']) {
    it.each(ops)(`%s on ${attribute}`, (op, value) => {
      expect(() => parse({ predicates: [{ attribute, op, value }] })).toThrow(
        expect.objectContaining({
          code: 'INVALID_POLICY',
          field: 'policy.predicates[0].attribute',
          message: expect.stringContaining(`predicates on ${attribute} are not allowed`),
        }),
      );
    });
    it(`disclosing ${attribute}`, () => {
      expect(() => parse({ disclose: [attribute] })).toThrow(
        expect.objectContaining({ code: 'INVALID_POLICY', field: 'policy.disclose[0]', message: expect.stringContaining('would link') }),
      );
    });
  }
});

describe('identifying policies', () => {
  it('disclosing idNumber needs "identifying": true', () => {
    expect(() => parse({ disclose: ['idNumber'] })).toThrow(
      expect.objectContaining({
        code: 'INVALID_POLICY',
        field: 'policy.disclose[0]',
        message: expect.stringContaining('"identifying": true'),
      }),
    );
    const p = parse({ disclose: ['idNumber'], identifying: true });
    expect(p).toMatchObject({ identifying: true, disclose: ['idNumber'] });
    expect(isIdentifyingPolicy(p)).toBe(true);
  });

  it('IN and NIN on idNumber need "identifying": true', () => {
    for (const op of ['IN', 'NIN']) {
      expect(() => parse({ predicates: [{ attribute: 'idNumber', op, value: ['E12345678'] }] })).toThrow(
        expect.objectContaining({ code: 'INVALID_POLICY', field: 'policy.predicates[0]' }),
      );
      expect(parse({ predicates: [{ attribute: 'idNumber', op, value: ['E12345678'] }], identifying: true }).identifying).toBe(true);
    }
  });

  it('a policy that identifies nobody is not identifying, and the flag must be a boolean', () => {
    const p = parse({ predicates: [{ attribute: 'birthDate', op: 'AGE_GTE', value: 18 }], disclose: ['region'] });
    expect(isIdentifyingPolicy(p)).toBe(false);
    expect(p.identifying).toBeUndefined();
    expect(() => parse({ identifying: 'yes' })).toThrow(expect.objectContaining({ code: 'INVALID_POLICY', field: 'policy.identifying' }));
  });
});
