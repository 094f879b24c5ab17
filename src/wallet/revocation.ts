/**
 * The wallet's revocation data: fetched from the holder's registry when the wallet opens and on a
 * schedule while it is open, never because a proof is about to be made (a registry that works
 * with a verifier could otherwise match the fetch to the proof by its timing).
 *
 * What is fetched says as little as possible about the credential: the full snapshot when it is
 * small (it names no credential at all), otherwise the bucket that holds the serial (one of
 * `issuedCount` credentials the registry counts in it). The anonymity set reported to the holder
 * is that count of issued credentials in what was fetched, never the number of serial slots.
 * Before keeping the data, the wallet builds its own path from it (witnessFromSnapshot /
 * witnessFromBucket), which checks the data is consistent and yields a root, and checks that this
 * root is one the credential's issuer signed (checkSignedRoot: the record served with the data
 * carries the issuer's signature over the root, its revision and its time). Data whose root the
 * issuer did not sign is refused (ROOT_NOT_SIGNED), whoever served it: a registry or mirror cannot
 * hand the holder a tree of its own making.
 */
import { bucketIndexOf, checkSignedRoot, type RevocationWitness, witnessFromBucket, witnessFromSnapshot } from '../index.browser.ts';
import { api, type CountedBucket, type CountedSnapshot, type RegistryRoot } from './api.ts';

/** Take the full snapshot when its compressed size is below this. */
export const SNAPSHOT_MAX_BYTES = 2_000_000;
/** Scheduled refresh: every 30 minutes plus or minus up to 5 (jitter, so holders do not fetch in step). */
export const REFRESH_INTERVAL_MS = 30 * 60 * 1000;
export const REFRESH_JITTER_MS = 5 * 60 * 1000;

export interface RevocationData {
  kind: 'snapshot' | 'bucket';
  data: CountedSnapshot | CountedBucket;
  /** the root the data yields for the credential's path (decimal), signed by the credential's issuer */
  root: string;
  revision: number;
  /** when the issuer published that root (its signed time); absent in data kept before roots were signed */
  publishedAt?: string;
  /** credentials issued (and not revoked) in what was fetched; undefined when the registry does not say */
  issuedCount?: number;
  revoked: boolean;
  fetchedAt: string;
  /** registry base URL it came from */
  registry: string;
}

/** Delay until the next scheduled refresh. */
export function nextRefreshDelay(random: () => number = Math.random): number {
  return REFRESH_INTERVAL_MS + Math.round((random() * 2 - 1) * REFRESH_JITTER_MS);
}

function isRevoked(w: RevocationWitness): boolean {
  return ((w.leaf >> BigInt(w.bit)) & 1n) === 1n;
}

/** What fetchRevocation needs of the credential: its serial and its issuer's key (whose root signatures it trusts). */
export interface RevocationSubject {
  serial: string;
  issuer: { publicKey: [string, string] };
}

/**
 * Fetch revocation data for a credential from a registry (base URL of the service, e.g.
 * `http://localhost:8080`), check it yields the serial's path, and that the root it yields is
 * signed by the credential's issuer.
 * @throws ApiError for HTTP problems; ZkidError INVALID_REVOCATION_DATA for data that is
 *   inconsistent; ROOT_NOT_SIGNED when the issuer did not sign the root the data yields
 */
export async function fetchRevocation(registry: string, credential: RevocationSubject, now = new Date()): Promise<RevocationData> {
  const serial = BigInt(credential.serial);
  const base = registry.replace(/\/+$/, '');
  const head = await api<RegistryRoot>('GET', `${base}/v1/registry/root`);
  const small = typeof head.snapshotBytes === 'number' && head.snapshotBytes < SNAPSHOT_MAX_BYTES;
  // The whole snapshot when small (it names no credential); otherwise the bucket, whose index is
  // computed here: the registry learns a range of ~issuedCount credentials, not the serial.
  const data = small
    ? await api<CountedSnapshot>('GET', `${base}/v1/registry/snapshot`)
    : await api<CountedBucket>('GET', `${base}/v1/registry/buckets/${bucketIndexOf(serial, head.bucketBits)}`);
  const w = small ? witnessFromSnapshot(data, serial) : witnessFromBucket(data, serial);
  const record = checkSignedRoot(data.rootRecord, { root: w.root, issuerPublicKey: credential.issuer.publicKey });
  return {
    kind: small ? 'snapshot' : 'bucket',
    data,
    root: w.root.toString(),
    // the signed revision (the data's own field is the registry's word)
    revision: record.revision,
    publishedAt: record.publishedAt.toISOString(),
    ...(typeof data.issuedCount === 'number' ? { issuedCount: data.issuedCount } : {}),
    revoked: isRevoked(w),
    fetchedAt: now.toISOString(),
    registry: base,
  };
}

/** '3 min ago', '2 h 5 min ago', 'just now' */
export function age(fetchedAt: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(fetchedAt)) / 1000));
  if (s < 60) return 'just now';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  return `${Math.floor(m / 60)} h ${m % 60} min ago`;
}

/** 3600 -> '60 minutes', 90 -> '90 seconds', 86400 -> '24 hours' */
export function duration(seconds: number): string {
  if (seconds % 3600 === 0 && seconds >= 7200) return `${seconds / 3600} hours`;
  if (seconds % 60 === 0 && seconds >= 120) return `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}
