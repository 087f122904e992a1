import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { clampRetryMs } from './backoff.ts';
import { backoffMs } from '../core/backoff.ts';
import type { Outbox, OutboxRow } from '../store/outbox.ts';
import type { Sink } from './sinks/sink.ts';

export type WorkerState = 'idle' | 'sending' | 'backoff' | 'parked' | 'stopped';

export interface WorkerOptions {
  readonly now: () => number;
  readonly random: () => number;
  /** While parked, retry the parked message this often (ms) in case it was fixed. */
  readonly probeMs: number;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly onParked: (sink: Sink, status: number, error: string, row: OutboxRow) => void;
  readonly onResumed: (sink: Sink) => void;
}

/**
 * Delivers one sink's messages from the outbox: one in flight, urgent first,
 * then in seq order. Retries with backoff; parks on a rejection that retrying
 * will not fix, and resumes by itself once the receiver accepts again.
 */
export class SinkWorker {
  private running = false;
  private done: Promise<void> = Promise.resolve();
  private wakeup: ((urgent: boolean) => void) | undefined;
  private attempt = 0;
  private parked: { seq: number; status: number } | undefined;
  private pausedUntil: number | undefined;
  private abort = new AbortController();
  state: WorkerState = 'stopped';

  constructor(
    readonly sink: Sink,
    private readonly outbox: Outbox,
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    const record = this.outbox.record(this.sink.id);
    if (record.parked) this.parked = { seq: record.parked.seq, status: record.parked.status };
    this.running = true;
    this.done = this.loop().catch((err: unknown) => {
      this.options.log.error({ err, sink: this.sink.id }, 'uplink worker stopped on an unexpected error');
      this.state = 'stopped';
    });
  }

  /** New messages are waiting. An urgent one also cuts short a backoff pause. */
  wake(urgent: boolean): void {
    if (this.state === 'idle' || (urgent && this.state === 'backoff')) this.wakeup?.(urgent);
  }

  /** Someone says the cause is fixed: try the parked message now. */
  resume(): void {
    if (this.state === 'parked') this.wakeup?.(true);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.wakeup?.(false);
    await this.done;
    this.state = 'stopped';
    await this.sink.close();
  }

  /** When the worker will try again by itself (a backoff pause, a parked sink's probe); undefined while it waits for work or sends. */
  get nextAttemptAt(): number | undefined {
    return this.pausedUntil;
  }

  private sleep(ms: number | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      // setTimeout fires at once beyond 2^31 - 1 ms: never hand it more.
      const timer = ms === undefined ? undefined : setTimeout(() => finish(false), Math.min(ms, 2 ** 31 - 1));
      this.pausedUntil = ms === undefined ? undefined : this.options.now() + ms;
      const finish = (woken: boolean): void => {
        if (timer) clearTimeout(timer);
        this.wakeup = undefined;
        this.pausedUntil = undefined;
        resolve(woken);
      };
      this.wakeup = finish;
    });
  }

  private async loop(): Promise<void> {
    const { log, metrics } = this.options;
    while (this.running) {
      if (this.parked) {
        this.state = 'parked';
        await this.sleep(this.options.probeMs);
        if (!this.running) break;
      }
      const rows = this.outbox.next(this.sink.id);
      const skipped: number[] = [];
      let row: OutboxRow | undefined;
      for (const r of rows) {
        if (this.sink.accepts(r)) {
          row = r;
          break;
        }
        skipped.push(r.seq);
      }
      if (skipped.length > 0) this.outbox.delivered(this.sink.id, skipped, this.options.now(), false);
      if (!row) {
        if (skipped.length > 0) continue;
        this.state = 'idle';
        await this.sleep(undefined);
        continue;
      }
      this.state = 'sending';
      const outcome = await this.sink.send(row, this.abort.signal);
      if (!this.running) break;
      const now = this.options.now();
      if (outcome.ok) {
        this.outbox.delivered(this.sink.id, [row.seq], now, true);
        metrics.uplinkDelivered.inc({ sink: this.sink.id });
        this.attempt = 0;
        if (this.parked) {
          this.parked = undefined;
          this.outbox.unpark(this.sink.id);
          metrics.uplinkParked.set({ sink: this.sink.id }, 0);
          log.warn({ sink: this.sink.id }, `${this.sink.id} accepts our messages again; delivery resumed`);
          this.options.onResumed(this.sink);
        }
      } else if (outcome.retry) {
        this.attempt++;
        metrics.uplinkFailures.inc({ sink: this.sink.id, outcome: 'retry' });
        this.outbox.failed(this.sink.id, outcome.error, now);
        // A receiver's Retry-After is honoured within [1 s, 1 h] (a sink may hand over any number).
        const wait = outcome.retryAfterMs !== undefined ? clampRetryMs(outcome.retryAfterMs) : backoffMs(this.attempt, { firstMs: 1000, maxMs: 60_000, random: this.options.random });
        if (this.attempt === 1 || this.attempt % 10 === 0) {
          log.warn({ sink: this.sink.id, seq: row.seq, attempt: this.attempt, error: outcome.error, retryInMs: wait }, `${this.sink.id}: delivery failed (${outcome.error}); retrying`);
        }
        this.state = 'backoff';
        await this.sleep(wait);
      } else {
        metrics.uplinkFailures.inc({ sink: this.sink.id, outcome: 'park' });
        const wasParked = this.parked !== undefined;
        this.parked = { seq: row.seq, status: outcome.status };
        this.outbox.park(this.sink.id, row.seq, outcome.status, outcome.error, now);
        metrics.uplinkParked.set({ sink: this.sink.id }, 1);
        if (!wasParked) {
          log.error({ sink: this.sink.id, seq: row.seq, status: outcome.status, error: outcome.error }, `${this.sink.id}: ${this.sink.parkAdvice(outcome.status)}`);
          this.options.onParked(this.sink, outcome.status, outcome.error, row);
        }
      }
    }
  }
}
