/**
 * Small DOM helpers for the wallet and service pages. Text always goes in through textContent:
 * nothing the service or a request says is ever parsed as HTML.
 */
import type { Policy, Predicate } from '../index.browser.ts';
import { ApiError } from './api.ts';
import { attributeLabel, attributeValue, DATE_ATTRIBUTES, provinceName } from './format.ts';

type Child = Node | string | number | null | undefined | false;

/** Create an element: h('li', {class: 'x', 'data-id': id}, 'text', child). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === true) el.setAttribute(k, '');
    else if (typeof v === 'string') el.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

/** The element with this id. @throws Error when the page lacks it (a build mistake) */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** Code and message of any error: service errors, zkid library errors, worker errors, others. */
export function describeError(e: unknown): { code: string; message: string } {
  if (e instanceof ApiError) return { code: e.code, message: e.message };
  // ZkidError (the library), ProverError (the worker) and others with a stable code.
  if (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string') {
    return { code: (e as { code: string }).code, message: String((e as { message?: unknown }).message ?? '') };
  }
  return { code: 'ERROR', message: e instanceof Error ? e.message : String(e) };
}

/** Show an error in a role=alert region (replacing what it showed). */
export function showError(region: HTMLElement, context: string, e: unknown): void {
  const { code, message } = describeError(e);
  region.replaceChildren(h('strong', {}, `${context}: `), h('code', { class: 'code' }, code), ' ', message);
  region.hidden = false;
  console.error(`${context}: ${code}: ${message}`);
}

export function clearError(region: HTMLElement): void {
  region.replaceChildren();
  region.hidden = true;
}

/**
 * Run an async action from a button: the button is disabled meanwhile, and a failure is shown in
 * the error region, never swallowed. Afterwards `render` decides which buttons are enabled
 * (without it, the button is enabled again).
 */
export async function action(
  button: HTMLButtonElement | undefined,
  region: HTMLElement,
  context: string,
  f: () => Promise<void>,
  render?: () => void,
): Promise<void> {
  if (button) button.disabled = true;
  clearError(region);
  try {
    await f();
  } catch (e) {
    showError(region, context, e);
  } finally {
    if (button) button.disabled = false;
    render?.();
  }
}

/** 'in 4 min 10 s' / 'expired' */
export function timeLeft(expiresAt: string, now = Date.now()): string {
  const s = Math.round((Date.parse(expiresAt) - now) / 1000);
  if (!(s > 0)) return 'expired';
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s left` : `${s} s left`;
}

const OP_TEXT: Record<string, string> = {
  EQ: 'is',
  NE: 'is not',
  LT: 'is below',
  LTE: 'is at most',
  GT: 'is above',
  GTE: 'is at least',
};
const DATE_OP_TEXT: Record<string, string> = {
  EQ: 'is',
  NE: 'is not',
  LT: 'is before',
  LTE: 'is on or before',
  GT: 'is after',
  GTE: 'is on or after',
};

/**
 * A predicate in words, with values readable (dates, countries, provinces):
 * 'age is at least 18', 'region is in Beijing (110000 to 119999)',
 * 'nationality is one of China (156), Hong Kong SAR China (344)'.
 */
export function describePredicate(p: Predicate): string {
  const name = attributeLabel(p.attribute);
  const v = (x: number | string) => attributeValue(p.attribute, x);
  switch (p.op) {
    case 'AGE_GTE':
      return `age is at least ${p.value}`;
    case 'BETWEEN': {
      const [lo, hi] = p.value.map(Number) as [number, number];
      // A range that is exactly one province's codes is said as that province.
      const province = p.attribute === 'region' && lo % 10_000 === 0 && hi === lo + 9_999 ? provinceName(lo) : undefined;
      if (province) return `${name} is in ${province} (${lo} to ${hi})`;
      return `${name} is between ${v(lo)} and ${v(hi)}`;
    }
    case 'IN':
      return `${name} is one of ${p.value.map(v).join(', ')}`;
    case 'NIN':
      return `${name} is none of ${p.value.map(v).join(', ')}`;
    default: {
      const op = (DATE_ATTRIBUTES.has(p.attribute) ? DATE_OP_TEXT : OP_TEXT)[p.op] ?? p.op;
      return `${name} ${op} ${v(p.value as number | string)}`;
    }
  }
}

/** Attributes a service will see, in words: 'ID number (idNumber), region (region)'. */
export function describeDisclosure(disclose: readonly string[]): string {
  return disclose.map((a) => (attributeLabel(a) === a ? a : `${attributeLabel(a)} (${a})`)).join(', ');
}

/** What a policy asks, in words (every proof also shows a signed, unexpired, unrevoked ID). */
export function describePolicy(p: Policy): string {
  const parts = ['a valid, unrevoked ID', ...p.predicates.map(describePredicate)];
  if (p.disclose.length > 0) parts.push(`reveals ${p.disclose.map(attributeLabel).join(', ')}`);
  return parts.join('; ');
}

/** Copy text to the clipboard; falls back to selecting it for Ctrl+C. */
export async function copyText(text: string, fallbackSelect: HTMLElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(fallbackSelect);
    const sel = window.getSelection();
    sel?.removeAllRanges();
    sel?.addRange(range);
    return false;
  }
}

/**
 * A long value (a pseudonym, a commitment) that fits a phone: shown whole and wrapping anywhere,
 * or shortened with the whole value in its title; either way a Copy button copies the whole value.
 * @param o.id the id of the code element (tests read the value from it)
 */
export function copyable(value: string, o: { id?: string; short?: string; label: string }): HTMLElement {
  const shortened = o.short !== undefined && o.short !== value;
  const code = h(
    'code',
    { id: o.id, class: shortened ? 'short-id' : 'long-id', title: shortened ? value : undefined, 'data-value': value },
    shortened ? o.short : value,
  );
  const button = h('button', { type: 'button', class: 'copy', 'aria-label': `Copy the ${o.label}` }, 'Copy');
  button.addEventListener('click', async () => {
    // Without clipboard access the whole value is shown and selected for Ctrl+C.
    if (shortened) code.textContent = value;
    const copied = await copyText(value, code);
    button.textContent = copied ? 'Copied' : 'Selected: press Ctrl+C';
    setTimeout(() => {
      button.textContent = 'Copy';
    }, 2_000);
  });
  return h('span', { class: 'copyable' }, code, button);
}
