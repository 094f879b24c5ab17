/**
 * The two statements of every presentation, coalesced on PostgreSQL: the request's lookup and, for
 * a policy without nullifiers, the consumption of its challenge (src/store/postgres/coalesce.ts).
 * Each call is answered exactly as src/store/sql/requests.ts answers it alone; only the number of
 * round trips changes (one per turn of the event loop and kind, not one per presentation).
 *
 * - Lookups: `SELECT * FROM requests WHERE id = ANY($1)`.
 * - Consumptions: one conditional UPDATE over the batch's rows (`status = 'pending' AND
 *   expires_at > now`, with each item's own time), in autocommit: the rows it returns are the
 *   challenges this statement consumed. Two items of one batch never name one request (the
 *   coalescer puts the second into another statement); across statements, connections and
 *   instances the rule is the single path's: a second UPDATE of a row waits for the first to
 *   commit, re-reads it, finds it no longer pending and changes nothing. The ids go in sorted, so
 *   two batches lock the rows they share in one order; a deadlock all the same is run again.
 *   An item the UPDATE did not return is explained as alone (not found, expired, already used).
 */

import { notConsumed } from '../sql/requests.ts';
import { type RequestRow, toStoredRequest } from '../sql/rows.ts';
import type { CompleteOutcome, StoredRequest, VerifiedResult } from '../store.ts';
import { Coalescer } from './coalesce.ts';
import type { PostgresEngine } from './engine.ts';

/** Items in one statement at most (a turn with more makes several statements, sent together). */
export const COALESCE_MAX = 64;

const SELECT_MANY = 'SELECT * FROM requests WHERE id = ANY($1::text[])';

const CONSUME_MANY = `UPDATE requests AS r
  SET status = 'verified', completed_at = v.now, result_json = v.result, response_code_hash = v.hash
  FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS v(id, now, result, hash)
  WHERE r.id = v.id AND r.status = 'pending' AND r.expires_at > v.now
  RETURNING r.id`;

export interface Consumption {
  id: string;
  now: Date;
  result: VerifiedResult;
  responseCodeHash?: string;
}

export class CoalescedRequests {
  readonly lookups: Coalescer<string, StoredRequest | undefined>;
  readonly consumptions: Coalescer<Consumption, CompleteOutcome>;

  constructor(engine: PostgresEngine) {
    this.lookups = new Coalescer({
      max: COALESCE_MAX,
      run: async (ids) => {
        const { rows } = await engine.statement<RequestRow>('zkid_requests_by_ids', SELECT_MANY, [[...new Set(ids)]]);
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((id) => {
          const row = byId.get(id);
          return row ? toStoredRequest(row) : undefined;
        });
      },
    });
    this.consumptions = new Coalescer({
      max: COALESCE_MAX,
      distinctBy: (c) => c.id,
      run: async (items) => {
        const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const { rows } = await engine.statement<{ id: string }>('zkid_consume_requests', CONSUME_MANY, [
          sorted.map((c) => c.id),
          sorted.map((c) => c.now.getTime()),
          sorted.map((c) => JSON.stringify(c.result)),
          sorted.map((c) => c.responseCodeHash ?? null),
        ]);
        const consumed = new Set(rows.map((r) => r.id));
        // Each explained on its own: a failed explanation fails that call only.
        return items.map((c) => (consumed.has(c.id) ? 'completed' : engine.read((db) => notConsumed(db, c.id))));
      },
    });
  }
}
