/**
 * Schemas (zod) of the signed-root parts of the registry's answers and of the query that a
 * following verifier sends, for the routes (routes/registry.ts), the OpenAPI document and tests.
 *
 * - `rootRecord`: one signed root record (src/revocation/root.ts, RootRecordJson): GET
 *   /v1/registry/roots answers `{roots: rootRecord[], accepted}`; GET /v1/registry/root, every
 *   bucket and the snapshot carry the current one as `rootRecord`.
 * - `rootsQuery`: ?limit= (1-256, default 50) and ?since= (only revisions >= since), so a follower
 *   polls by revision and still sees the record it already holds (a rollback or a changed record shows).
 */
import { z } from 'zod';
import { MAX_ROOT_SIGNATURES, type RootRecordJson } from '../revocation/root.ts';
import { decimalText, fieldElementString } from './schemas.ts';

const decimal = fieldElementString;
const pair = z.tuple([decimal, decimal]);

/** An EdDSA-Poseidon signature of a root record by one issuer key. */
export const rootSignature = z.strictObject({
  publicKey: pair.meta({ description: "the issuer's public key [Ax, Ay]" }),
  R8: pair,
  S: decimal,
});

/** A root record with the issuer's signatures over Poseidon(tag, root, revision, publishedAt in ms). */
export const rootRecord = z
  .strictObject({
    revision: z.number().int().min(0),
    root: decimal,
    publishedAt: z.iso.datetime({ precision: 3 }).meta({ description: 'ISO 8601 UTC with milliseconds: exactly the signed time' }),
    signatures: z.array(rootSignature).max(MAX_ROOT_SIGNATURES).meta({ description: 'one per active issuer key; empty: unsigned' }),
  })
  .meta({ id: 'RootRecord' });

/** GET /v1/registry/roots */
export const rootHistory = z.strictObject({
  roots: z.array(rootRecord).meta({ description: 'newest first' }),
  accepted: z.array(decimal).meta({ description: 'the roots verifiers of this registry accept now, newest first' }),
});

/** ?limit= and ?since= of GET /v1/registry/roots */
export const rootsQuery = z.strictObject({
  limit: decimalText(3, 'must be an integer from 1 to 256')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 256, 'must be an integer from 1 to 256')
    .optional()
    .meta({ description: 'at most this many records (1-256, default 50)' }),
  since: decimalText(15, 'must be a non-negative integer')
    .transform(Number)
    .optional()
    .meta({ description: 'only records of revision >= since' }),
});

/** Both ways assignable: the schema and the type the routes serve agree (fails to compile otherwise). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type RootRecordSchemaMatches = Same<z.output<typeof rootRecord>, RootRecordJson> extends true ? true : never;
const matches: RootRecordSchemaMatches = true;
void matches;
