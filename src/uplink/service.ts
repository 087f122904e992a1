import type { Db } from '../store/database.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { IncidentChange } from '../core/incidents/engine.ts';
import type { Hit } from '../core/incidents/rule.ts';
import { Outbox } from '../store/outbox.ts';
import { SinkWorker, type WorkerState } from './worker.ts';
import type { Sink } from './sinks/sink.ts';
import { hazardMessage, incidentMessages, type HazardChangeLike, type UplinkMessage } from './messages.ts';
import { AnchorSchedule, type ChainHead } from './auditAnchor.ts';

export interface UplinkOptions {
  readonly heartbeatEveryMs: number;
  readonly maxOutbox: number;
  readonly now: () => number;
  readonly random?: () => number;
  readonly probeMs?: number;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** What the heartbeat says about the campus right now. */
  readonly heartbeat: () => Readonly<Record<string, unknown>>;
  /** Tell the guard room (an incident) — the uplink is rejected, or the outbox is nearly full. */
  readonly raise: (hit: Hit) => void;
  /** The audit chain's newest row; when given, its head goes up as `audit.anchor` at every change. */
  readonly auditHead?: (() => ChainHead | undefined) | undefined;
  /** Shortest pause between two anchors (ms): a burst of audit rows is one anchor. */
  readonly anchorEveryMs?: number | undefined;
}

export interface SinkStatus {
  readonly sink: string;
  readonly state: WorkerState;
  readonly depth: number;
  readonly oldestUndeliveredAgeMs: number | null;
  readonly lastSuccessAt: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly parked: { readonly seq: number; readonly status: number; readonly reason: string; readonly at: number } | null;
  /** When it tries again by itself: the end of a backoff pause, or a parked sink's next probe (null while idle or sending). */
  readonly nextAttemptAt: number | null;
}

/**
 * Everything upstream: messages are appended to the outbox inside the
 * transaction of the change that causes them; one worker per sink delivers
 * them. No sink can block another, and the alarm path never waits for any.
 */
export class UplinkService {
  readonly outbox: Outbox;
  private readonly workers: SinkWorker[];
  private timers: NodeJS.Timeout[] = [];
  private nearCapRaised = false;
  private readonly anchors: AnchorSchedule;

  constructor(
    private readonly db: Db,
    sinks: readonly Sink[],
    private readonly options: UplinkOptions,
  ) {
    this.outbox = new Outbox(db);
    this.anchors = new AnchorSchedule(options.anchorEveryMs ?? 5000);
    const random = options.random ?? Math.random;
    this.workers = sinks.map(
      (sink) =>
        new SinkWorker(sink, this.outbox, {
          now: options.now,
          random,
          probeMs: options.probeMs ?? 60_000,
          log: options.log,
          metrics: options.metrics,
          onParked: (s, status, error) =>
            options.raise({
              kind: 'uplink_rejected',
              severity: 'high',
              zoneId: 'campus',
              title: s.parkAdvice(status),
              data: { sink: s.id, status, error },
            }),
          onResumed: () => undefined,
        }),
    );
    options.metrics.outboxCap.set(options.maxOutbox);
  }

  get enabled(): boolean {
    return this.workers.length > 0;
  }

  start(): void {
    if (!this.enabled) return;
    this.outbox.open(this.workers.map((w) => w.sink.id));
    for (const w of this.workers) w.start();
    const housekeeping = setInterval(() => this.housekeeping(), 10_000);
    housekeeping.unref();
    this.timers.push(housekeeping);
    this.housekeeping();
    this.anchorAudit(this.options.now(), true); // rows written before a stop or crash
    this.tick(this.options.now());
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.enabled) this.anchorAudit(this.options.now(), true); // queued now, sent at the next start
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  /** Inside the incident transaction: queue what the county must hear. */
  recordIncidents(changes: readonly IncidentChange[]): void {
    if (!this.enabled) return;
    this.append(incidentMessages(changes));
  }

  /** Inside the hazard transaction. */
  recordHazard(change: HazardChangeLike): void {
    if (!this.enabled) return;
    this.append([hazardMessage(change)]);
  }

  private append(messages: readonly UplinkMessage[]): void {
    const now = this.options.now();
    for (const m of messages) this.outbox.append(m.type, m.payload, now, m.urgent, m.zoneId);
  }

  /** After the commit: new messages are waiting. */
  wake(urgent: boolean): void {
    for (const w of this.workers) w.wake(urgent);
  }

  private lastHeartbeat = -Infinity;

