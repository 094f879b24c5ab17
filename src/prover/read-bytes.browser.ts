/** Browser variant of readBytes: fetch a URL (relative URLs resolve against the page or worker). */
export async function readBytes(location: string): Promise<Uint8Array> {
  const res = await fetch(location);
  if (!res.ok) throw new Error(`GET ${location}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
