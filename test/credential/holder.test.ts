import { describe, expect, it } from 'vitest';
import { createHolderSecret, holderCommitment, parseHolderSecret } from '../../src/credential/holder.ts';
import { FIELD_MODULUS } from '../../src/field.ts';
import { poseidon } from '../../src/poseidon.ts';

describe('holder secret', () => {
  it('creates distinct field elements', () => {
    const a = createHolderSecret();
    const b = createHolderSecret();
    expect(a).not.toBe(b);
    expect(a >= 0n && a < FIELD_MODULUS).toBe(true);
  });

  it('commits with Poseidon(secret)', () => {
    expect(holderCommitment(42n)).toBe(poseidon([42n]));
    expect(() => holderCommitment(FIELD_MODULUS)).toThrowError(
      expect.objectContaining({ code: 'INVALID_FIELD_ELEMENT', field: 'holderSecret' }),
    );
  });

  it('parses canonical decimals only', () => {
    expect(parseHolderSecret('42')).toBe(42n);
    expect(parseHolderSecret(42n)).toBe(42n);
    for (const bad of ['0x2a', '042', '-1', FIELD_MODULUS.toString(), null, {}]) {
      expect(() => parseHolderSecret(bad)).toThrowError(expect.objectContaining({ code: 'INVALID_FIELD_ELEMENT', field: 'holderSecret' }));
    }
  });
});
