import type { Db } from '../store/database.ts';
import type { EventStore } from '../store/events.ts';
import type { GatehouseEvent } from '../core/event.ts';
import type { IncidentChange } from '../core/incidents/engine.ts';
import type { IncidentService } from '../services/incidents.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Logger } from '../observability/logger.ts';
import type { Clock } from '../core/clock.ts';
import { GroupCommit, type Done } from './groupCommit.ts';
import { isUrgentKind } from '../core/incidents/registry.ts';

export interface RecordItem {
  readonly event: GatehouseEvent;
  /** The device's own timestamp, if it sent one (part of the duplicate key). */
  readonly deviceTs?: number | undefined;
}

export type StoredListener = (events: readonly GatehouseEvent[]) => void;

/** Commits are failing (a full disk, a broken file): since when, the last error, and what urgent was lost. */
export interface StorageFault {
  readonly since: number;
  readonly message: string;
  /**
   * Urgent events (a panic, a forced door) that arrived while failing and could not
   * be stored, newest first, one per device and kind: the guard room must see them
   * even though no incident could be opened. The devices resend them; once a commit
   * succeeds they are stored and open their incidents as usual.
   */
  readonly unsaved: readonly UnsavedEvent[];
}

export interface UnsavedEvent {
  readonly deviceId: string;
  readonly zoneId: string;
  readonly kind: string;
  readonly receivedAt: number;
}

/** The most unsaved urgent events a fault lists (newest kept). */
const MAX_UNSAVED = 50;

/** The unsaved list after `events` also failed: newest first, one per device and kind, at most `max`. */
export function mergeUnsaved(previous: readonly UnsavedEvent[], events: readonly GatehouseEvent[], max = MAX_UNSAVED): UnsavedEvent[] {
  const byKey = new Map<string, UnsavedEvent>();
  // Oldest first into the map, so that re-inserting a key moves it to the newest end.
  for (const u of [...previous].reverse()) byKey.set(`${u.deviceId}\u0000${u.kind}`, u);
  for (const e of events) {
    const key = `${e.deviceId}\u0000${e.kind}`;
    byKey.delete(key);
    byKey.set(key, { deviceId: e.deviceId, zoneId: e.zoneId, kind: e.kind, receivedAt: e.receivedAt });
  }
  return [...byKey.values()].reverse().slice(0, max);
}

/**
 * The one write path for events: store them and run the incident rules in the
 * same transaction, answer the waiters (PUBACK), then tell the live feed.
 */
export class Recorder {
  private readonly queue: GroupCommit<RecordItem>;
  private readonly storedListeners = new Set<StoredListener>();
  private readonly inTransaction: StoredListener[] = [];
  private fault: StorageFault | undefined;
  private readonly faultListeners = new Set<(fault: StorageFault | undefined) => void>();

  constructor(
    private readonly db: Db,
    private readonly events: EventStore,
    private readonly incidents: IncidentService,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    log: Logger,
    /** How long a routine event may wait to share a commit (urgent ones never wait). */
    commitWindowMs?: number,
  ) {
    this.queue = new GroupCommit<RecordItem>({
      commit: (items) => this.commit(items),
      ...(commitWindowMs !== undefined ? { windowMs: commitWindowMs } : {}),
      observe: (size, waits) => {
        metrics.commitBatchSize.observe(size);
        for (const w of waits) metrics.commitSeconds.observe(w);
      },
      onFailure: (err, items) => {
        metrics.commitFailures.inc();
        const urgent = items.filter((item) => isUrgentKind(item.event.kind)).map((item) => item.event);
        const first = this.fault === undefined;
        this.fault = { since: this.fault?.since ?? clock.now(), message: err.message, unsaved: mergeUnsaved(this.fault?.unsaved ?? [], urgent) };
        if (first || urgent.length > 0) for (const listener of this.faultListeners) listener(this.fault);
        // Name what a guard must know was not stored; the devices resend unacknowledged events.
        const names = urgent.map((e) => `${e.kind} from ${e.deviceId}`);
        log.error(
          { err, batchSize: items.length, urgent: names },
          `group commit of ${items.length} events failed (${err.message}); none was acknowledged and devices will resend them${names.length ? `; urgent among them: ${names.join(', ')}` : ''}`,
        );
      },
      onSuccess: () => {
        if (!this.fault) return;
        log.warn({ failingSince: new Date(this.fault.since).toISOString() }, `storage commits again after failing since ${new Date(this.fault.since).toISOString()} (${this.fault.message})`);
        this.fault = undefined;
        for (const listener of this.faultListeners) listener(undefined);
      },
    });
  }

  /** `done` runs once every item is committed (or the batch failed). */
  record(items: readonly RecordItem[], done: Done): void {
    this.queue.enqueue(items, done, items.some((item) => isUrgentKind(item.event.kind)));
  }

  /**
   * Runs inside the group-commit transaction with the events it stored (time-series
   * rollups, the InfluxDB queue): they commit together with the events or not at all.
   */
  withinTransaction(listener: StoredListener): void {
    this.inTransaction.push(listener);
  }

  onStored(listener: StoredListener): () => void {
    this.storedListeners.add(listener);
    return () => this.storedListeners.delete(listener);
  }

  /** Set while the last commit failed; cleared by the next one that succeeds. */
  get storageFault(): StorageFault | undefined {
    return this.fault;
  }

  /** Told when commits start failing, when an urgent event could not be stored, and when they work again. */
  onFaultChange(listener: (fault: StorageFault | undefined) => void): () => void {
    this.faultListeners.add(listener);
    return () => this.faultListeners.delete(listener);
  }

  get pending(): number {
    return this.queue.pending;
  }

  /** Commit what is queued now (shutdown). */
  flush(): void {
    this.queue.flush();
  }

  private commit(items: readonly RecordItem[]): () => void {
    const before = this.incidents.snapshot();
    const stored: GatehouseEvent[] = [];
    const changes: IncidentChange[] = [];
    let duplicates = 0;
    const now = this.clock.now();
    try {
      this.db.transaction(() => {
        for (const item of items) {
          if (this.events.insert(item.event, item.deviceTs)) {
            stored.push(item.event);
            for (const c of this.incidents.applyEvent(item.event, now)) changes.push(c);
          } else duplicates++;
        }
        for (const listener of this.inTransaction) listener(stored);
      })();
    } catch (err) {
      this.incidents.restore(before);
      throw err;
    }
    if (duplicates > 0) this.metrics.eventsDuplicate.inc(duplicates);
    // One counter update per kind per batch, not per event.
    const byKind = new Map<string, number>();
    for (const e of stored) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
    for (const [kind, n] of byKind) this.metrics.eventsAccepted.inc({ kind }, n);
    return () => {
      // Incidents first: the guard room must hear of a panic before anything else.
      this.incidents.publish(changes);
      for (const listener of this.storedListeners) listener(stored);
    };
  }
}
