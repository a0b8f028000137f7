/**
 * Group commit in the application: writes that arrive while earlier ones are being written go to
 * PostgreSQL together, in one statement and one transaction (one round trip, one WAL flush), and
 * each caller gets its own result only after that statement has committed. Under load this turns
 * many small round trips into a few larger ones; alone, a write goes out on the next turn of the
 * event loop.
 *
 * When a group fails (a conflict, a row the database refuses, a deadlock with another process), each
 * of its writes is tried again alone, so one caller's bad write never fails another's.
 */
export interface GroupCommitOptions<T> {
  /** Groups written at once, each on its own connection. */
  readonly inFlight: number;
  /** Most weight in one group; a single write heavier than this still goes, alone. */
  readonly maxWeight: number;
  /** A write's weight (rows it holds); 1 by default. */
  readonly weight?: (write: T) => number;
  /** Writes with the same key are never in flight together: the later one waits for the next group. */
  readonly key?: (write: T) => string;
}

export interface GroupCommitStats {
  groups: number;
  writes: number;
  /** Writes of a failed group that were then written alone. */
  retriedAlone: number;
}

interface Queued<T, R> {
  readonly write: T;
  readonly key: string | undefined;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class GroupCommit<T, R> {
  readonly stats: GroupCommitStats = { groups: 0, writes: 0, retriedAlone: 0 };
  #queue: Queued<T, R>[] = [];
  readonly #busyKeys = new Set<string>();
  #inFlight = 0;
  #scheduled = false;

  /** `writeGroup` writes the group in one statement and returns one result per write, in order. */
  constructor(
    private readonly writeGroup: (writes: readonly T[]) => Promise<readonly R[]>,
    private readonly options: GroupCommitOptions<T>,
  ) {}

  /** Resolves with the write's result once the group holding it has committed. */
  submit(write: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ write, key: this.options.key?.(write), resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0 || this.#inFlight >= this.options.inFlight) return;
    this.#scheduled = true;
    // After the current I/O callbacks, so that requests read in the same turn go in one group.
    setImmediate(() => {
      this.#scheduled = false;
      while (this.#inFlight < this.options.inFlight) {
        const group = this.#take();
        if (group.length === 0) return;
        this.#inFlight += 1;
        void this.#write(group).finally(() => {
          for (const queued of group) if (queued.key !== undefined) this.#busyKeys.delete(queued.key);
          this.#inFlight -= 1;
          this.#schedule();
        });
      }
    });
  }

  #take(): Queued<T, R>[] {
    const weight = this.options.weight ?? (() => 1);
    const group: Queued<T, R>[] = [];
    const waiting: Queued<T, R>[] = [];
    let total = 0;
    let full = false;
    for (const queued of this.#queue) {
      const w = weight(queued.write);
      // First come, first written: once a write does not fit, the ones after it wait too.
      full ||= group.length > 0 && total + w > this.options.maxWeight;
      if (!full && (queued.key === undefined || !this.#busyKeys.has(queued.key))) {
        if (queued.key !== undefined) this.#busyKeys.add(queued.key);
        group.push(queued);
        total += w;
      } else {
        waiting.push(queued);
      }
    }
    this.#queue = waiting;
    return group;
  }

  async #write(group: Queued<T, R>[]): Promise<void> {
    this.stats.groups += 1;
    this.stats.writes += group.length;
    let results: readonly R[];
    try {
      results = await this.writeGroup(group.map((queued) => queued.write));
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      this.stats.retriedAlone += group.length;
      await Promise.all(group.map((queued) => this.writeGroup([queued.write]).then((alone) => queued.resolve(alone[0]!), queued.reject)));
      return;
    }
    group.forEach((queued, i) => queued.resolve(results[i]!));
  }
}
