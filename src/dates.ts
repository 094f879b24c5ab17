/**
 * Calendar dates as YYYYMMDD integers, the form the circuit compares (`birthDate`, `validUntil`,
 * `today`). All arithmetic is on the proleptic Gregorian calendar in UTC; years 1800..9999.
 */
import { ZkidError } from './errors.ts';

const MIN_YEAR = 1800;
const MAX_YEAR = 9999;
const COMPACT = /^[0-9]{8}$/;
const ISO = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Parse and validate a calendar date.
 * @param field name of the parameter, used in errors (e.g. 'attributes.birthDate')
 * @param value a YYYYMMDD integer (number or bigint), an 8-digit string 'YYYYMMDD', or 'YYYY-MM-DD'
 * @returns the date as a YYYYMMDD number
 * @throws ZkidError INVALID_DATE (naming `field`) for a wrong type or format, a year outside
 *   1800..9999, or a day that does not exist (30 February, 29 February 1900)
 * @example parseDate('birthDate', '2000-02-29') // 20000229
 */
export function parseDate(field: string, value: unknown): number {
  let year: number;
  let month: number;
  let day: number;
  if (typeof value === 'number' || typeof value === 'bigint') {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 10_000_000 || n > 99_999_999) {
      throw new ZkidError('INVALID_DATE', `${field} must be an 8-digit YYYYMMDD integer`, field);
    }
    year = Math.floor(n / 10_000);
    month = Math.floor(n / 100) % 100;
    day = n % 100;
  } else if (typeof value === 'string') {
    const iso = ISO.exec(value);
    if (iso) {
      year = Number(iso[1]);
      month = Number(iso[2]);
      day = Number(iso[3]);
    } else if (COMPACT.test(value)) {
      year = Number(value.slice(0, 4));
      month = Number(value.slice(4, 6));
      day = Number(value.slice(6, 8));
    } else {
      throw new ZkidError('INVALID_DATE', `${field} must be YYYYMMDD or YYYY-MM-DD`, field);
    }
  } else {
    throw new ZkidError('INVALID_DATE', `${field} must be a YYYYMMDD integer or a date string`, field);
  }
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new ZkidError('INVALID_DATE', `${field} year must be between ${MIN_YEAR} and ${MAX_YEAR}`, field);
  }
  if (month < 1 || month > 12) throw new ZkidError('INVALID_DATE', `${field} month must be 01..12`, field);
  if (day < 1 || day > daysInMonth(year, month)) {
    throw new ZkidError('INVALID_DATE', `${field} is not a calendar date (day ${day} of month ${month} in ${year})`, field);
  }
  return year * 10_000 + month * 100 + day;
}

/**
 * Format a YYYYMMDD date as 'YYYY-MM-DD'.
 * @throws ZkidError INVALID_DATE (field 'date') for an invalid date
 * @example formatDate(20240229) // '2024-02-29'
 */
export function formatDate(yyyymmdd: number): string {
  const d = parseDate('date', yyyymmdd);
  const s = String(d);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/**
 * Today's date in UTC as YYYYMMDD (the `today` public input uses UTC so every party agrees).
 * @param now the instant to convert (default: the current time)
 * @throws ZkidError INVALID_ARGUMENT (field 'now') for an invalid Date; INVALID_DATE outside 1800..9999
 */
export function todayUtc(now: Date = new Date()): number {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new ZkidError('INVALID_ARGUMENT', 'now must be a valid Date', 'now');
  }
  return parseDate('now', now.getUTCFullYear() * 10_000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate());
}

/**
 * Add (or, with a negative count, subtract) calendar days.
 * @param yyyymmdd a valid date
 * @param days a safe integer
 * @throws ZkidError INVALID_DATE (field 'date') for an invalid date or a result outside 1800..9999;
 *   INVALID_ARGUMENT (field 'days') for a non-integer count
 * @example addDays(20240228, 1) // 20240229
 */
export function addDays(yyyymmdd: number, days: number): number {
  const d = parseDate('date', yyyymmdd);
  if (!Number.isSafeInteger(days)) throw new ZkidError('INVALID_ARGUMENT', 'days must be an integer', 'days');
  const ms = Date.UTC(Math.floor(d / 10_000), (Math.floor(d / 100) % 100) - 1, (d % 100) + days);
  const result = new Date(ms);
  if (Number.isNaN(result.getTime())) throw new ZkidError('INVALID_DATE', 'date is out of range after adding days', 'date');
  return parseDate('date', result.getUTCFullYear() * 10_000 + (result.getUTCMonth() + 1) * 100 + result.getUTCDate());
}

/**
 * Age in full years on `today`, by the rule the circuit's AGE_GTE predicate enforces:
 * the holder is at least N years old exactly when `birthDate + N*10000 <= today`, so
 * `ageOn(b, t) >= N` if and only if `b + N*10000 <= t`, for every integer N. The result is
 * negative when `today` is before `birthDate`.
 *
 * A 29 February birthday turns N on 1 March in non-leap years: 20080229 + 180000 = 20260229,
 * which is > 20260228 (not yet 18 on 28 February 2026) and <= 20260301 (18 on 1 March 2026).
 * In leap years it turns N on 29 February itself.
 * @throws ZkidError INVALID_DATE (field 'birthDate' or 'today') for an invalid date
 * @example ageOn(20080229, 20260301) // 18
 */
export function ageOn(birthDate: number, today: number): number {
  const b = parseDate('birthDate', birthDate);
  const t = parseDate('today', today);
  return Math.floor((t - b) / 10_000);
}
