/**
 * A minimal Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms
 * with labels. Label values come from a fixed vocabulary (route patterns, error codes), never from
 * request data, so the number of series stays bounded.
 */

type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${keys.map((k) => `${k}="${esc(labels[k] as string)}"`).join(',')}}`;
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class Counter implements Family {
  readonly type = 'counter';
  readonly #values = new Map<string, number>();
  /** `collect`: series read at each scrape from counts kept elsewhere (a pool's, a store's) */
  constructor(
    readonly name: string,
    readonly help: string,
    readonly collect?: () => [Labels, number][],
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.#values.set(k, (this.#values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.#values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    for (const [labels, v] of this.collect?.() ?? []) this.#values.set(labelKey(labels), v);
    return [...this.#values].map(([k, v]) => `${this.name}${k} ${v}`);
  }
}

export class Gauge implements Family {
  readonly type = 'gauge';
  readonly #values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly collect?: () => number,
  ) {}
  set(value: number, labels: Labels = {}): void {
    this.#values.set(labelKey(labels), value);
  }
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.#values.set(k, (this.#values.get(k) ?? 0) + by);
  }
  dec(labels: Labels = {}, by = 1): void {
    this.inc(labels, -by);
  }
  render(): string[] {
    if (this.collect) this.#values.set('', this.collect());
    return [...this.#values].map(([k, v]) => `${this.name}${k} ${v}`);
  }
}

export class Histogram implements Family {
  readonly type = 'histogram';
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const k = labelKey(labels);
    let s = this.#series.get(k);
    if (!s) {
      s = { labels, counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.#series.set(k, s);
    }
    // Bucket counts are cumulative (every bucket whose bound is >= value), as the exposition format wants.
    this.buckets.forEach((b, i) => {
      if (value <= b) (s.counts[i] as number)++;
    });
    s.sum += value;
    s.count++;
  }
  render(): string[] {
    const out: string[] = [];
    for (const s of this.#series.values()) {
      this.buckets.forEach((b, i) => {
        out.push(`${this.name}_bucket${labelKey({ ...s.labels, le: String(b) })} ${s.counts[i]}`);
      });
      out.push(`${this.name}_bucket${labelKey({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${this.name}_sum${labelKey(s.labels)} ${s.sum}`);
      out.push(`${this.name}_count${labelKey(s.labels)} ${s.count}`);
    }
    return out;
  }
}

export class Registry {
  readonly #families: Family[] = [];
  register<F extends Family>(f: F): F {
    this.#families.push(f);
    return f;
  }
  /** The exposition text. */
  render(): string {
    const lines: string[] = [];
    for (const f of this.#families) {
      lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.render());
    }
    return `${lines.join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Counts kept by the verification pool and, on PostgreSQL, the store's coalescing, read at each scrape. */
export interface BatchingCounts {
  verification?: () => { batches: number; presentations: number } | undefined;
  store?: () => Record<'request_lookup' | 'request_consumption', { statements: number; items: number }> | undefined;
}

/** The service's metrics. */
export function createMetrics(o: { revision: () => number; revoked: () => number; batching?: BatchingCounts }) {
  const registry = new Registry();
  const startedAt = Date.now();
  const poolCount = (k: 'batches' | 'presentations') => (): [Labels, number][] => {
    const c = o.batching?.verification?.();
    return c ? [[{}, c[k]]] : [];
  };
  const storeCount = (k: 'statements' | 'items') => (): [Labels, number][] =>
    Object.entries(o.batching?.store?.() ?? {}).map(([op, c]) => [{ op }, c[k]]);
  return {
    registry,
    httpRequests: registry.register(new Counter('zkid_http_requests_total', 'HTTP requests by method, route pattern and status')),
    httpDuration: registry.register(
      new Histogram(
        'zkid_http_request_duration_seconds',
        'HTTP request duration by route pattern',
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      ),
    ),
    verifications: registry.register(new Counter('zkid_verifications_total', 'presentations checked, by result and code')),
    verificationDuration: registry.register(
      new Histogram('zkid_verification_duration_seconds', 'time to verify one presentation', [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1]),
    ),
    verificationsInFlight: registry.register(new Gauge('zkid_verifications_in_flight', 'presentations being verified now')),
    verificationBatches: registry.register(
      new Counter(
        'zkid_verification_batches_total',
        'batches the verification pool verified (presentations / batches: the mean batch)',
        poolCount('batches'),
      ),
    ),
    verificationBatched: registry.register(
      new Counter(
        'zkid_verification_batched_presentations_total',
        'presentations the verification pool verified in batches',
        poolCount('presentations'),
      ),
    ),
    storeStatements: registry.register(
      new Counter(
        'zkid_store_coalesced_statements_total',
        'statements the PostgreSQL store sent for coalesced calls, by operation',
        storeCount('statements'),
      ),
    ),
    storeCalls: registry.register(
      new Counter(
        'zkid_store_coalesced_calls_total',
        'calls the PostgreSQL store answered with coalesced statements, by operation',
        storeCount('items'),
      ),
    ),
    requestsCreated: registry.register(new Counter('zkid_proof_requests_created_total', 'proof requests issued, by policy')),
    credentialsIssued: registry.register(new Counter('zkid_credentials_issued_total', 'credentials issued, by channel')),
    revocationRevision: registry.register(new Gauge('zkid_revocation_revision', 'current revision of the revocation tree', o.revision)),
    revokedSerials: registry.register(new Gauge('zkid_revoked_serials', 'serials currently revoked', o.revoked)),
    uptime: registry.register(
      new Gauge('process_uptime_seconds', 'seconds since the service started', () => (Date.now() - startedAt) / 1000),
    ),
    memory: registry.register(new Gauge('process_resident_memory_bytes', 'resident set size', () => process.memoryUsage.rss())),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
