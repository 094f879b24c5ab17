/**
 * The audit log, shared by both engines: append-only (the schema refuses UPDATE and DELETE) and
 * hash-chained. An append reads the chain head and writes the next entry (id = head id + 1,
 * prevHash = head hash) under the 'audit' chain lock, so appends from any number of connections
 * and instances form one chain; the primary key on id is the backstop (a fork fails to commit).
 */
import { createHash } from 'node:crypto';
import { AUDIT_GENESIS, type AuditEntry, type AuditInput } from '../store.ts';
import type { SqlEngine, SqlExecutor } from './engine.ts';
import { type AuditRow, num, toAuditEntry } from './rows.ts';

/** sha256 over the previous hash and the entry's fields: the audit chain link. */
export function auditHash(
  prevHash: string,
  e: { id: number; at: string; actor: string; action: string; subject: string | null; details: unknown },
): string {
  return createHash('sha256')
    .update(`${prevHash}\n${JSON.stringify([e.id, e.at, e.actor, e.action, e.subject, e.details])}`)
    .digest('hex');
}

/** Append one entry inside the caller's transaction. */
export async function appendAudit(engine: SqlEngine, tx: SqlExecutor, e: AuditInput): Promise<AuditEntry> {
  await engine.lock(tx, 'audit');
  const head = await tx.get<{ id: number; hash: string }>('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1');
  const prevHash = head?.hash ?? AUDIT_GENESIS;
  const fields = {
    id: (head ? num(head.id) : 0) + 1,
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    subject: e.subject ?? null,
    details: e.details ?? {},
  };
  const hash = auditHash(prevHash, fields);
  await tx.run('INSERT INTO audit (id, at, actor, action, subject, details_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    fields.id,
    e.at.getTime(),
    fields.actor,
    fields.action,
    fields.subject,
    JSON.stringify(fields.details),
    prevHash,
    hash,
  ]);
  return { ...fields, prevHash, hash };
}

export async function listAudit(db: SqlExecutor, o: { after?: number; limit: number }): Promise<AuditEntry[]> {
  const rows = await db.all<AuditRow>('SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?', [o.after ?? 0, o.limit]);
  return rows.map(toAuditEntry);
}
