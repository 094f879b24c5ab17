/**
 * The issuer role: its signing keys (kept in the store), credential issuance, and the demo
 * enrolment's attributes (derived from the holder commitment).
 *
 * The holder's secret never reaches the issuer: a credential is issued for the holder's
 * commitment Poseidon(holderSecret). The issuer records the serial it allocated, the key it used
 * and, per person, the one active holder commitment (data minimisation: the attributes are in
 * the credential the holder keeps; the person is known to the store only by an HMAC of the ID
 * number under a secret of this issuer).
 *
 * One person, one active holder commitment (what makes a `unique` policy mean one account per
 * ID number): issuing again for the same commitment signs the same serial again (the same
 * pseudonyms everywhere); a new commitment for the same person is a re-keying: the old serial is
 * revoked, the new credential gets a new serial, it is audited ('holder.rekeyed'), and it is
 * refused (REKEY_TOO_SOON) within rekeyMinIntervalDays of the previous one. Each issuance is one
 * store transaction (holder record, serial, revocation leaf and root, audit entries).
 */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { cnResidentIdCheckChar, encodeIdNumber } from '../credential/id-number.ts';
import { generateIssuerKey, signCredential } from '../credential/issuer.ts';
import { type Credential, type CredentialAttributes, MAX_SERIAL, validateAttributes } from '../credential/schema.ts';
import { addDays, todayUtc } from '../dates.ts';
import type { AuditInput, HolderRecord, IssuerKeyRecord, RevocationChange, Store } from '../store/store.ts';
import { HttpError } from './http-error.ts';
import { RevocationRegistry, SERIALS_PER_BUCKET } from './revocation-registry.ts';

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
  const audit = { at: now, actor: 'system', action: 'issuer-key.created', subject: record.id, details: { publicKey: record.publicKey } };
  // Instances starting together on an empty shared database must agree on one first key.
  if (store.addFirstIssuerKey) return store.addFirstIssuerKey(record, audit);
  await store.addIssuerKey(record, audit);
  return record;
}

/** Beijing's district codes (GB/T 2260), where demo people are registered. */
const DEMO_DISTRICTS = [
  110101, 110102, 110105, 110106, 110107, 110108, 110109, 110111, 110112, 110113, 110114, 110115, 110116, 110117, 110118, 110119,
];
/** Demo birth dates: 1960-01-01 plus 0 to 14,975 days (to 2000-12-31): adults, whatever today is. */
const DEMO_BIRTH_DAYS = 14_976;

/**
 * The demo person of a holder commitment: an adult born between 1960 and 2000, registered in a
 * Beijing district, holding a CN resident ID (valid GB 11643 check character, the birth date
 * embedded), valid until 1 January ten years from `today`. Derived from sha256 of the commitment,
 * so the same commitment is always the same person (and enrolling again keeps its pseudonyms),
 * and different commitments are different people (about 240 million ID numbers).
 */
export function demoAttributes(today: number, holderCommitment: string): CredentialAttributes {
  const h = createHash('sha256').update(`zkid/demo-person/v1\n${holderCommitment}`, 'utf8').digest();
  const birthDate = addDays(19600101, h.readUInt32BE(0) % DEMO_BIRTH_DAYS);
  const district = DEMO_DISTRICTS[(h[4] as number) % DEMO_DISTRICTS.length] as number;
  const sequence = String(h.readUInt16BE(5) % 1000).padStart(3, '0');
  const first17 = `${district}${birthDate}${sequence}`;
  return {
    idNumber: `${first17}${cnResidentIdCheckChar(first17)}`,
    birthDate,
    validUntil: (Math.floor(today / 10_000) + 10) * 10_000 + 101,
    region: district,
    nationality: 156,
    documentType: 1,
  };
}

/**
 * What an issuance did for the person: 'new' (first credential), 'same' (same commitment and
 * attributes: the same serial signed again), 'updated' (same commitment, new attributes or a
 * revoked serial: a new serial, the old one revoked), 'rekeyed' (a new commitment: a new serial,
 * the old one revoked).
 */
export type HolderChange = 'new' | 'same' | 'updated' | 'rekeyed';

export interface IssuedCredential {
  credential: Credential;
  serial: string;
  keyId: string;
  /** the revocation bucket holding the serial (GET /v1/registry/buckets/{bucket}) */
  bucket: number;
  holder: HolderChange;
  /** the serial this issuance revoked (updated, rekeyed) */
  revokedSerial?: string;
}

export interface IssuerOptions {
  /** minimum days between two holder commitments of one person; 0: no limit */
  rekeyMinIntervalDays: number;
  /** see RevocationRegistry.chooseBucket */
  serialAllocation: { activeBuckets: number; bucketTarget: number };
}

