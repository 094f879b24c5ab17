/** Display helpers of the wallet that do not touch the DOM (unit-tested in Node). */
import { ISO3166_NUMERIC_TO_ALPHA2 } from './iso3166-numeric.ts';

/**
 * Mask a document number for display: the first two and the last two characters stay, the rest
 * becomes '•' (numbers of four characters or fewer keep only the last one).
 * @example maskIdNumber('110105200001011238') // '11••••••••••••••38'
 */
export function maskIdNumber(id: string): string {
  if (id.length <= 4) return '•'.repeat(Math.max(0, id.length - 1)) + id.slice(-1);
  return id.slice(0, 2) + '•'.repeat(id.length - 4) + id.slice(-2);
}

/** A long decimal shortened for tables: first 8 and last 6 digits. */
export function shortDecimal(v: string): string {
  return v.length <= 18 ? v : `${v.slice(0, 8)}…${v.slice(-6)}`;
}

const DOCUMENT_TYPES: Record<number, string> = { 0: 'other document', 1: 'CN resident ID', 2: 'passport' };

export function documentTypeName(t: number): string {
  return DOCUMENT_TYPES[t] ?? `document type ${t}`;
}

/** 258048 -> '258,048' (fixed locale, so tests and screenshots do not depend on the browser's). */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Milliseconds as seconds with two decimals: 1834.2 -> '1.83 s'. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

// ---- dates: one format in the wallet and the service page ---------------------------------------

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A YYYYMMDD date as the wallet shows every date: day, short English month, year (no locale can
 * read it the wrong way round, as 03/04/2030 can be).
 * @example displayDate(20240229) // '29 Feb 2024'
 */
