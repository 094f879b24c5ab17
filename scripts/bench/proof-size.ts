/** Proof sizes independent of the JSON encoding. */

/**
 * Size of a snarkjs proof as uncompressed curve points and scalars: G1 [x, y, "1"] 64 bytes,
 * G2 [[x0, x1], [y0, y1], ["1", "0"]] 128 bytes, a field element 32 bytes.
 */
export function binaryProofSize(proof: unknown): number {
  const isG1 = (v: unknown) => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'string');
  const isG2 = (v: unknown) => Array.isArray(v) && v.length === 3 && v.every((x) => Array.isArray(x) && x.length === 2);
  const walk = (v: unknown, key = ''): number => {
    if (key === 'protocol' || key === 'curve') return 0;
    if (typeof v === 'string') return /^[0-9]+$/.test(v) ? 32 : 0;
    if (isG1(v)) return 64;
    if (isG2(v)) return 128;
    if (Array.isArray(v)) return v.reduce((n: number, x) => n + walk(x), 0);
    if (typeof v === 'object' && v !== null) return Object.entries(v).reduce((n, [k, x]) => n + walk(x, k), 0);
    return 0;
  };
  return walk(proof);
}
