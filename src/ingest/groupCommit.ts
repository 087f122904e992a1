/**
 * Group commit: everything queued while the event loop was busy is written in
 * one SQLite transaction on the next turn (setImmediate), then every waiter is
 * answered. No timer window: a lone panic commits on the very next turn, and
 * under load batches grow by themselves.
 */
export type Done = (err: Error | null) => void;

interface Entry<I> {
  readonly items: readonly I[];
  readonly done: Done;
  readonly enqueuedAt: number;
}

export interface GroupCommitOptions<I> {
  /** Writes the items in one transaction; returns work to run after the waiters are answered. Throws to fail the batch. */
  readonly commit: (items: readonly I[]) => (() => void) | void;
  readonly maxBatch?: number;
  readonly observe?: (batchSize: number, waitSeconds: readonly number[]) => void;
  readonly onFailure?: (err: Error, batchSize: number) => void;
}

export class GroupCommit<I> {
  private queue: Entry<I>[] = [];
  private queuedItems = 0;
  private scheduled = false;
  private readonly maxBatch: number;

  constructor(private readonly options: GroupCommitOptions<I>) {
    this.maxBatch = options.maxBatch ?? 2000;
  }

  get pending(): number {
    return this.queuedItems;
  }

  enqueue(items: readonly I[], done: Done): void {
    this.queue.push({ items, done, enqueuedAt: performance.now() });
    this.queuedItems += items.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Commit everything queued now (also used at shutdown). */
  flush(): void {
    this.scheduled = false;
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
        this.options.onFailure?.(error, items.length);
        for (const entry of batch) entry.done(error);
        continue;
      }
      const now = performance.now();
      this.options.observe?.(
        items.length,
        batch.map((e) => (now - e.enqueuedAt) / 1000),
      );
      for (const entry of batch) entry.done(null);
      after?.();
    }
  }
}
