/**
 * Verify the audit log's hash chain: every entry's prevHash is the previous entry's hash (the
 * genesis value for the first), ids follow each other with no gap, and every hash is
 * sha256(prevHash + "\n" + JSON([id, at, actor, action, subject, details])) recomputed here. An
 * edited, deleted or inserted entry breaks the chain at the first place it touches.
 */
import { auditHash } from './sql/audit.ts';
import { AUDIT_GENESIS, type Store } from './store.ts';

export type AuditVerdict =
  | { valid: true; entries: number; headHash: string; headId: number }
  | { valid: false; entries: number; brokenAt: number; reason: string };

/** Walk the whole log in pages (oldest first). Never throws for a broken chain: it says where. */
export async function verifyAuditChain(store: Pick<Store, 'listAudit'>, pageSize = 1000): Promise<AuditVerdict> {
  let prevHash = AUDIT_GENESIS;
  let prevId = 0;
  let count = 0;
  for (;;) {
    const page = await store.listAudit({ after: prevId, limit: pageSize });
    for (const e of page) {
      const broken = (reason: string): AuditVerdict => ({ valid: false, entries: count, brokenAt: e.id, reason });
      if (e.id !== prevId + 1) return broken(`entry ${e.id} follows entry ${prevId}: ${e.id - prevId - 1} entries are missing`);
      if (e.prevHash !== prevHash) return broken(`entry ${e.id} does not point to the hash of entry ${prevId}`);
      if (auditHash(prevHash, e) !== e.hash)
        return broken(`entry ${e.id} was changed after it was written (its hash does not match its content)`);
      prevHash = e.hash;
      prevId = e.id;
      count++;
    }
    if (page.length < pageSize) return { valid: true, entries: count, headHash: prevHash, headId: prevId };
  }
}
