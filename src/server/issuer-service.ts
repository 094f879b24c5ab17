/**
 * The issuer role: its signing keys (kept in the store), credential issuance with random,
 * never-reused serials, and the demo enrolment's fixed attributes.
 *
 * The holder's secret never reaches the issuer: a credential is issued for the holder's
 * commitment Poseidon(holderSecret). The issuer records only the serial it allocated and the key
 * it used (data minimisation: the attributes are in the credential the holder keeps).
 */
import { createHash } from 'node:crypto';
import { generateIssuerKey, randomSerial, signCredential } from '../credential/issuer.ts';
import { type Credential, type CredentialAttributes, validateAttributes } from '../credential/schema.ts';
import { todayUtc } from '../dates.ts';
import type { IssuerKeyRecord, Store } from '../store/store.ts';
import { HttpError } from './http-error.ts';
import { RevocationRegistry } from './revocation-registry.ts';

/** The key id: the first 16 hex characters of sha256("Ax:Ay"). */
export function keyIdOf(publicKey: readonly [string, string]): string {
  return createHash('sha256').update(`${publicKey[0]}:${publicKey[1]}`).digest('hex').slice(0, 16);
}

/**
 * Make sure the store holds an issuer key, creating one (from the platform CSPRNG) on first start.
 * @returns the newest active key
 */
export async function ensureIssuerKey(store: Store, now: Date): Promise<IssuerKeyRecord> {
  const existing = (await store.listIssuerKeys()).filter((k) => k.active);
  const newest = existing[existing.length - 1];
  if (newest) return newest;
  const key = await generateIssuerKey();
  const record: IssuerKeyRecord = {
    id: keyIdOf(key.publicKey),
    publicKey: key.publicKey,
    privateKey: key.privateKey,
    createdAt: now,
    active: true,
  };
  await store.addIssuerKey(record, {
    at: now,
    actor: 'system',
    action: 'issuer-key.created',
    subject: record.id,
    details: { publicKey: record.publicKey },
  });
  return record;
}

/**
 * The demo holder: an adult born 2000-01-01, registered in Beijing Dongcheng (110105), holding a
 * CN resident ID (a valid GB 11643 check digit) valid until 1 January ten years from `today`.
 */
export function demoAttributes(today: number): CredentialAttributes {
  return {
    idNumber: '110105200001011238',
    birthDate: 20000101,
    validUntil: (Math.floor(today / 10_000) + 10) * 10_000 + 101,
    region: 110105,
    nationality: 156,
    documentType: 1,
  };
}

export interface IssuedCredential {
  credential: Credential;
  serial: string;
  keyId: string;
  /** the revocation bucket holding the serial (GET /v1/registry/buckets/{bucket}) */
  bucket: number;
}

export interface PublicIssuerKey {
  id: string;
  publicKey: [string, string];
  createdAt: string;
  active: boolean;
}

export class IssuerService {
  readonly #store: Store;
  readonly #registry: RevocationRegistry;
  readonly #keys: IssuerKeyRecord[];

  private constructor(store: Store, registry: RevocationRegistry, keys: IssuerKeyRecord[]) {
    this.#store = store;
    this.#registry = registry;
    this.#keys = keys;
  }

  static async open(store: Store, registry: RevocationRegistry): Promise<IssuerService> {
    return new IssuerService(store, registry, await store.listIssuerKeys());
  }

  /** Public parts of the keys, oldest first. */
  get keys(): PublicIssuerKey[] {
    return this.#keys.map((k) => ({ id: k.id, publicKey: k.publicKey, createdAt: k.createdAt.toISOString(), active: k.active }));
  }

  get activePublicKeys(): [string, string][] {
    return this.#keys.filter((k) => k.active).map((k) => k.publicKey);
  }

  #signingKey(keyId?: string): IssuerKeyRecord {
    const active = this.#keys.filter((k) => k.active);
    const key = keyId === undefined ? active[active.length - 1] : active.find((k) => k.id === keyId);
    if (!key) throw new HttpError('UNKNOWN_KEY', keyId === undefined ? 'the issuer has no active key' : `no active issuer key '${keyId}'`);
    return key;
  }

  /**
   * Validate the attributes, allocate a fresh random serial (never issued, not revoked), sign,
   * and record the serial with an audit entry.
   * @throws ZkidError for invalid attributes (before any signing); HttpError UNKNOWN_KEY
   */
  async issue(o: { attributes: unknown; holderCommitment: string; keyId?: string; actor: string; at: Date }): Promise<IssuedCredential> {
    const attributes = validateAttributes(o.attributes);
    const key = this.#signingKey(o.keyId);
    for (let attempt = 0; attempt < 16; attempt++) {
      const serial = randomSerial();
      if (this.#registry.isRevoked(serial) || (await this.#store.isSerialIssued(Number(serial)))) continue;
      const credential = await signCredential(
        { privateKey: key.privateKey, publicKey: key.publicKey },
        { attributes, serial, holderCommitment: o.holderCommitment },
      );
      const recorded = await this.#store.recordIssuance({
        serial: Number(serial),
        keyId: key.id,
        at: o.at,
        audit: { at: o.at, actor: o.actor, action: 'credential.issued', subject: serial.toString(), details: { keyId: key.id } },
      });
      if (recorded) return { credential, serial: serial.toString(), keyId: key.id, bucket: RevocationRegistry.bucketOf(serial) };
    }
    throw new Error('could not allocate a fresh serial');
  }

  /** Issue the demo credential (see demoAttributes) for a holder commitment. */
  issueDemo(o: { holderCommitment: string; at: Date }): Promise<IssuedCredential> {
    return this.issue({ attributes: demoAttributes(todayUtc(o.at)), holderCommitment: o.holderCommitment, actor: 'demo', at: o.at });
  }
}
