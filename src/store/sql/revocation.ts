/**
 * Revocation leaves and the root history, shared by both engines. Revision n + 1 follows n: a
 * change takes the 'revisions' chain lock, checks that its revision is the stored latest + 1 and
 * writes the leaf, the root (primary key: revision, the backstop) and its audit entry in the
 * caller's transaction. An instance whose in-memory tree is behind gets a
 * {@link RevisionConflictError}, reloads from the store and tries again.
 */
import type { RevocationChange, RootRecord, RootSignature } from '../store.ts';
import { appendAudit } from './audit.ts';
import type { SqlEngine, SqlExecutor } from './engine.ts';
import { num, type RootRow, toRoot } from './rows.ts';

/** A revocation change based on a revision that is no longer the latest stored one. */
export class RevisionConflictError extends Error {
  constructor(
    readonly revision: number,
    readonly latest: number | null,
  ) {
    super(`revision ${revision} does not follow the stored revision ${latest}`);
    this.name = 'RevisionConflictError';
  }
}

export async function loadRevocationLeaves(db: SqlExecutor): Promise<[number, string][]> {
  const rows = await db.all<{ leaf_index: number; bitmap: string }>('SELECT leaf_index, bitmap FROM revocation_leaves ORDER BY leaf_index');
  return rows.map((r) => [num(r.leaf_index), r.bitmap]);
}

/** One leaf change inside the caller's transaction. @throws RevisionConflictError */
export async function applyRevocation(engine: SqlEngine, tx: SqlExecutor, c: RevocationChange): Promise<void> {
  await engine.lock(tx, 'revisions');
  const row = await tx.get<{ r: number | null }>('SELECT MAX(revision) AS r FROM revocation_roots');
  const latest = row?.r === null || row?.r === undefined ? null : num(row.r);
  if (latest !== null && c.revision !== latest + 1) throw new RevisionConflictError(c.revision, latest);
  if (c.bitmap === '0') await tx.run('DELETE FROM revocation_leaves WHERE leaf_index = ?', [c.leafIndex]);
  else {
    await tx.run(
      'INSERT INTO revocation_leaves (leaf_index, bitmap) VALUES (?, ?) ON CONFLICT (leaf_index) DO UPDATE SET bitmap = excluded.bitmap',
      [c.leafIndex, c.bitmap],
    );
  }
  await tx.run('INSERT INTO revocation_roots (revision, root, published_at, signatures_json) VALUES (?, ?, ?, ?)', [
    c.revision,
    c.root,
    c.at.getTime(),
    signaturesJson(c.signatures),
  ]);
  await appendAudit(engine, tx, c.audit);
}

/** Record the first root when the history is empty (two instances starting together record it once). */
export function initRootHistory(engine: SqlEngine, root: RootRecord): Promise<void> {
  return engine.transaction(async (tx) => {
    await engine.lock(tx, 'revisions');
    await tx.run(
      `INSERT INTO revocation_roots (revision, root, published_at, signatures_json)
       SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM revocation_roots) ON CONFLICT DO NOTHING`,
      [root.revision, root.root, root.publishedAt.getTime(), signaturesJson(root.signatures)],
    );
  });
}

export async function listRoots(db: SqlExecutor, o: { limit: number }): Promise<RootRecord[]> {
  const rows = await db.all<RootRow>(
    'SELECT revision, root, published_at, signatures_json FROM revocation_roots ORDER BY revision DESC LIMIT ?',
    [o.limit],
  );
  return rows.map(toRoot);
}

export async function setRootSignatures(
  db: SqlExecutor,
  o: { revision: number; root: string; signatures: RootSignature[] },
): Promise<boolean> {
  const n = await db.run('UPDATE revocation_roots SET signatures_json = ? WHERE revision = ? AND root = ?', [
    signaturesJson(o.signatures),
    o.revision,
    o.root,
  ]);
  return n > 0;
}

function signaturesJson(s: RootSignature[] | undefined): string | null {
  return s && s.length > 0 ? JSON.stringify(s) : null;
}
