/**
 * Group commit: queued items are written in one SQLite transaction, then every
 * waiter is answered.
 *
 * Routine items wait up to `windowMs` for company (default 2 ms): at a few
 * thousand events a second, one commit per event-loop turn meant one or two
 * events per transaction, and the fixed cost of a commit (WAL frames for every
 * touched page of the table and its indexes) kept the hub busy enough to delay
 * everything else. An urgent item (a panic, a forced door, a tamper) never waits
 * for a window: it commits on the very next turn, taking whatever is queued with
 * it. Under full load batches fill to `maxBatch` and commit without waiting.
 */
export type Done = (err: Error | null) => void;

/**
 * Routine items waiting beyond this are refused at once (their waiter gets an
 * error: a QoS 1 device is not acknowledged and sends again later, a QoS 0 one
 * is lost): however fast devices publish, the queue's memory is bounded. Urgent
 * items are always taken. ~3 s of commit work at the measured cost per event.
 */
export const MAX_QUEUED_ITEMS = 100_000;

export class QueueFullError extends Error {
  constructor(queued: number) {
    super(`the commit queue is full (${queued} events waiting); send again later`);
    this.name = 'QueueFullError';
  }
}

interface Entry<I> {
  readonly items: readonly I[];
  readonly done: Done;
  readonly enqueuedAt: number;
  readonly urgent: boolean;
}

export interface GroupCommitOptions<I> {
  /**
   * Writes the items in one transaction; returns work to run once it is committed
   * (telling the guard room): after the waiters are answered, or before them when
   * the batch holds an urgent item — then the alarm goes out before the batch's
   * PUBACKs. Throws to fail the batch.
   */
  readonly commit: (items: readonly I[]) => (() => void) | void;
  readonly maxBatch?: number;
  /** How long a routine item may wait for others to share its commit; 0 = commit on the next turn. */
  readonly windowMs?: number;
  readonly observe?: (batchSize: number, waitSeconds: readonly number[]) => void;
  /** The batch failed: none of its waiters is acknowledged (each `done` gets the error). */
  readonly onFailure?: (err: Error, items: readonly I[]) => void;
  /** A batch committed (after a failure, this is the recovery). */
  readonly onSuccess?: () => void;
  /** Routine items waiting beyond which more are refused (default MAX_QUEUED_ITEMS). */
  readonly maxQueued?: number;
}

export class GroupCommit<I> {
  private queue: Entry<I>[] = [];
  private queuedItems = 0;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly maxBatch: number;
  private readonly windowMs: number;
  private readonly maxQueued: number;
  private refusedItems = 0;

  constructor(private readonly options: GroupCommitOptions<I>) {
    this.maxBatch = options.maxBatch ?? 2000;
    this.windowMs = options.windowMs ?? 2;
    this.maxQueued = options.maxQueued ?? MAX_QUEUED_ITEMS;
  }

  /** Routine items refused because the queue was full, since start. */
  get refused(): number {
    return this.refusedItems;
  }

  get pending(): number {
    return this.queuedItems;
  }

  /** `urgent`: commit on the next turn, whatever the window. */
  enqueue(items: readonly I[], done: Done, urgent = false): void {
    if (!urgent && this.queuedItems + items.length > this.maxQueued) {
      this.refusedItems += items.length;
      done(new QueueFullError(this.queuedItems));
      return;
    }
    this.queue.push({ items, done, enqueuedAt: performance.now(), urgent });
    this.queuedItems += items.length;
    if (this.immediate) return;
    if (urgent || this.windowMs <= 0 || this.queuedItems >= this.maxBatch) {
      this.immediate = setImmediate(() => this.flush());
    } else {
      this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    }
  }

  /** Commit everything queued now (also used at shutdown). */
  flush(): void {
    if (this.immediate) clearImmediate(this.immediate);
    if (this.timer) clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
    while (this.queue.length > 0) {
      const batch: Entry<I>[] = [];
      const items: I[] = [];
      while (this.queue.length > 0 && (items.length === 0 || items.length + this.queue[0]!.items.length <= this.maxBatch)) {
        const entry = this.queue.shift()!;
        batch.push(entry);
        for (const item of entry.items) items.push(item);
      }
      this.queuedItems -= items.length;
      let after: (() => void) | void;
      try {
        after = this.options.commit(items);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        this.options.onFailure?.(error, items);
        for (const entry of batch) entry.done(error);
        continue;
      }
      this.options.onSuccess?.();
      const now = performance.now();
      this.options.observe?.(
        items.length,
        batch.map((e) => (now - e.enqueuedAt) / 1000),
      );
      if (batch.some((e) => e.urgent)) {
        after?.();
        for (const entry of batch) entry.done(null);
      } else {
        for (const entry of batch) entry.done(null);
        after?.();
      }
    }
  }
}
