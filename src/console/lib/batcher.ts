/**
 * Collects items (live-feed messages) and hands them over in one batch per
 * scheduled flush — one per animation frame in a visible page — so a burst of
 * 100 events/s costs one render per frame, not one per message.
 */
export interface Batcher<T> {
  push(item: T): void;
  /** Hand over what is pending now (e.g. before a re-sync replaces state). */
  flush(): void;
  /** Drop what is pending and stop scheduling. */
  cancel(): void;
  readonly pending: number;
}

export type Scheduler = (run: () => void) => () => void;

export function createBatcher<T>(deliver: (items: T[]) => void, schedule: Scheduler): Batcher<T> {
  let items: T[] = [];
  let cancelScheduled: (() => void) | undefined;
  const flush = (): void => {
    cancelScheduled?.();
    cancelScheduled = undefined;
    if (items.length === 0) return;
    const batch = items;
    items = [];
    deliver(batch);
  };
  return {
    push(item) {
      items.push(item);
      cancelScheduled ??= schedule(flush);
    },
    flush,
    cancel() {
      cancelScheduled?.();
      cancelScheduled = undefined;
      items = [];
    },
    get pending() {
      return items.length;
    },
  };
}
