/**
 * Calls made in one turn of the event loop, answered by one database statement.
 *
 * A verification batch settles many presentations at once, and the requests of many connections
 * are parsed in one poll of the event loop: each would otherwise be a round trip of its own to
 * PostgreSQL (a statement to bind, execute and, for a write, commit and flush to the WAL; a
 * server process to wake). The coalescer queues the calls of one turn and runs them, at
 * `setImmediate`, as statements of at most `max` items each, so a lone call waits no longer than
 * the rest of its turn and a burst shares its statements.
 *
 * `run` answers a batch with one result per item, in order (a value, or a promise of one: an item
 * that needs a statement of its own settles on its own). A batch that throws fails each of its
 * calls with that error, as each would have failed alone on a broken connection.
 */

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export interface CoalescerOptions<I, O> {
  /** the items of one batch, each answered in order */
  run: (items: I[]) => Promise<(O | Promise<O>)[]>;
  /** items in one statement at most */
  max: number;
  /**
   * a key no two items of one statement may share (a row two items of one UPDATE would both
   * change): a later item with a key already in the statement goes into another statement
   */
  distinctBy?: (item: I) => string;
}

export class Coalescer<I, O> {
  readonly #o: CoalescerOptions<I, O>;
  #queue: Pending<I, O>[] = [];
  #scheduled = false;
  /** statements run and items answered, since the coalescer was made */
  readonly stats = { statements: 0, items: 0 };

  constructor(o: CoalescerOptions<I, O>) {
    if (!Number.isInteger(o.max) || o.max < 1) throw new RangeError(`Parameter 'max' must be a positive integer, got ${o.max}`);
    this.#o = o;
  }

  call(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    for (const batch of this.#split(queue)) void this.#run(batch);
  }

  /** Batches of at most `max` items, none with two items of one key. */
  #split(queue: Pending<I, O>[]): Pending<I, O>[][] {
    const { max, distinctBy } = this.#o;
    const batches: { items: Pending<I, O>[]; keys: Set<string> }[] = [];
    for (const p of queue) {
      const key = distinctBy?.(p.item);
      let b = batches.find((x) => x.items.length < max && (key === undefined || !x.keys.has(key)));
      if (!b) {
        b = { items: [], keys: new Set() };
        batches.push(b);
      }
      b.items.push(p);
      if (key !== undefined) b.keys.add(key);
    }
    return batches.map((b) => b.items);
  }

  async #run(batch: Pending<I, O>[]): Promise<void> {
    let out: (O | Promise<O>)[];
    try {
      out = await this.#o.run(batch.map((p) => p.item));
      if (out.length !== batch.length) throw new Error(`a batch of ${batch.length} was answered with ${out.length} results`);
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    this.stats.statements++;
    this.stats.items += batch.length;
    batch.forEach((p, i) => {
      Promise.resolve(out[i] as O | Promise<O>).then(p.resolve, p.reject);
    });
  }
}