const PERSON_KEY_SECRET = 'person-key';
const DAY_MS = 86_400_000;

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
  readonly #personSecret: Buffer;
  readonly #o: IssuerOptions;

  private constructor(store: Store, registry: RevocationRegistry, keys: IssuerKeyRecord[], personSecret: Buffer, o: IssuerOptions) {
    this.#store = store;
    this.#registry = registry;
    this.#keys = keys;
    this.#personSecret = personSecret;
    this.#o = o;
  }

  static async open(
    store: Store,
    registry: RevocationRegistry,
    o: IssuerOptions = { rekeyMinIntervalDays: 30, serialAllocation: { activeBuckets: 4, bucketTarget: 131_072 } },
  ): Promise<IssuerService> {
    const secret = await store.issuerSecret(PERSON_KEY_SECRET, () => randomBytes(32).toString('hex'));
    return new IssuerService(store, registry, await store.listIssuerKeys(), Buffer.from(secret, 'hex'), o);
  }

  /** The store's key of a person: HMAC-SHA256 of the encoded ID number under this issuer's secret (hex). */
  personKey(idNumber: string): string {
    return createHmac('sha256', this.#personSecret)
      .update(`id\n${encodeIdNumber(idNumber).toString()}`)
      .digest('hex');
  }

  #attributesMac(a: CredentialAttributes): string {
    const fields = [a.idNumber, a.birthDate, a.validUntil, a.region, a.nationality, a.documentType];
    return createHmac('sha256', this.#personSecret)
      .update(`attributes\n${JSON.stringify(fields)}`)
      .digest('hex');
  }

  /** A random serial that was never issued nor revoked, in the bucket chooseBucket picks. */
  async #allocateSerial(): Promise<bigint> {
    const { activeBuckets, bucketTarget } = this.#o.serialAllocation;
    for (let attempt = 0; attempt < 64; attempt++) {
      const bucket = this.#registry.chooseBucket({ active: activeBuckets, target: bucketTarget });
      const serial = BigInt(bucket * SERIALS_PER_BUCKET + randomInt(SERIALS_PER_BUCKET));
      if (serial >= MAX_SERIAL || this.#registry.isRevoked(serial) || (await this.#store.isSerialIssued(Number(serial)))) continue;
      return serial;
    }
    throw new Error('could not allocate a fresh serial');
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
   * Validate the attributes and issue a credential for the person's one active holder commitment
   * (see the module comment), allocating a serial when needed, all in one store transaction.
   * @throws ZkidError for invalid attributes (before any signing); HttpError UNKNOWN_KEY;
   *   HttpError REKEY_TOO_SOON (nothing changed) for a new commitment within the re-keying limit
   */
  async issue(o: { attributes: unknown; holderCommitment: string; keyId?: string; actor: string; at: Date }): Promise<IssuedCredential> {
    const attributes = validateAttributes(o.attributes);
    const key = this.#signingKey(o.keyId);
    const personKey = this.personKey(attributes.idNumber);
    const attributesMac = this.#attributesMac(attributes);
    const commitment = BigInt(o.holderCommitment).toString();
    const at = o.at;
    return this.#registry.exclusive(at, async (revoke) => {
      const previous = await this.#store.getHolder(personKey);
      let change: HolderChange;
      let serial: bigint;
      let commitmentSince = at;
      const revocations: RevocationChange[] = [];
      const audit: AuditInput[] = [];
      const revokePrevious = (reason: string) => {
        const c = previous ? revoke(BigInt(previous.serial), { actor: o.actor, action: 'serial.revoked', details: { reason } }) : undefined;
        if (c) revocations.push(c);
      };
      if (!previous) {
        change = 'new';
        serial = await this.#allocateSerial();
      } else if (previous.holderCommitment === commitment) {
        commitmentSince = previous.commitmentSince;
        if (previous.attributesMac === attributesMac && !this.#registry.isRevoked(BigInt(previous.serial))) {
          change = 'same';
          serial = BigInt(previous.serial);
        } else {
          change = 'updated';
          serial = await this.#allocateSerial();
          revokePrevious('superseded');
        }
      } else {
        const minMs = this.#o.rekeyMinIntervalDays * DAY_MS;
        const waitMs = previous.commitmentSince.getTime() + minMs - at.getTime();
        if (minMs > 0 && waitMs > 0) {
          throw new HttpError(
            'REKEY_TOO_SOON',
            `this person's holder key changed less than ${this.#o.rekeyMinIntervalDays} days ago: a new one is accepted from ${new Date(previous.commitmentSince.getTime() + minMs).toISOString()}`,
            { 'Retry-After': String(Math.ceil(waitMs / 1000)) },
          );
        }
        change = 'rekeyed';
        serial = await this.#allocateSerial();
        revokePrevious('rekeyed');
      }
      const credential = await signCredential(
        { privateKey: key.privateKey, publicKey: key.publicKey },
        { attributes, serial, holderCommitment: commitment },
      );
      const subject = serial.toString();
      audit.push({
        at,
        actor: o.actor,
        action: change === 'same' ? 'credential.reissued' : 'credential.issued',
        subject,
        details: { keyId: key.id },
      });
      if (change === 'rekeyed' && previous) {
        audit.push({ at, actor: o.actor, action: 'holder.rekeyed', subject, details: { previousSerial: String(previous.serial) } });
      }
      const holder: HolderRecord = {
        personKey,
        holderCommitment: commitment,
        serial: Number(serial),
        attributesMac,
        commitmentSince,
        updatedAt: at,
      };
      const fresh = change !== 'same';
      const recorded = await this.#store.recordHolderIssuance({
        holder,
        previous,
        ...(fresh ? { newSerial: { serial: Number(serial), keyId: key.id } } : {}),
        revocations,
        audit,
        at,
      });
      if (recorded !== 'recorded') throw new Error('the holder record or the serial changed during issuance');
      if (fresh) this.#registry.noteIssued(serial);
      const issued: IssuedCredential = {
        credential,
        serial: subject,
        keyId: key.id,
        bucket: RevocationRegistry.bucketOf(serial),
        holder: change,
      };
      if (revocations.length > 0 && previous) issued.revokedSerial = String(previous.serial);
      return { ok: true, value: issued };
    });
  }

  /** Issue the demo credential (see demoAttributes) for a holder commitment. */
  issueDemo(o: { holderCommitment: string; at: Date }): Promise<IssuedCredential> {
    const commitment = BigInt(o.holderCommitment).toString();
    return this.issue({ attributes: demoAttributes(todayUtc(o.at), commitment), holderCommitment: commitment, actor: 'demo', at: o.at });
  }
}
