/**
 * Proof requests, nullifiers and response codes, shared by both engines.
 *
 * - A challenge is consumed by one conditional UPDATE (`status = 'pending' AND expires_at > now`)
 *   that must change exactly one row: on PostgreSQL a concurrent second UPDATE waits for the first
 *   to commit, re-reads the row, finds it no longer pending and changes nothing, so of any number
 *   of submissions on any number of instances exactly one wins.
 * - Nullifiers are unique by the primary key (scope, policy, nullifier); a concurrent second
 *   insert of the same one waits for the first and then does nothing.
 * - A response code is redeemed by `UPDATE ... WHERE redeemed_at IS NULL`: exactly once.
 */
import { timingSafeEqual } from 'node:crypto';
import type { ProofRequest } from '../../request.ts';
import type { CompleteOutcome, RedeemOutcome, Session, StoredError, StoredRequest, VerifiedResult } from '../store.ts';
import type { SqlEngine, SqlExecutor } from './engine.ts';
import { type RequestRow, toStoredRequest } from './rows.ts';

export async function insertRequest(
  engine: SqlEngine,
  r: { request: ProofRequest; createdAt: Date; rpId?: string; redirectUri?: string },
): Promise<void> {
  const q = r.request;
  await engine.write(
    'INSERT INTO requests (id, policy, scope, request_json, created_at, expires_at, rp_id, redirect_uri) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [
      q.id,
      q.policy.name,
      q.scope,
      JSON.stringify(q),
      r.createdAt.getTime(),
      Date.parse(q.expiresAt),
      r.rpId ?? null,
      r.redirectUri ?? null,
    ],
  );
}

export async function getRequest(db: SqlExecutor, id: string): Promise<StoredRequest | undefined> {
  const row = await db.get<RequestRow>('SELECT * FROM requests WHERE id = ?', [id]);
  return row ? toStoredRequest(row) : undefined;
}

const CONSUME = `UPDATE requests SET status = 'verified', completed_at = ?, result_json = ?, response_code_hash = ?
       WHERE id = ? AND status = 'pending' AND expires_at > ?`;

/** Why a request's conditional UPDATE changed nothing. */
export async function notConsumed(db: SqlExecutor, id: string): Promise<CompleteOutcome> {
  const row = await db.get<{ status: string }>('SELECT status FROM requests WHERE id = ?', [id]);
  if (!row) return 'not-found';
  return row.status === 'pending' ? 'expired' : 'already-used';
}

export async function completeRequest(
  engine: SqlEngine,
  o: {
    id: string;
    now: Date;
    result: VerifiedResult;
    nullifier?: { scope: string; policy: string; value: string };
    responseCodeHash?: string;
  },
): Promise<CompleteOutcome> {
  const now = o.now.getTime();
  const consume = [now, JSON.stringify(o.result), o.responseCodeHash ?? null, o.id, now];
  if (!o.nullifier) {
    // Without a nullifier the conditional UPDATE is the whole decision: one atomic statement.
    if ((await engine.write(CONSUME, consume)) === 1) return 'completed';
    return engine.read((db) => notConsumed(db, o.id));
  }
  const n = o.nullifier;
  return engine.transaction(async (tx): Promise<CompleteOutcome> => {
    if ((await tx.run(CONSUME, consume)) !== 1) return notConsumed(tx, o.id);
    const inserted = await tx.run(
      'INSERT INTO nullifiers (scope, policy, nullifier, request_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [n.scope, n.policy, n.value, o.id, now],
    );
    if (inserted !== 1) {
      // A valid proof, but this person is already registered: the challenge is spent either way.
      const error: StoredError = {
        code: 'PSEUDONYM_ALREADY_USED',
        message: 'this person has already registered with this service under this policy',
        at: o.now.toISOString(),
      };
      await tx.run(
        `UPDATE requests SET status = 'rejected', result_json = NULL, response_code_hash = NULL, last_error_json = ? WHERE id = ?`,
        [JSON.stringify(error), o.id],
      );
      return 'nullifier-used';
    }
    return 'completed';
  });
}

export async function recordRejection(engine: SqlEngine, id: string, error: StoredError): Promise<void> {
  await engine.write(`UPDATE requests SET last_error_json = ? WHERE id = ? AND status = 'pending'`, [JSON.stringify(error), id]);
}

export function redeemResult(engine: SqlEngine, o: { id: string; rpId: string; codeHash: string; now: Date }): Promise<RedeemOutcome> {
  return engine.transaction(async (tx): Promise<RedeemOutcome> => {
    const row = await tx.get<Pick<RequestRow, 'status' | 'result_json' | 'response_code_hash'>>(
      'SELECT status, result_json, response_code_hash FROM requests WHERE id = ? AND rp_id = ?',
      [o.id, o.rpId],
    );
    if (!row) return { outcome: 'not-found' };
    const stored = row.response_code_hash;
    // Constant-time comparison of the digests: nothing about the stored hash leaks through timing.
    const matches =
      row.status === 'verified' &&
      stored !== null &&
      /^[0-9a-f]{64}$/.test(o.codeHash) &&
      timingSafeEqual(Buffer.from(stored, 'hex'), Buffer.from(o.codeHash, 'hex'));
    if (!matches || row.result_json === null) return { outcome: 'invalid' };
    // Exactly once: only the UPDATE that finds it unredeemed wins.
    const won = await tx.run('UPDATE requests SET redeemed_at = ? WHERE id = ? AND redeemed_at IS NULL', [o.now.getTime(), o.id]);
    if (won !== 1) return { outcome: 'used' };
    return { outcome: 'redeemed', result: JSON.parse(row.result_json) as VerifiedResult };
  });
}

export async function listSessions(db: SqlExecutor, o: { rpId: string; limit: number }): Promise<Session[]> {
  const rows = await db.all<{ id: string; result_json: string; redeemed_at: number | null }>(
    `SELECT id, result_json, redeemed_at FROM requests WHERE rp_id = ? AND status = 'verified' ORDER BY completed_at DESC, id LIMIT ?`,
    [o.rpId, o.limit],
  );
  return rows.map((r) => {
    const res = JSON.parse(r.result_json) as VerifiedResult;
    return {
      requestId: r.id,
      redeemed: r.redeemed_at !== null,
      policy: res.policy,
      pseudonym: res.pseudonym,
      disclosed: res.disclosed,
      verifiedAt: res.verifiedAt,
    };
  });
}

export function purgeExpiredRequests(engine: SqlEngine, before: Date): Promise<number> {
  return engine.write(`DELETE FROM requests WHERE status = 'pending' AND expires_at < ?`, [before.getTime()]);
}
