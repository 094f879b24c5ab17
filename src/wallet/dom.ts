/**
 * Small DOM helpers for the wallet and service pages. Text always goes in through textContent:
 * nothing the service or a request says is ever parsed as HTML.
 */
import type { Policy, Predicate } from '../index.browser.ts';
import { ApiError } from './api.ts';

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
  EQ: 'equals',
  NE: 'is not',
  LT: 'is below',
  LTE: 'is at most',
  GT: 'is above',
  GTE: 'is at least',
};

/** A predicate in words: 'age is at least 18', 'region is between 110000 and 119999'. */
export function describePredicate(p: Predicate): string {
  switch (p.op) {
    case 'AGE_GTE':
      return `age is at least ${p.value}`;
    case 'BETWEEN':
      return `${p.attribute} is between ${p.value[0]} and ${p.value[1]}`;
    case 'IN':
      return `${p.attribute} is one of ${p.value.join(', ')}`;
    case 'NIN':
      return `${p.attribute} is none of ${p.value.join(', ')}`;
    default:
      return `${p.attribute} ${OP_TEXT[p.op] ?? p.op} ${p.value}`;
  }
}

/** What a policy asks, in words (every proof also shows a signed, unexpired, unrevoked ID). */
export function describePolicy(p: Policy): string {
  const parts = ['a valid, unrevoked ID', ...p.predicates.map(describePredicate)];
  if (p.disclose.length > 0) parts.push(`reveals ${p.disclose.join(', ')}`);
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
