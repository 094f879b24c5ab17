/**
 * Timings and sizes, run only on request (they cost ~10 s of CPU):
 *   ZKID_BENCH=1 npx vitest run --config test/vitest.config.ts test/revocation/bench.test.ts
 */
import { describe, expect, it } from 'vitest';
import { bucketIndexOf, RevocationTree, witnessFromBucket } from '../../src/revocation/tree.ts';
import { prng, randomSerial } from './helpers.ts';

describe.runIf(process.env.ZKID_BENCH === '1')('revocation tree benchmark (default shape)', () => {
  it('1,000 random revocations, buckets and snapshots', () => {
    const rand = prng(2024);
    const serials = Array.from({ length: 1000 }, () => randomSerial(rand, 252n * 2n ** 24n));

    const one = new RevocationTree();
    let t = performance.now();
    for (const s of serials) one.revoke(s);
    const single = performance.now() - t;

    const batch = new RevocationTree();
    t = performance.now();
    batch.revokeMany(serials);
    const many = performance.now() - t;
    expect(batch.root).toBe(one.root);

    // A bucket holding one revoked serial, and an empty one.
    const full = one.exportBucket(bucketIndexOf(serials[0] as bigint));
    const fullJson = JSON.stringify(full);
    const emptyIndex = [...Array(2 ** 14).keys()].find((k) => serials.every((s) => bucketIndexOf(s) !== k)) as number;
    const emptyJson = JSON.stringify(one.exportBucket(emptyIndex));
    t = performance.now();
    const w = witnessFromBucket(JSON.parse(fullJson), serials[0] as bigint);
    const holder = performance.now() - t;
    expect(w).toEqual(one.witness(serials[0] as bigint));

    const snapshotJson = JSON.stringify(one.exportSnapshot());
    t = performance.now();
    RevocationTree.fromSnapshot(JSON.parse(snapshotJson));
    const restore = performance.now() - t;

    console.log(
      [
        `1,000 revoke() calls: ${single.toFixed(0)} ms (${(single / 1000).toFixed(2)} ms each)`,
        `revokeMany(1,000): ${many.toFixed(0)} ms`,
        `bucket JSON (B = 10) with ${full.leaves.length} leaves: ${fullJson.length} bytes; empty bucket: ${emptyJson.length} bytes; ${full.nodes.length} nodes`,
        `witnessFromBucket: ${holder.toFixed(1)} ms`,
        `snapshot JSON: ${snapshotJson.length} bytes; fromSnapshot: ${restore.toFixed(0)} ms`,
      ].join('\n'),
    );
  });
});
