import { describe, expect, it } from 'vitest';
import { addDays, ageOn, formatDate, parseDate, todayUtc } from '../../src/dates.ts';

const invalidDate = (field: string, message?: string) =>
  expect.objectContaining({ code: 'INVALID_DATE', field, ...(message ? { message: expect.stringContaining(message) } : {}) });

describe('parseDate', () => {
  it('accepts YYYYMMDD integers, 8-digit strings and YYYY-MM-DD', () => {
    expect(parseDate('d', 20240131)).toBe(20240131);
    expect(parseDate('d', '20240131')).toBe(20240131);
    expect(parseDate('d', '2024-01-31')).toBe(20240131);
    expect(parseDate('d', 18000101)).toBe(18000101);
    expect(parseDate('d', 99991231)).toBe(99991231);
  });

  it('follows the Gregorian leap-year rule', () => {
    expect(parseDate('d', 20000229)).toBe(20000229); // divisible by 400
    expect(parseDate('d', 20240229)).toBe(20240229); // divisible by 4
    expect(() => parseDate('attributes.birthDate', 19000229)).toThrowError(invalidDate('attributes.birthDate', 'not a calendar date'));
    expect(() => parseDate('attributes.birthDate', 20230229)).toThrowError(invalidDate('attributes.birthDate', 'not a calendar date'));
  });

  it.each([
    ['30 February', 20240230, 'not a calendar date'],
    ['31 April', '2024-04-31', 'not a calendar date'],
    ['day 0', 20240100, 'not a calendar date'],
    ['month 0', 20240001, 'month'],
    ['month 13', '20241301', 'month'],
    ['year 1799', 17991231, 'year'],
    ['a 7-digit integer', 2024011, '8-digit'],
    ['a 9-digit integer', 202401011, '8-digit'],
    ['a fraction', 20240101.5, '8-digit'],
    ['a short string', '2024-1-1', 'YYYY-MM-DD'],
    ['a slashed string', '2024/01/01', 'YYYY-MM-DD'],
    ['trailing space', '20240101 ', 'YYYY-MM-DD'],
    ['null', null, 'YYYYMMDD'],
    ['undefined', undefined, 'YYYYMMDD'],
  ])('rejects %s', (_label, value, reason) => {
    expect(() => parseDate('attributes.validUntil', value)).toThrowError(invalidDate('attributes.validUntil', reason));
  });

  it('names the field in the message', () => {
    expect(() => parseDate('attributes.birthDate', 20240230)).toThrowError(/attributes\.birthDate/);
  });
});

describe('formatDate / todayUtc / addDays', () => {
  it('formats as YYYY-MM-DD', () => {
    expect(formatDate(20240229)).toBe('2024-02-29');
    expect(formatDate(18000101)).toBe('1800-01-01');
    expect(() => formatDate(20230229)).toThrowError(invalidDate('date'));
  });

  it('takes the UTC date', () => {
    expect(todayUtc(new Date('2024-03-01T23:30:00-05:00'))).toBe(20240302);
    expect(todayUtc(new Date('2024-02-29T00:00:00Z'))).toBe(20240229);
    expect(() => todayUtc(new Date('garbage'))).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'now' }));
    expect(todayUtc()).toBe(parseDate('d', new Date().toISOString().slice(0, 10)));
  });

  it('adds calendar days across months, years and leap days', () => {
    expect(addDays(20240228, 1)).toBe(20240229);
    expect(addDays(20230228, 1)).toBe(20230301);
    expect(addDays(20241231, 1)).toBe(20250101);
    expect(addDays(20250101, -1)).toBe(20241231);
    expect(addDays(20240301, -1)).toBe(20240229);
    expect(addDays(20000101, 366)).toBe(20010101);
    expect(addDays(20240115, 0)).toBe(20240115);
    expect(() => addDays(20240115, 1.5)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'days' }));
    expect(() => addDays(18000101, -1)).toThrowError(invalidDate('date', 'year'));
  });
});

describe('ageOn', () => {
  it('counts full years with the YYYYMMDD rule', () => {
    expect(ageOn(20000615, 20180614)).toBe(17);
    expect(ageOn(20000615, 20180615)).toBe(18);
    expect(ageOn(20000615, 20190101)).toBe(18);
    expect(ageOn(20000615, 20000615)).toBe(0);
  });

  it('makes a 29 February birthday N on 1 March in non-leap years', () => {
    // 20080229 + 18*10000 = 20260229: > 20260228, <= 20260301.
    expect(ageOn(20080229, 20260228)).toBe(17);
    expect(ageOn(20080229, 20260301)).toBe(18);
    // In a leap year the birthday itself exists: 20000229 + 240000 = 20240229.
    expect(ageOn(20000229, 20240228)).toBe(23);
    expect(ageOn(20000229, 20240229)).toBe(24);
  });

  it('agrees with birthDate + N*10000 <= today for every N, including dates before birth', () => {
    const cases: [number, number][] = [
      [20080229, 20260228],
      [20000615, 19991231],
      [19491231, 20250101],
      [20000101, 20000101],
    ];
    for (const [b, t] of cases) {
      const age = ageOn(b, t);
      expect(b + age * 10000 <= t).toBe(true);
      expect(b + (age + 1) * 10000 <= t).toBe(false);
    }
    expect(ageOn(20000615, 19991231)).toBeLessThan(0);
  });

  it('rejects invalid dates', () => {
    expect(() => ageOn(20230229, 20240101)).toThrowError(invalidDate('birthDate'));
    expect(() => ageOn(20000101, 20240230)).toThrowError(invalidDate('today'));
  });
});