export function displayDate(yyyymmdd: number): string {
  const y = Math.floor(yyyymmdd / 10_000);
  const m = Math.floor(yyyymmdd / 100) % 100;
  const d = yyyymmdd % 100;
  if (!Number.isInteger(yyyymmdd) || m < 1 || m > 12 || d < 1 || d > 31) return String(yyyymmdd);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * An instant in the holder's local time, in the same date format, with a 24-hour clock.
 * @example displayDateTime('2026-12-01T21:57:00') // '1 Dec 2026, 21:57' (local time)
 */
export function displayDateTime(t: string | number | Date): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return `${displayDate(d.getFullYear() * 10_000 + (d.getMonth() + 1) * 100 + d.getDate())}, ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** An instant as 'HH:MM' when it falls on the same local day as `now`, else as displayDateTime. */
export function displayTime(t: string | number | Date, now: number = Date.now()): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return new Date(now).toDateString() === d.toDateString() ? `${pad2(d.getHours())}:${pad2(d.getMinutes())}` : displayDateTime(d);
}

/** '12 min', '1 h 5 min', 'less than a minute' (how old something is, or how long until). */
export function minutesText(ms: number): string {
  const m = Math.floor(Math.max(0, ms) / 60_000);
  if (m < 1) return 'less than a minute';
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

// ---- attributes in words --------------------------------------------------------------------------

/**
 * A country's name from its ISO 3166-1 numeric code (the credential's nationality slot): the
 * table maps it to alpha-2 (generated from Debian's iso-codes), and the browser's own
 * Intl.DisplayNames names it. The wallet speaks English, so the names are English.
 * @example countryName(156) // 'China'
 * @returns the name, or 'country code N' for a code the table does not know
 */
export function countryName(numeric: number): string {
  const alpha2 = ISO3166_NUMERIC_TO_ALPHA2[numeric];
  if (!alpha2) return `country code ${numeric}`;
  let name: string | undefined;
  try {
    name = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' }).of(alpha2);
  } catch {
    name = undefined;
  }
  return name && name !== alpha2 ? name : alpha2;
}

/**
 * Province-level divisions of GB/T 2260 (the first two digits of a 6-digit region code) and their
 * usual English names. The credential schema accepts exactly these prefixes for a CN resident ID
 * (src/credential/schema.ts); test/browser/wallet-helpers.test.ts checks both lists agree.
 */
export const CN_PROVINCE_NAMES: Readonly<Record<number, string>> = {
  11: 'Beijing',
  12: 'Tianjin',
  13: 'Hebei',
  14: 'Shanxi',
  15: 'Inner Mongolia',
  21: 'Liaoning',
  22: 'Jilin',
  23: 'Heilongjiang',
  31: 'Shanghai',
  32: 'Jiangsu',
  33: 'Zhejiang',
  34: 'Anhui',
  35: 'Fujian',
  36: 'Jiangxi',
  37: 'Shandong',
  41: 'Henan',
  42: 'Hubei',
  43: 'Hunan',
  44: 'Guangdong',
  45: 'Guangxi',
  46: 'Hainan',
  50: 'Chongqing',
  51: 'Sichuan',
  52: 'Guizhou',
  53: 'Yunnan',
  54: 'Tibet',
  61: 'Shaanxi',
  62: 'Gansu',
  63: 'Qinghai',
  64: 'Ningxia',
  65: 'Xinjiang',
  71: 'Taiwan',
  81: 'Hong Kong',
  82: 'Macao',
};

/** The province of a 6-digit GB/T 2260 region code, or undefined. @example provinceName(110105) // 'Beijing' */
export function provinceName(region: number): string | undefined {
  if (!Number.isInteger(region) || region < 100_000 || region > 999_999) return undefined;
  return CN_PROVINCE_NAMES[Math.floor(region / 10_000)];
}

/** A region code with its province: 'Beijing (110105)', or 'region code 42' when unknown. */
export function regionLabel(region: number): string {
  const p = provinceName(region);
  return p ? `${p} (${region})` : `region code ${region}`;
}

const ATTRIBUTE_LABELS: Record<string, string> = {
  idNumber: 'ID number',
  birthDate: 'date of birth',
  validUntil: 'expiry date',
  region: 'region',
  nationality: 'nationality',
  documentType: 'document type',
  serial: 'revocation serial',
  holderCommitment: 'holder commitment',
};

/** 'birthDate' -> 'date of birth' (names of the schema's slots, for the holder). */
export function attributeLabel(attribute: string): string {
  return ATTRIBUTE_LABELS[attribute] ?? attribute;
}

/** Date-valued attributes (YYYYMMDD). */
export const DATE_ATTRIBUTES: ReadonlySet<string> = new Set(['birthDate', 'validUntil']);

/**
 * An attribute's value in words: dates in the wallet's one format, countries and provinces by
 * name (with the code, which is what a policy compares), document kinds by name.
 * @example attributeValue('nationality', 156) // 'China (156)'
 */
export function attributeValue(attribute: string, value: number | string): string {
  const n = typeof value === 'number' ? value : /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isNaN(n)) return String(value);
  if (DATE_ATTRIBUTES.has(attribute)) return displayDate(n);
  if (attribute === 'nationality') return `${countryName(n)} (${n})`;
  if (attribute === 'region') return regionLabel(n);
  if (attribute === 'documentType') return documentTypeName(n);
  return String(value);
}

/**
 * How fresh the wallet's revocation data is, said honestly. A verifier accepts a root while it is
 * the registry's newest and for its grace period after a newer one appears (and the registry keeps
 * a limited number of old roots, hence 'normally'). The wallet knows when it fetched the data,
 * when it was the newest, not when it was superseded: so it can promise fetch time + grace, and
 * no more unless the registry is unchanged.
 * @param graceSeconds the services' grace period (GET /v1/info), when known
 * @returns the sentence, and the time until which verifiers normally accept the data
 */
export function freshnessText(
  fetchedAt: string,
  graceSeconds: number | undefined,
  now: number = Date.now(),
): { text: string; acceptedUntil?: number } {
  const fetched = Date.parse(fetchedAt);
  const old = `Data from ${minutesText(now - fetched)} ago`;
  if (!graceSeconds || Number.isNaN(fetched)) return { text: `${old}.` };
  const until = fetched + graceSeconds * 1000;
  const grace = graceSeconds % 60 === 0 ? `${graceSeconds / 60}-minute` : `${graceSeconds}-second`;
  if (now < until) {
    return {
      text: `${old}. A verifier normally accepts it until ${displayTime(until, now)} (its ${grace} grace period after the fetch), and for as long as the registry has not changed since.`,
      acceptedUntil: until,
    };
  }
  return {
    text: `${old}: older than the ${grace} grace period, so a verifier accepts it only if the registry has not changed since it was fetched.`,
    acceptedUntil: until,
  };
}
