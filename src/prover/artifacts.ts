/**
 * The one artifact loader: circuit wasm and zkey (and verification keys) from bytes, a file path
 * (Node) or a URL (Node and browser), checked against their sha256; concurrent loads of one hash share a read.
 * The file/URL reader is chosen by the bundler through package.json "imports" conditions
 * (#read-bytes), never by sniffing the runtime.
 */
import { readBytes } from '#read-bytes';
import { ZkidError } from '../errors.ts';

export type ArtifactLocation = string | Uint8Array;

export interface ArtifactSource {
  location: ArtifactLocation;
  /** expected sha256 (64 lower-case hex); required: unverified artifacts are never used */
  sha256: string;
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Loads in flight by sha256 (settled bytes are not kept: see loadArtifact). */
const cache = new Map<string, Promise<Uint8Array>>();

/**
 * A persistent store of artifacts by sha256 (a browser wallet keeps them in Cache Storage so a
 * second visit downloads nothing). What it returns is hash-checked like a download; a stored copy
 * that does not match is ignored and replaced.
 */
export interface ArtifactStore {
  get(sha256: string): Promise<Uint8Array | undefined>;
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  /**
   * Whether the proving key with this sha256 passed its shape check before, and recording that it
   * did (optional). Only keys pinned in the build are ever checked, so a forged mark could at most
   * skip the check for a pinned key.
   */
  isShapeChecked?(sha256: string): Promise<boolean>;
  markShapeChecked?(sha256: string): Promise<void>;
}

/** The persistent store in use, if any (the prover asks it about shape checks). */
export function artifactStore(): ArtifactStore | undefined {
  return store;
}

let store: ArtifactStore | undefined;

/** Use a persistent artifact store (or none). */
export function setArtifactStore(s: ArtifactStore | undefined): void {
  store = s;
}

/**
 * Load an artifact and check its hash; concurrent loads of the same hash share one read. The bytes
 * are not kept in memory once loaded (the prover keeps the parsed key and the compiled witness
 * generator instead; a wallet's store keeps the bytes between visits), so a later load reads again.
 * @throws ZkidError ARTIFACT_UNAVAILABLE when it cannot be read, ARTIFACT_HASH_MISMATCH when its hash differs
 */
export function loadArtifact(name: string, src: ArtifactSource): Promise<Uint8Array> {
  if (!/^[0-9a-f]{64}$/.test(src.sha256)) {
    return Promise.reject(new ZkidError('INVALID_ARGUMENT', `${name}.sha256 must be 64 lower-case hex characters`, `${name}.sha256`));
  }
  const hit = cache.get(src.sha256);
  if (hit) return hit;
  const p = (async () => {
    if (store && typeof src.location === 'string') {
      try {
        const kept = await store.get(src.sha256);
        if (kept && (await sha256Hex(kept)) === src.sha256) return kept;
      } catch {
        // An unreadable store is a cache miss.
      }
    }
    let bytes: Uint8Array;
    try {
      bytes = typeof src.location === 'string' ? await readBytes(src.location) : src.location;
    } catch (e) {
      throw new ZkidError('ARTIFACT_UNAVAILABLE', `cannot read ${name}: ${e instanceof Error ? e.message : String(e)}`, name, { cause: e });
    }
    const got = await sha256Hex(bytes);
    if (got !== src.sha256) {
      throw new ZkidError('ARTIFACT_HASH_MISMATCH', `${name} has sha256 ${got}, expected ${src.sha256}`, name);
    }
    // Kept for the next visit in the background: writing 10 MB must not delay this proof.
    if (store && typeof src.location === 'string') void store.put(src.sha256, bytes).catch(() => undefined);
    return bytes;
  })();
  cache.set(src.sha256, p);
  const done = () => {
    if (cache.get(src.sha256) === p) cache.delete(src.sha256);
  };
  p.then(done, done);
  return p;
}

/** Forget loads in flight (tests). */
export function clearArtifactCache(): void {
  cache.clear();
}