  /** Time passing (the hub's supervision tick, so a test clock drives it): a heartbeat every heartbeatEvery. */
  tick(now: number): void {
    if (!this.enabled) return;
    this.anchorAudit(now);
    if (now - this.lastHeartbeat < this.options.heartbeatEveryMs) return;
    this.lastHeartbeat = now;
    this.heartbeat();
  }

  /** Queue a campus heartbeat now. */
  heartbeat(): void {
    if (!this.enabled) return;
    const now = this.options.now();
    const depth = Math.max(0, ...this.workers.map((w) => this.outbox.depth(w.sink.id, now).depth));
    this.db.transaction(() => this.outbox.append('campus.heartbeat', { ...this.options.heartbeat(), outboxDepth: depth }, now, false))();
    this.wake(false);
  }

  /** Queue the audit chain's head for the county if it changed (and the pause is over, unless forced). */
  private anchorAudit(now: number, force = false): void {
    if (!this.options.auditHead) return;
    try {
      const anchor = this.anchors.due(this.options.auditHead(), now, force);
      if (!anchor) return;
      this.db.transaction(() => this.outbox.append('audit.anchor', anchor, now, false))();
      this.anchors.queued(anchor, now);
      this.wake(false);
    } catch (err) {
      this.options.log.error({ err }, 'cannot queue the audit chain head for the county');
    }
  }

  /** Someone fixed the cause of a parked sink: try again now. */
  resume(sinkId: string): boolean {
    const w = this.workers.find((x) => x.sink.id === sinkId);
    if (!w) return false;
    w.resume();
    return true;
  }

  /** What the guard room sees first: the county sink (or, without one, the deepest sink). */
  summary(): { enabled: boolean; depth: number; lastDeliveryAt: number | null; lastError: string | null; sinks: SinkStatus[] } {
    const sinks = this.status();
    const main = sinks.find((s) => s.sink === 'county') ?? [...sinks].sort((a, b) => b.depth - a.depth)[0];
    return { enabled: this.enabled, depth: main?.depth ?? 0, lastDeliveryAt: main?.lastSuccessAt ?? null, lastError: main?.lastError ?? null, sinks };
  }

  /**
   * One line per parked sink, for /healthz: what to fix (never the URL or secret —
   * a WeCom key is in its URL). The receiver's own words are kept short.
   */
  warnings(): string[] {
    const out: string[] = [];
    for (const w of this.workers) {
      const parked = this.outbox.record(w.sink.id).parked;
      if (parked) out.push(`uplink: ${w.sink.parkAdvice(parked.status)} (${parked.reason.slice(0, 120)})`);
    }
    return out;
  }

  status(): SinkStatus[] {
    const now = this.options.now();
    return this.workers.map((w) => {
      const record = this.outbox.record(w.sink.id);
      const depth = this.outbox.depth(w.sink.id, now);
      return {
        sink: w.sink.id,
        state: w.state,
        depth: depth.depth,
        oldestUndeliveredAgeMs: depth.oldestAgeMs,
        lastSuccessAt: record.lastSuccessAt ?? null,
        lastError: record.lastError ?? null,
        lastErrorAt: record.lastErrorAt ?? null,
        parked: record.parked ?? null,
        nextAttemptAt: w.nextAttemptAt ?? null,
      };
    });
  }

  /** Prune delivered rows, refresh gauges, raise the alarm when the outbox nears its cap. */
  private housekeeping(): void {
    try {
      this.outbox.prune();
      const { metrics } = this.options;
      let worst = 0;
      for (const s of this.status()) {
        metrics.uplinkDepth.set({ sink: s.sink }, s.depth);
        metrics.uplinkOldestAge.set({ sink: s.sink }, (s.oldestUndeliveredAgeMs ?? 0) / 1000);
        worst = Math.max(worst, s.depth);
      }
      const rows = this.outbox.size();
      metrics.outboxRows.set(rows);
      if (rows >= this.options.maxOutbox * 0.9 && !this.nearCapRaised) {
        this.nearCapRaised = true;
        this.options.log.error({ rows, cap: this.options.maxOutbox }, 'outbox is nearly full: the county platform has not taken messages for a long time');
        this.options.raise({
          kind: 'outbox_near_cap',
          severity: 'high',
          zoneId: 'campus',
          title: `Uplink outbox at ${rows} of ${this.options.maxOutbox} messages — the county platform is not receiving; nothing is dropped, but check the link`,
          data: { rows, cap: this.options.maxOutbox, worstSinkDepth: worst },
        });
      } else if (rows < this.options.maxOutbox * 0.8) {
        this.nearCapRaised = false;
      }
    } catch (err) {
      this.options.log.error({ err }, 'uplink housekeeping failed');
    }
  }
}
