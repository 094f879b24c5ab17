/** Node variant of readBytes: a file path, a file: URL, or an http(s) URL. */
import { readFile } from 'node:fs/promises';

export async function readBytes(location: string): Promise<Uint8Array> {
  if (/^https?:\/\//.test(location)) {
    const res = await fetch(location);
    if (!res.ok) throw new Error(`GET ${location}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  const path = location.startsWith('file:') ? new URL(location) : location;
  return new Uint8Array(await readFile(path));
}
