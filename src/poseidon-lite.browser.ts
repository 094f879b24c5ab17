/**
 * Browser variant of `#poseidon-lite` (see poseidon.ts): each width of poseidon-lite is loaded the
 * first time it is used. poseidon-lite decodes every width's constants when its module loads
 * (sixteen tables, 590 KiB of source): all of them at once took 220-570 ms of a new worker's start
 * in Chromium, against 70-80 ms for an empty worker, and a page or worker uses a few widths.
 * esbuild bundles each `require` below as a module initialised at its first call (synchronously:
 * poseidon() stays synchronous). Browser bundles only; Node takes poseidon-lite.node.ts.
 */
type Hash = (inputs: bigint[]) => bigint;
type Module = Record<string, Hash>;

const LOADERS: Record<number, () => Module> = {
  1: () => require('poseidon-lite/poseidon1'),
  2: () => require('poseidon-lite/poseidon2'),
  3: () => require('poseidon-lite/poseidon3'),
  4: () => require('poseidon-lite/poseidon4'),
  5: () => require('poseidon-lite/poseidon5'),
  6: () => require('poseidon-lite/poseidon6'),
  7: () => require('poseidon-lite/poseidon7'),
  8: () => require('poseidon-lite/poseidon8'),
  9: () => require('poseidon-lite/poseidon9'),
  10: () => require('poseidon-lite/poseidon10'),
  11: () => require('poseidon-lite/poseidon11'),
  12: () => require('poseidon-lite/poseidon12'),
  13: () => require('poseidon-lite/poseidon13'),
  14: () => require('poseidon-lite/poseidon14'),
  15: () => require('poseidon-lite/poseidon15'),
  16: () => require('poseidon-lite/poseidon16'),
};

/** poseidon-lite's poseidon<n> (1 <= n <= 16), its module loaded on first use. */
export function liteWidth(n: number): Hash {
  const load = LOADERS[n];
  if (!load) throw new Error(`poseidon-lite has no width ${n}`);
  return load()[`poseidon${n}`] as Hash;
}
