/** The persistent artifact store (Cache Storage in the wallet): used only after its hash check. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clearArtifactCache, loadArtifact, setArtifactStore, sha256Hex } from '../../src/prover/artifacts.ts';

const dir = mkdtempSync(join(tmpdir(), 'zkid-store-'));
const bytes = new TextEncoder().encode('the circuit');
const path = join(dir, 'a.bin');
writeFileSync(path, bytes);

afterEach(() => {
  setArtifactStore(undefined);
  clearArtifactCache();
});

function memoryStore(initial: Record<string, Uint8Array> = {}) {
  const kept = new Map(Object.entries(initial));
  const log: string[] = [];
  return {
    kept,
    log,
    store: {
      get: async (sha: string) => {
        log.push(`get ${sha.slice(0, 8)}`);
        return kept.get(sha);
      },
      put: async (sha: string, b: Uint8Array) => {
        log.push(`put ${sha.slice(0, 8)}`);
        kept.set(sha, b);
      },
    },
  };
}

describe('loadArtifact with a persistent store', () => {
  it('downloads once, then serves the stored copy without reading the location', async () => {
    const sha = await sha256Hex(bytes);
    const m = memoryStore();
    setArtifactStore(m.store);
    expect(await loadArtifact('a', { location: path, sha256: sha })).toEqual(bytes);
    expect(m.kept.get(sha)).toEqual(bytes);
    clearArtifactCache();
    // The location no longer exists: only the store can answer.
    expect(await loadArtifact('a', { location: join(dir, 'gone.bin'), sha256: sha })).toEqual(bytes);
    expect(m.log).toEqual([`get ${sha.slice(0, 8)}`, `put ${sha.slice(0, 8)}`, `get ${sha.slice(0, 8)}`]);
  });

  it('ignores a stored copy whose hash does not match, and replaces it', async () => {
    const sha = await sha256Hex(bytes);
    const m = memoryStore({ [sha]: new TextEncoder().encode('tampered') });
    setArtifactStore(m.store);
    expect(await loadArtifact('a', { location: path, sha256: sha })).toEqual(bytes);
    expect(m.kept.get(sha)).toEqual(bytes);
  });

  it('treats a failing store as a miss', async () => {
    const sha = await sha256Hex(bytes);
    setArtifactStore({
      get: async () => {
        throw new Error('quota');
      },
      put: async () => {
        throw new Error('quota');
      },
    });
    expect(await loadArtifact('a', { location: path, sha256: sha })).toEqual(bytes);
  });
});
