/**
 * A TCP proxy for tests of a server that goes away and comes back (PostgreSQL, Redis): the code
 * under test connects to the proxy's port; `cut()` drops every connection and refuses new ones,
 * `open()` listens again on the same port.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** A TCP proxy that a test can cut (every connection dropped, new ones refused) and open again on the same port. */
export class CuttableProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;
  constructor(readonly target: { host: string; port: number }) {}

  /** A proxy to the server a URL names (`defaultPort` when the URL has none); not yet listening. */
  static to(url: string, defaultPort: number): CuttableProxy {
    const u = new URL(url);
    return new CuttableProxy({ host: u.hostname, port: Number(u.port || defaultPort) });
  }

  /** The same URL, through this proxy (once it listens). */
  url(of: string): string {
    const u = new URL(of);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.href;
  }

  open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.target.port, this.target.host);
      for (const s of [client, upstream]) this.#sockets.add(s);
      const end = () => {
        for (const s of [client, upstream]) {
          s.destroy();
          this.#sockets.delete(s);
        }
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.pipe(upstream).pipe(client);
    });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  /** Drop every connection and refuse new ones. */
  cut(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    const server = this.#server;
    this.#server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/**
 * Ask again (every `everyMs`) until `done` says the answer is the one awaited or `withinMs` has
 * passed: the last answer either way, for the test to assert on. For a client that reconnects on
 * its own after a proxy opens again; the room is for a busy machine.
 */
export async function askUntil<T>(ask: () => Promise<T>, done: (t: T) => boolean, withinMs = 20_000, everyMs = 100): Promise<T> {
  let answer = await ask();
  for (const until = Date.now() + withinMs; !done(answer) && Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, everyMs));
    answer = await ask();
  }
  return answer;
}
