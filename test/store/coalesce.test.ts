/**
 * The coalescer of src/store/postgres/coalesce.ts without a database: the calls of one turn of
 * the event loop share a batch, a batch holds at most `max` items and never two of one key, each
 * call gets its own item's answer, a failed batch fails its calls only, and an item answered by a
 * promise of its own settles on its own.
 */
import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/store/postgres/coalesce.ts';

function recorder(o: { max: number; distinct?: boolean; fail?: (items: string[]) => boolean } = { max: 64 }) {
  const batches: string[][] = [];
  const c = new Coalescer<string, string>({
    max: o.max,
    ...(o.distinct ? { distinctBy: (s: string) => s } : {}),
    run: async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 1));
      if (o.fail?.(items)) throw new Error(`batch of ${items.join(',')} failed`);
      return items.map((s) => (s.startsWith('own:') ? Promise.reject(new Error(`${s} failed alone`)) : `answer to ${s}`));
    },
  });
  return { c, batches };
}

describe('Coalescer', () => {
  it('answers the calls of one turn in one batch, each with its own answer, and a later turn in another', async () => {
    const { c, batches } = recorder();
    const first = await Promise.all(['a', 'b', 'c'].map((s) => c.call(s)));
    expect(first).toEqual(['answer to a', 'answer to b', 'answer to c']);
    expect(await c.call('d')).toBe('answer to d');
    expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
    expect(c.stats).toEqual({ statements: 2, items: 4 });
  });

  it('splits a turn into batches of at most max items', async () => {
    const { c, batches } = recorder({ max: 4 });
    const items = Array.from({ length: 10 }, (_, i) => `x${i}`);
    expect(await Promise.all(items.map((s) => c.call(s)))).toEqual(items.map((s) => `answer to ${s}`));
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
  });

  it('never puts two items of one key into one batch', async () => {
    const { c, batches } = recorder({ max: 64, distinct: true });
    const items = ['a', 'b', 'a', 'c', 'a', 'b'];
    expect(await Promise.all(items.map((s) => c.call(s)))).toEqual(items.map((s) => `answer to ${s}`));
    expect(batches).toEqual([['a', 'b', 'c'], ['a', 'b'], ['a']]);
    for (const b of batches) expect(new Set(b).size).toBe(b.length);
  });

  it('fails each call of a failed batch with its error, and only those', async () => {
    const { c } = recorder({ max: 2, fail: (items) => items.includes('bad') });
    const settled = await Promise.allSettled(['a', 'bad', 'c', 'd'].map((s) => c.call(s)));
    expect(settled.map((x) => (x.status === 'fulfilled' ? x.value : (x.reason as Error).message))).toEqual([
      'batch of a,bad failed',
      'batch of a,bad failed',
      'answer to c',
      'answer to d',
    ]);
  });

  it('settles an item answered by a promise of its own on its own', async () => {
    const { c } = recorder();
    const settled = await Promise.allSettled(['a', 'own:b', 'c'].map((s) => c.call(s)));
    expect(settled.map((x) => (x.status === 'fulfilled' ? x.value : (x.reason as Error).message))).toEqual([
      'answer to a',
      'own:b failed alone',
      'answer to c',
    ]);
  });

  it('refuses a max that is not a positive integer', () => {
    expect(() => new Coalescer({ max: 0, run: async () => [] })).toThrow(/'max' must be a positive integer/);
  });
});
