/** Display helpers of the wallet that do not touch the DOM (unit-tested in Node). */

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
