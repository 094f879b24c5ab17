/**
 * The {@link Store} over any {@link SqlEngine}: one implementation of the store's rules, split by
 * concern (requests.ts, issuer.ts, revocation.ts, audit.ts), for SQLite and PostgreSQL alike.
 */
import type { ProofRequest } from '../../request.ts';
import type {
  AuditEntry,
  AuditInput,
  CompleteOutcome,
  HolderIssuance,
  HolderRecord,
  IssuerKeyRecord,
  RedeemOutcome,
  RevocationChange,
  RootRecord,
  RootSignature,
  Session,
  Store,
  StoredError,
  StoredRequest,
} from '../store.ts';
import * as audit from './audit.ts';
import type { SqlEngine } from './engine.ts';
import * as issuer from './issuer.ts';
import * as requests from './requests.ts';
import * as revocation from './revocation.ts';

export class SqlStore implements Store {
  protected readonly engine: SqlEngine;

  constructor(engine: SqlEngine) {
    this.engine = engine;
  }

  insertRequest(r: { request: ProofRequest; createdAt: Date; rpId?: string; redirectUri?: string }): Promise<void> {
    return requests.insertRequest(this.engine, r);
  }
  getRequest(id: string): Promise<StoredRequest | undefined> {
    return this.engine.read((db) => requests.getRequest(db, id));
  }
  completeRequest(o: Parameters<Store['completeRequest']>[0]): Promise<CompleteOutcome> {
    return requests.completeRequest(this.engine, o);
  }
  redeemResult(o: { id: string; rpId: string; codeHash: string; now: Date }): Promise<RedeemOutcome> {
    return requests.redeemResult(this.engine, o);
  }
  recordRejection(id: string, error: StoredError): Promise<void> {
    return requests.recordRejection(this.engine, id, error);
  }
  listSessions(o: { rpId: string; limit: number }): Promise<Session[]> {
    return this.engine.read((db) => requests.listSessions(db, o));
  }
  purgeExpiredRequests(before: Date): Promise<number> {
    return requests.purgeExpiredRequests(this.engine, before);
  }

  addIssuerKey(key: IssuerKeyRecord, entry: AuditInput): Promise<void> {
    return issuer.addIssuerKey(this.engine, key, entry);
  }
  addFirstIssuerKey(key: IssuerKeyRecord, entry: AuditInput): Promise<IssuerKeyRecord> {
    return issuer.addFirstIssuerKey(this.engine, key, entry);
  }
  listIssuerKeys(): Promise<IssuerKeyRecord[]> {
    return this.engine.read((db) => issuer.listIssuerKeys(db));
  }
  isSerialIssued(serial: number): Promise<boolean> {
    return this.engine.read((db) => issuer.isSerialIssued(db, serial));
  }
  recordIssuance(o: { serial: number; keyId: string; at: Date; audit: AuditInput }): Promise<boolean> {
    return issuer.recordIssuance(this.engine, o);
  }
  countIssuedByRange(size: number): Promise<[number, number][]> {
    return this.engine.read((db) => issuer.countIssuedByRange(db, size));
  }
  issuerSecret(name: string, create: () => string): Promise<string> {
    return issuer.issuerSecret(this.engine, name, create);
  }
  getHolder(personKey: string): Promise<HolderRecord | undefined> {
    return this.engine.read((db) => issuer.getHolder(db, personKey));
  }
  recordHolderIssuance(o: HolderIssuance): Promise<'recorded' | 'conflict'> {
    return issuer.recordHolderIssuance(this.engine, o);
  }

  loadRevocationLeaves(): Promise<[number, string][]> {
    return this.engine.read((db) => revocation.loadRevocationLeaves(db));
  }
  applyRevocationChange(change: RevocationChange): Promise<void> {
    return this.engine.transaction((tx) => revocation.applyRevocation(this.engine, tx, change));
  }
  initRootHistory(root: RootRecord): Promise<void> {
    return revocation.initRootHistory(this.engine, root);
  }
  listRoots(o: { limit: number }): Promise<RootRecord[]> {
    return this.engine.read((db) => revocation.listRoots(db, o));
  }
  setRootSignatures(o: { revision: number; root: string; signatures: RootSignature[] }): Promise<boolean> {
    return this.engine.transaction((tx) => revocation.setRootSignatures(tx, o));
  }

  appendAudit(entry: AuditInput): Promise<AuditEntry> {
    return this.engine.transaction((tx) => audit.appendAudit(this.engine, tx, entry));
  }
  listAudit(o: { after?: number; limit: number }): Promise<AuditEntry[]> {
    return this.engine.read((db) => audit.listAudit(db, o));
  }

  ping(): Promise<void> {
    return this.engine.ping();
  }
  close(): Promise<void> {
    return this.engine.close();
  }
}
