/**
 * Multi-exponentiation over affine bases on snarkjs's curve engine (ffjavascript's thread pool and
 * wasmcurves' `g1m_multiexpAffine_chunk` / `g2m_multiexpAffine_chunk`), with the bases sent to
 * each worker thread once per call.
 *
 * ffjavascript's own `multiExpAffine` queues one task per scalar window (26 for 10,000 G1 points),
 * and every task carries a structured-clone copy of all the bases and scalars: a G2 sum over 6,700
 * points sent 22 MB across threads, and both ends held those copies until their isolates collected
 * them. Here the windows are split into one contiguous group per thread; each group's task carries
 * one copy, transferred (moved, not cloned), and runs the same wasm window function over the same
 * windows, so the arithmetic, and the result, are those of ffjavascript's.
 */

/** Window bits by floor(log2(points)): ffjavascript 0.3's table, so the work per window is the same. */
const WINDOW_BITS = [1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 7, 8, 9, 10, 11, 12, 13, 13, 14, 15, 16, 16, 17, 17, 17, 17, 17, 17, 17, 17, 17, 17];

/** A curve group of snarkjs's engine (its G1 or G2): the parts used here. */
interface Group {
  F: { n8: number };
  zero: Uint8Array;
  tm: {
    concurrency: number;
    queueAction(task: unknown[], transfers?: ArrayBuffer[]): Promise<Uint8Array[]>;
  };
  add(a: Uint8Array, b: Uint8Array): Uint8Array;
  double(a: Uint8Array): Uint8Array;
  isZero(a: Uint8Array): boolean;
}

/** A copy that owns its whole buffer (a view of a larger buffer would be cloned whole). */
function own(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

/**
 * sum_i scalars_i * points_i, a projective point of `group`.
 * @param points affine points in the engine's LEM form (64 bytes each in G1, 128 in G2)
 * @param scalars little-endian scalars, the same count as the points, of equal width
 * @param give the arrays the caller gives up (fresh arrays of its own, not views): the last task
 *   takes them instead of a copy, and they are detached (empty) afterwards
 */
export async function multiExpAffine(
  group: Group,
  points: Uint8Array,
  scalars: Uint8Array,
  give: { points?: boolean; scalars?: boolean } = {},
): Promise<Uint8Array> {
  const pointSize = group.F.n8 * 2;
  const n = Math.floor(points.byteLength / pointSize);
  if (n === 0) return group.zero;
  const scalarSize = Math.floor(scalars.byteLength / n);
  if (scalarSize * n !== scalars.byteLength || n * pointSize !== points.byteLength) {
    throw new Error(`multiExpAffine: ${points.byteLength} bytes of points and ${scalars.byteLength} of scalars do not match`);
  }
  const bits = WINDOW_BITS[Math.floor(Math.log2(n))] as number;
  const windows = Math.floor((scalarSize * 8 - 1) / bits) + 1;
  const groups = Math.max(1, Math.min(windows, group.tm.concurrency));
  // G1's base field is Fq (32 bytes), G2's is Fq2 (64).
  const fn = group.F.n8 === 32 ? 'g1m_multiexpAffine_chunk' : 'g2m_multiexpAffine_chunk';
  const outSize = group.F.n8 * 3;
  // A single-threaded engine runs the task on this thread (copying into its wasm memory): no copy needed.
  const threaded = group.tm.concurrency > 1;
  const tasks: Promise<Uint8Array[]>[] = [];
  for (let g = 0; g < groups; g++) {
    const first = Math.floor((g * windows) / groups);
    const end = Math.floor(((g + 1) * windows) / groups);
    const last = g === groups - 1;
    const p = !threaded || (give.points && last && points.buffer.byteLength === points.byteLength) ? points : own(points);
    const s = !threaded || (give.scalars && last && scalars.buffer.byteLength === scalars.byteLength) ? scalars : own(scalars);
    const task: unknown[] = [
      { cmd: 'ALLOCSET', var: 0, buff: p },
      { cmd: 'ALLOCSET', var: 1, buff: s },
    ];
    for (let w = first; w < end; w++) {
      const v = 2 + w - first;
      task.push(
        { cmd: 'ALLOC', var: v, len: outSize },
        {
          cmd: 'CALL',
          fnName: fn,
          params: [
            { var: 0 },
            { var: 1 },
            { val: scalarSize },
            { val: n },
            { val: w * bits },
            { val: Math.min(scalarSize * 8 - w * bits, bits) },
            { var: v },
          ],
        },
        { cmd: 'GET', out: w - first, var: v, len: outSize },
      );
    }
    const transfers = threaded ? [p.buffer as ArrayBuffer, s.buffer as ArrayBuffer] : undefined;
    tasks.push(group.tm.queueAction(task, transfers));
  }
  const perWindow = (await Promise.all(tasks)).flat();
  // Horner over the windows, highest first: res = res * 2^bits + window.
  let res = group.zero;
  for (let w = perWindow.length - 1; w >= 0; w--) {
    if (!group.isZero(res)) for (let j = 0; j < bits; j++) res = group.double(res);
    res = group.add(res, perWindow[w] as Uint8Array);
  }
  return res;
}
