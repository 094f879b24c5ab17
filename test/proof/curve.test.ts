/** The shared bn128 engine survives a termination by anyone: the next caller gets a live one. */
import { afterAll, describe, expect, it } from 'vitest';
import { curve } from '../../src/prover/groth16-prove.ts';
import { bn128, terminateCurve } from '../../src/verifier/curve.ts';

afterAll(() => terminateCurve());

/** A multi-threaded operation: it never settles on an engine whose thread pool is gone. */
async function works(c: any): Promise<boolean> {
  const g = c.G1.g;
  const sum = await c.G1.multiExpAffine(c.G1.toAffine(g), new Uint8Array(32).fill(0).fill(1, 0, 1));
  return c.G1.eq(sum, g);
}

describe('bn128 engine (src/verifier/curve.ts)', () => {
  it('is one engine for the prover and the verifier', async () => {
    expect(await curve()).toBe(await bn128());
    expect(await bn128()).toBe((globalThis as { curve_bn128?: unknown }).curve_bn128);
  });

  it('is rebuilt after terminateCurve()', async () => {
    const first = await bn128();
    await terminateCurve();
    const second = await curve();
    expect(second).not.toBe(first);
    expect(await works(second)).toBe(true);
  });

  it('is rebuilt after a termination through the global (as the CLI does on exit)', async () => {
    const first = await curve();
    await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
    const second = await bn128();
    expect(second).not.toBe(first);
    expect(await works(second)).toBe(true);
  });
});
