/**
 * The issuer's state, shared by both engines: signing keys, allocated serials (unique by the
 * primary key: of two instances allocating the same serial, one gets a conflict), named secrets
 * (created once, whoever comes first), and the one active holder commitment per person, changed
 * only if it is still exactly the record the issuance was based on (a conditional UPDATE, or an
 * INSERT that does nothing when the person appeared meanwhile).
 */
import type { AuditInput, HolderIssuance, HolderRecord, IssuerKeyRecord } from '../store.ts';
import { appendAudit } from './audit.ts';
import type { SqlEngine, SqlExecutor } from './engine.ts';
import { applyRevocation } from './revocation.ts';
import { type HolderRow, type IssuerKeyRow, num, toHolder, toIssuerKey } from './rows.ts';

/** Insert a key and its audit entry inside the caller's transaction. */
async function insertIssuerKey(engine: SqlEngine, tx: SqlExecutor, key: IssuerKeyRecord, audit: AuditInput): Promise<void> {
  await tx.run('INSERT INTO issuer_keys (id, public_x, public_y, private_key, created_at, active) VALUES (?, ?, ?, ?, ?, ?)', [
    key.id,
    key.publicKey[0],
    key.publicKey[1],
    key.privateKey,
    key.createdAt.getTime(),
    key.active ? 1 : 0,
  ]);
  await appendAudit(engine, tx, audit);
}

export function addIssuerKey(engine: SqlEngine, key: IssuerKeyRecord, audit: AuditInput): Promise<void> {
  return engine.transaction((tx) => insertIssuerKey(engine, tx, key, audit));
}

/** The first key, once: the audit chain lock (taken before the check) serialises concurrent first starts. */
export function addFirstIssuerKey(engine: SqlEngine, key: IssuerKeyRecord, audit: AuditInput): Promise<IssuerKeyRecord> {
  return engine.transaction(async (tx) => {
    await engine.lock(tx, 'audit');
    const active = (await listIssuerKeys(tx)).filter((k) => k.active);
    const newest = active[active.length - 1];
    if (newest) return newest;
    await insertIssuerKey(engine, tx, key, audit);
    return key;
  });
}

export async function listIssuerKeys(db: SqlExecutor): Promise<IssuerKeyRecord[]> {
  return (await db.all<IssuerKeyRow>('SELECT * FROM issuer_keys ORDER BY created_at, id')).map(toIssuerKey);
}

export async function isSerialIssued(db: SqlExecutor, serial: number): Promise<boolean> {
  return (await db.get('SELECT 1 AS x FROM credentials WHERE serial = ?', [serial])) !== undefined;
}

function insertSerial(tx: SqlExecutor, serial: number, keyId: string, at: Date): Promise<number> {
  return tx.run('INSERT INTO credentials (serial, key_id, issued_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
    serial,
    keyId,
    at.getTime(),
  ]);
}

export function recordIssuance(engine: SqlEngine, o: { serial: number; keyId: string; at: Date; audit: AuditInput }): Promise<boolean> {
  return engine.transaction(async (tx) => {
    if ((await insertSerial(tx, o.serial, o.keyId, o.at)) !== 1) return false;
    await appendAudit(engine, tx, o.audit);
    return true;
  });
}

export async function countIssuedByRange(db: SqlExecutor, size: number): Promise<[number, number][]> {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('size must be a positive integer');
  const rows = await db.all<{ r: number; n: number }>(
    'SELECT r, COUNT(*) AS n FROM (SELECT serial / CAST(? AS INTEGER) AS r FROM credentials) AS ranges GROUP BY r ORDER BY r',
    [size],
  );
  return rows.map((x) => [num(x.r), num(x.n)]);
}

export function issuerSecret(engine: SqlEngine, name: string, create: () => string): Promise<string> {
  return engine.transaction(async (tx) => {
    const existing = await tx.get<{ value: string }>('SELECT value FROM issuer_secrets WHERE name = ?', [name]);
    if (existing) return existing.value;
    await tx.run('INSERT INTO issuer_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
      name,
      create(),
      Date.now(),
    ]);
    // Whoever inserted first, every instance reads the same secret.
    const row = await tx.get<{ value: string }>('SELECT value FROM issuer_secrets WHERE name = ?', [name]);
    if (!row) throw new Error(`issuer secret '${name}' is missing after its insertion`);
    return row.value;
  });
}

export async function getHolder(db: SqlExecutor, personKey: string): Promise<HolderRecord | undefined> {
  const row = await db.get<HolderRow>('SELECT * FROM holders WHERE person_key = ?', [personKey]);
  return row ? toHolder(row) : undefined;
}

/** Thrown inside the transaction to roll it back; reported as 'conflict'. */
class Conflict extends Error {}

export async function recordHolderIssuance(engine: SqlEngine, o: HolderIssuance): Promise<'recorded' | 'conflict'> {
  const h = o.holder;
  const values = [h.holderCommitment, h.serial, h.attributesMac, h.commitmentSince.getTime(), h.updatedAt.getTime()];
  try {
    await engine.transaction(async (tx) => {
      const p = o.previous;
      const written = p
        ? await tx.run(
            `UPDATE holders SET holder_commitment = ?, serial = ?, attributes_mac = ?, commitment_since = ?, updated_at = ?
             WHERE person_key = ? AND holder_commitment = ? AND serial = ? AND attributes_mac = ? AND commitment_since = ? AND updated_at = ?`,
            [...values, h.personKey, p.holderCommitment, p.serial, p.attributesMac, p.commitmentSince.getTime(), p.updatedAt.getTime()],
          )
        : await tx.run(
            `INSERT INTO holders (person_key, holder_commitment, serial, attributes_mac, commitment_since, updated_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
            [h.personKey, ...values],
          );
      // The record changed (or the person appeared) since the issuance read it.
      if (written !== 1) throw new Conflict();
      if (o.newSerial && (await insertSerial(tx, o.newSerial.serial, o.newSerial.keyId, o.at)) !== 1) throw new Conflict();
      for (const c of o.revocations) await applyRevocation(engine, tx, c);
      for (const a of o.audit) await appendAudit(engine, tx, a);
    });
    return 'recorded';
  } catch (e) {
    if (e instanceof Conflict) return 'conflict';
    throw e;
  }
}
