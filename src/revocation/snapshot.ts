/**
 * Revocation snapshots: the whole tree as JSON (its shape and non-empty leaves), for backups,
 * replication, and holders who prefer a full download to a bucket. The root and revision travel
 * along; RevocationTree.fromSnapshot recomputes the root and rejects a snapshot that disagrees.
 */
import { checkShape, dataError, depthOf, expectDecimal, expectInteger, expectLeaves, expectObject, type TreeShape } from './common.ts';

export const SNAPSHOT_FORMAT = 'zkid/revocation-snapshot/v1';

/** A snapshot. JSON-serialisable: big numbers are decimal strings. */
export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  shape: TreeShape;
  root: string;
  revision: number;
  /** non-empty leaves: [leafIndex, bitmap], by increasing index */
  leaves: [number, string][];
}

/** A snapshot after validation (the root is not yet checked against the leaves). */
export interface ParsedSnapshot {
  shape: TreeShape;
  root: bigint;
  revision: number;
  leaves: Map<number, bigint>;
}

/**
 * Validate a snapshot's structure and every number in it.
 * @throws ZkidError INVALID_REVOCATION_DATA naming the part ('snapshot.format', 'snapshot.leaves[2][1]', ...)
 */
export function parseSnapshot(value: unknown): ParsedSnapshot {
  const o = expectObject(value, 'snapshot');
  if (o.format !== SNAPSHOT_FORMAT) throw dataError('snapshot.format', `snapshot.format must be '${SNAPSHOT_FORMAT}'`);
  const shape = checkShape(o.shape, 'INVALID_REVOCATION_DATA', 'snapshot.shape');
  const root = expectDecimal(o.root, 'snapshot.root');
  const revision = expectInteger(o.revision, 'snapshot.revision', 0, Number.MAX_SAFE_INTEGER);
  const leaves = expectLeaves(o.leaves, 'snapshot.leaves', 0, 2 ** depthOf(shape) - 1, 'the tree');
  return { shape, root, revision, leaves };
}
