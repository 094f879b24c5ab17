/**
 * Backing up and restoring the holder secret, so that a new device keeps the same pseudonyms.
 *
 * Two forms, both carrying the secret itself (whoever holds either can prove as the holder: keep
 * it offline, like a password manager's recovery kit):
 *  - a recovery phrase: `zkid1-` then the 32-byte secret and a 2-byte checksum (the first two
 *    bytes of SHA-256 over the secret) in Crockford base32, in groups of five characters. Case,
 *    spaces and dashes do not matter, O reads as 0 and I or L as 1; a mistyped character fails the
 *    checksum (a 1 in 65,536 chance of passing) instead of restoring a different secret;
 *  - a recovery file: JSON `{format, holderSecret, holderCommitment, credential?, createdAt}`.
 * Restoring checks the secret against the stored (or backed-up) credential's holder commitment.
 */
import { isCanonicalDecimal } from '../field.ts';
import { type Credential, FIELD_MODULUS, holderCommitment, parseCredential, ZkidError } from '../index.browser.ts';

export const PHRASE_PREFIX = 'zkid1';
export const BACKUP_FORMAT = 'zkid/wallet-backup/v1';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SECRET_BYTES = 32;
const CHECK_BYTES = 2;
/** 34 bytes = 272 bits = 55 base32 characters (the last one carries 2 bits) */
const PHRASE_CHARS = Math.ceil(((SECRET_BYTES + CHECK_BYTES) * 8) / 5);

export interface WalletBackup {
  format: typeof BACKUP_FORMAT;
  /** decimal */
  holderSecret: string;
  /** Poseidon(holderSecret), decimal */
  holderCommitment: string;
  credential?: Credential;
  createdAt: string;
}

function toBytes(secret: bigint): Uint8Array {
  const out = new Uint8Array(SECRET_BYTES);
  let v = secret;
  for (let i = SECRET_BYTES - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

async function checksum(bytes: Uint8Array): Promise<Uint8Array> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  return digest.slice(0, CHECK_BYTES);
}

function recoveryError(message: string): ZkidError {
  return new ZkidError('INVALID_ARGUMENT', message, 'recovery');
}

function parseSecret(v: unknown): bigint {
  if (!isCanonicalDecimal(v)) throw recoveryError('the holder secret must be a decimal number');
  const s = BigInt(v);
  if (s === 0n || s >= FIELD_MODULUS) throw recoveryError('the holder secret is not a valid field element');
  return s;
}

/**
 * The recovery phrase of a secret.
 * @example await recoveryPhrase(123n) // 'zkid1-00000-...-XXXXX'
 */
export async function recoveryPhrase(secret: bigint): Promise<string> {
  const bytes = toBytes(secret);
  const all = new Uint8Array([...bytes, ...(await checksum(bytes))]);
  let bits = 0;
  let acc = 0;
  let out = '';
  for (const b of all) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  const groups = out.match(/.{1,5}/g) ?? [];
  return [PHRASE_PREFIX, ...groups].join('-');
}

/**
 * The secret in a recovery phrase.
 * @throws ZkidError INVALID_ARGUMENT (field 'recovery') for a malformed phrase or a checksum mismatch
 */
export async function secretFromPhrase(phrase: string): Promise<bigint> {
  if (typeof phrase !== 'string') throw recoveryError('the recovery phrase must be text');
  let s = phrase.toUpperCase().replace(/[\s-]+/g, '');
  if (!s.startsWith(PHRASE_PREFIX.toUpperCase())) throw recoveryError(`a recovery phrase starts with '${PHRASE_PREFIX}-'`);
  s = s.slice(PHRASE_PREFIX.length).replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== PHRASE_CHARS)
    throw recoveryError(`a recovery phrase has ${PHRASE_CHARS} characters after '${PHRASE_PREFIX}-', this one ${s.length}`);
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of s) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) throw recoveryError(`'${c}' is not a recovery phrase character`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bytes.push((acc >> (bits - 8)) & 0xff);
      bits -= 8;
      acc &= (1 << bits) - 1;
    }
  }
  const secretBytes = Uint8Array.from(bytes.slice(0, SECRET_BYTES));
  const check = await checksum(secretBytes);
  if (
    bytes.length !== SECRET_BYTES + CHECK_BYTES ||
    check[0] !== bytes[SECRET_BYTES] ||
    check[1] !== bytes[SECRET_BYTES + 1] ||
    acc !== 0
  ) {
    throw recoveryError('the recovery phrase has a typing mistake (its checksum does not match): check every group');
  }
  let secret = 0n;
  for (const b of secretBytes) secret = (secret << 8n) | BigInt(b);
  return parseSecret(secret.toString());
}

/** The recovery file's content. */
export function createBackup(secret: bigint, credential: Credential | undefined, now = new Date()): WalletBackup {
  return {
    format: BACKUP_FORMAT,
    holderSecret: secret.toString(),
    holderCommitment: holderCommitment(secret).toString(),
    ...(credential ? { credential } : {}),
    createdAt: now.toISOString(),
  };
}

/**
 * Read a recovery file (its text) and check it: the commitment is Poseidon(secret), and a
 * credential in it is bound to that commitment.
 * @throws ZkidError INVALID_ARGUMENT (field 'recovery') or the credential's parse error
 */
export function parseBackup(text: string): { secret: bigint; credential?: Credential } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw recoveryError('the recovery file is not JSON');
  }
  if (typeof v !== 'object' || v === null || (v as { format?: unknown }).format !== BACKUP_FORMAT) {
    throw recoveryError(`the file is not a zkid recovery file (format '${BACKUP_FORMAT}')`);
  }
  const o = v as Record<string, unknown>;
  const secret = parseSecret(o.holderSecret);
  const commitment = holderCommitment(secret).toString();
  if (o.holderCommitment !== commitment) throw recoveryError('the recovery file is damaged: its commitment is not Poseidon(secret)');
  if (o.credential === undefined) return { secret };
  const credential = parseCredential(o.credential);
  checkSecretFitsCredential(secret, credential);
  return { secret, credential };
}

/**
 * @throws ZkidError HOLDER_MISMATCH when the credential was issued to another secret
 */
export function checkSecretFitsCredential(secret: bigint, credential: Credential): void {
  if (holderCommitment(secret).toString() !== String(credential.holderCommitment)) {
    throw new ZkidError(
      'HOLDER_MISMATCH',
      "this secret does not belong to the wallet's credential (its commitment differs): restore the secret this credential was issued to, or forget the wallet first",
      'recovery',
    );
  }
}
