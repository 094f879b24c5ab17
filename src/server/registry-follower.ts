/**
 * A verifier that is not the issuer: its accepted revocation roots come from the issuer's
 * registry, or any mirror of it, and every root record it uses carries a valid signature by the
 * issuer's key (src/revocation/root.ts). The transport is not trusted: a mirror, a cache or the
 * network can withhold records but cannot make one.
 *
 * Every `pollMs` each source (the registry, then its mirrors) is asked for the records from the
 * newest revision already held (`GET /v1/registry/roots?since=<revision>&limit=<keep>`), so a
 * steady poll answers one record, which is compared, not verified again. An answer is taken whole
 * or not at all; it is refused, with an error in the log naming the source and a stable code, when
 *   - it is not the expected JSON, or its revisions are not consecutive, newest first (BAD_RESPONSE);
 *   - a record has no signature by the issuer's key (ROOT_UNSIGNED) or a signature that does not
 *     verify over its root, revision and time (ROOT_SIGNATURE_INVALID);
 *   - its newest revision is older than one already verified (REVISION_ROLLBACK);
 *   - a validly signed record differs from the one held for the same revision (ROOT_CONFLICT: the
 *     issuer signed two roots for one revision);
 *   - the source cannot be reached in time (UNREACHABLE).
 * The last good history is kept meanwhile; the accepted window is computed from the signed
 * publication times exactly as the registry computes it (acceptedRootsOf). A source that is merely
 * behind another is reported as REVISION_ROLLBACK at warning level: it may be a slow mirror.
 *
 * What signatures cannot give is freshness: a source that withholds new records keeps the last
 * root it served accepted. Polling several sources and taking the newest signed revision of any
 * of them narrows that to "every source withholds" (see src/threat-model.md).
 */
import type { Logger } from 'pino';
import { acceptedRootsOf, parseRootRecord, type RootRecord, verifyRootSignature } from '../revocation/root.ts';

export type FollowProblem =
  | 'UNREACHABLE'
  | 'BAD_RESPONSE'
  | 'ROOT_UNSIGNED'
  | 'ROOT_SIGNATURE_INVALID'
  | 'REVISION_ROLLBACK'
  | 'ROOT_CONFLICT';

/** What one source's answer did in one poll. */
export interface SourceOutcome {
  url: string;
  ok: boolean;
  /** the newest revision the source served (when it served any) */
  revision?: number;
  /** records verified and taken from this source */
  taken?: number;
  code?: FollowProblem;
  message?: string;
}

export interface FollowerOptions {
  /** base URLs: the registry first, then its mirrors */
  urls: string[];
  issuerPublicKey: [string, string];
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** records kept (and asked for): enough for the accepted window; 1..256 (default 64) */
  keep?: number;
  /** per request (default 10 s) */
  timeoutMs?: number;
  /** for tests: the fetch to use (default the global fetch) */
  fetch?: typeof fetch;
}

/** Larger answers are refused: 256 signed records are about 180 kB. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

class Refused extends Error {
  constructor(
    readonly code: FollowProblem,
    message: string,
    readonly revision?: number,
  ) {
    super(message);
  }
}

export class RegistryFollower {
  readonly #o: Required<Omit<FollowerOptions, 'fetch'>> & { fetch: typeof fetch };
  /** verified records, newest first, consecutive revisions */
  #history: RootRecord[] = [];
  #polling: Promise<SourceOutcome[]> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastSuccess: Date | undefined;

  constructor(o: FollowerOptions) {
    if (!Array.isArray(o.urls) || o.urls.length === 0) throw new TypeError("Parameter 'urls' must name at least one registry");
    const keep = o.keep ?? 64;
    if (!Number.isInteger(keep) || keep < 1 || keep > 256) throw new RangeError("Parameter 'keep' must be an integer from 1 to 256");
    this.#o = {
      urls: o.urls.map((u) => u.replace(/\/+$/, '')),
      issuerPublicKey: o.issuerPublicKey,
      logger: o.logger,
      keep,
      timeoutMs: o.timeoutMs ?? 10_000,
      fetch: o.fetch ?? globalThis.fetch.bind(globalThis),
    };
  }

  /** The newest verified revision (undefined before the first good answer). */
  get revision(): number | undefined {
    return this.#history[0]?.revision;
  }

  /** Verified records, newest first. */
  get history(): readonly RootRecord[] {
    return this.#history;
  }

  /** When an answer was last taken or confirmed (undefined: never). */
  get lastSuccess(): Date | undefined {
    return this.#lastSuccess;
  }

  /** The roots a verifier accepts at `now` (see acceptedRootsOf); empty before the first good answer. */
  acceptedRoots(now: Date, window: { count: number; maxAgeSeconds: number }): string[] {
    return acceptedRootsOf(this.#history, now, window);
  }

  /** Ask every source once (a poll already running is joined, not repeated). Never throws. */
  poll(): Promise<SourceOutcome[]> {
    this.#polling ??= this.#pollOnce().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  /** Poll every `intervalMs` until {@link stop}. */
  start(intervalMs: number): void {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError("Parameter 'intervalMs' must be a positive number");
    this.stop();
    this.#timer = setInterval(() => void this.poll(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #pollOnce(): Promise<SourceOutcome[]> {
    const since = this.revision;
    // Fetched together; taken in order (the registry first), each against what the previous ones gave.
    const answers = await Promise.all(this.#o.urls.map((url) => this.#fetch(url, since).catch((e: unknown) => e)));
    const out: SourceOutcome[] = [];
    for (const [i, url] of this.#o.urls.entries()) {
      const answer = answers[i];
      let outcome: SourceOutcome;
      try {
        if (answer instanceof Error) throw answer;
        outcome = { url, ok: true, ...this.#take(answer) };
        this.#lastSuccess = new Date();
      } catch (e) {
        const r = e instanceof Refused ? e : new Refused('BAD_RESPONSE', e instanceof Error ? e.message : String(e));
        outcome = { url, ok: false, code: r.code, message: r.message, ...(r.revision === undefined ? {} : { revision: r.revision }) };
        const behind = r.code === 'REVISION_ROLLBACK' && r.revision !== undefined && since !== undefined && r.revision < since;
        const level = r.code === 'UNREACHABLE' || behind ? 'warn' : 'error';
        this.#o.logger[level](
          { registry: url, code: r.code, revision: r.revision, held: this.revision },
          `followed registry refused: ${r.message}`,
        );
      }
      out.push(outcome);
    }
    return out;
  }

  async #fetch(url: string, since: number | undefined): Promise<unknown> {
    const target = `${url}/v1/registry/roots?limit=${this.#o.keep}${since === undefined ? '' : `&since=${since}`}`;
    let res: Response;
    try {
      res = await this.#o.fetch(target, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(this.#o.timeoutMs) });
    } catch (e) {
      throw new Refused('UNREACHABLE', `GET ${target}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new Refused(res.status >= 500 ? 'UNREACHABLE' : 'BAD_RESPONSE', `GET ${target}: HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > MAX_BODY_BYTES) {
      await res.body?.cancel().catch(() => undefined);
      throw new Refused('BAD_RESPONSE', `GET ${target}: ${declared} bytes, at most ${MAX_BODY_BYTES} taken`);
    }
    const text = await readLimited(res, MAX_BODY_BYTES, target);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Refused('BAD_RESPONSE', `GET ${target}: not JSON`);
    }
  }

  /** Check one answer whole and merge it into the history. @throws Refused */
  #take(body: unknown): { revision: number; taken: number } {
    const list = (body as { roots?: unknown } | null)?.roots;
    if (typeof body !== 'object' || body === null || !Array.isArray(list))
      throw new Refused('BAD_RESPONSE', 'the answer has no roots array');
    if (list.length > 256) throw new Refused('BAD_RESPONSE', `the answer has ${list.length} records, at most 256 taken`);
    let records: RootRecord[];
    try {
      records = list.map((r, i) => parseRootRecord(r, `roots[${i}]`));
    } catch (e) {
      throw new Refused('BAD_RESPONSE', e instanceof Error ? e.message : String(e));
    }
    const held = this.#history[0];
    const newest = records[0];
    if (!newest) {
      if (held) throw new Refused('REVISION_ROLLBACK', `serves no record at or after revision ${held.revision}, which it signed before`);
      throw new Refused('BAD_RESPONSE', 'the answer holds no root record');
    }
    for (let i = 1; i < records.length; i++) {
      if ((records[i] as RootRecord).revision !== (records[i - 1] as RootRecord).revision - 1) {
        throw new Refused('BAD_RESPONSE', `roots[${i}]: revisions must be consecutive, newest first`);
      }
    }
    if (held && newest.revision < held.revision) {
      throw new Refused(
        'REVISION_ROLLBACK',
        `serves revision ${newest.revision}, older than revision ${held.revision} already verified: stale or rolled back`,
        newest.revision,
      );
    }
    let verified = 0;
    for (const [i, r] of records.entries()) {
      const known = this.#history.find((h) => h.revision === r.revision);
      const same = known && known.root === r.root && known.publishedAt.getTime() === r.publishedAt.getTime();
      if (same) continue; // verified when it was taken
      const key = this.#o.issuerPublicKey;
      const byKey = r.signatures?.some((s) => s.publicKey[0] === key[0] && s.publicKey[1] === key[1]);
      if (!byKey)
        throw new Refused('ROOT_UNSIGNED', `roots[${i}] (revision ${r.revision}) has no signature by the issuer key`, newest.revision);
      if (!verifyRootSignature(r, key)) {
        throw new Refused(
          'ROOT_SIGNATURE_INVALID',
          `roots[${i}] (revision ${r.revision}): the signature does not verify over its root, revision and time`,
          newest.revision,
        );
      }
      if (known) {
        throw new Refused(
          'ROOT_CONFLICT',
          `roots[${i}]: the issuer signed another root or time for revision ${r.revision} than the one already verified`,
          newest.revision,
        );
      }
      verified++;
    }
    const oldest = (records[records.length - 1] as RootRecord).revision;
    this.#history = [...records, ...this.#history.filter((h) => h.revision < oldest)].slice(0, this.#o.keep);
    if (verified > 0) this.#o.logger.info({ revision: newest.revision, verified }, 'followed registry: new signed roots taken');
    return { revision: newest.revision, taken: verified };
  }
}

/** The body as text, refusing more than `max` bytes however it is sent. */
async function readLimited(res: Response, max: number, target: string): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new Refused('BAD_RESPONSE', `GET ${target}: more than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
