import type { Logger } from '../observability/logger.ts';
import { backoffMs } from '../core/backoff.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { InfluxSeries } from '../store/influxSeries.ts';
import type { QueuedBatch, SeriesQueue } from '../store/seriesQueue.ts';

export interface WriterOptions {
  /** Points per request (InfluxDB likes thousands). */
  readonly batchPoints: number;
  /** A partial batch waits at most this long. */
  readonly flushMs: number;
  readonly maxBackoffMs: number;
}

export type WriterState = 'connecting' | 'ok' | 'retrying' | 'stopped';

/**
 * Drains the on-disk queue into InfluxDB, one request at a time, in order.
 *
 * - 2xx: the batches are deleted from the queue.
 * - 400: InfluxDB wrote what it could ("partial write": points beyond the
 *   retention policy, a field type conflict); resending would never succeed, so
 *   the batches are deleted and the loss is counted and logged.
 * - 404 "database not found" (dropped by hand): the schema is created again.
 * - anything else (refused, timeout, 5xx, 401/403): the batches stay on disk and
 *   the writer retries with backoff. Ingest never waits for any of this.
 *
 * Points are idempotent (same series and time overwrite), so a batch resent
 * after a crash between InfluxDB's answer and the delete is harmless.
 */
export class InfluxWriter {
  private state: WriterState = 'connecting';
  private schemaReady = false;
  private stopped = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private backfillFrom: number | null = null;
  private lastResync = 0;
  pointsWritten = 0;
  lastWriteAt: number | null = null;
  lastError: string | null = null;
  lastErrorAt: number | null = null;

  constructor(
    private readonly queue: SeriesQueue,
    private readonly influx: InfluxSeries,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly retentionMs: number,
    // Retrying a LAN InfluxDB every ≤10 s costs one refused connection; waiting longer only delays the catch-up.
    private readonly options: WriterOptions = { batchPoints: 5000, flushMs: 1000, maxBackoffMs: 10_000 },
  ) {}

  get status(): WriterState {
    return this.state;
  }

  start(): void {
    this.loopDone ??= this.loop();
  }

  /** A full batch is waiting: write it now rather than at the next flush. */
  kick(): void {
    if (this.queue.backlog >= this.options.batchPoints) this.wake?.();
  }

  async stop(waitMs = 2000): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.loopDone) await Promise.race([this.loopDone, new Promise((r) => setTimeout(r, waitMs).unref())]);
    this.state = 'stopped';
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let lastFlush = 0;
    while (!this.stopped) {
      this.refreshGauges();
      try {
        if (!this.schemaReady) {
          try {
            await this.influx.ensureSchema();
            this.log.info('InfluxDB database and retention policies ready');
          } catch (err) {
            // A write-only user may not create databases: an administrator made them; write anyway.
            if (!/not authorized|privilege/i.test((err as Error).message)) throw err;
            this.log.warn({ err: (err as Error).message }, 'not allowed to create the InfluxDB database and retention policies (raw, hourly); writing into them as they are');
          }
          this.schemaReady = true;
        }
        const batches = this.queue.take(this.options.batchPoints);
        const points = batches.reduce((n, b) => n + b.points, 0);
        const waited = performance.now() - lastFlush;
        // Partial: everything queued fits in this request (batches are whole group commits, so a full take may hold a little under batchPoints).
        const partial = points < this.options.batchPoints && this.queue.backlog <= points;
        if (points === 0 || (partial && waited < this.options.flushMs)) {
          if (points === 0) await this.maintain();
          await this.sleep(points === 0 ? this.options.flushMs : this.options.flushMs - waited);
          continue;
        }
        lastFlush = performance.now();
        await this.send(batches, points);
        if (this.state !== 'ok') this.log.info({ backlog: this.queue.backlog }, 'InfluxDB writes resumed');
        this.state = 'ok';
        failures = 0;
      } catch (err) {
        const message = (err as Error).message;
        if (this.lastError !== message || this.state !== 'retrying') {
          this.log.warn({ err: message, backlog: this.queue.backlog }, 'InfluxDB unreachable or refusing writes; points wait on disk');
        }
        this.lastError = message;
        this.lastErrorAt = this.now();
        this.state = 'retrying';
        this.metrics.seriesWriteErrors.inc({ reason: errorReason(message) });
        await this.sleep(backoffMs(++failures, { firstMs: 500, maxMs: this.options.maxBackoffMs, random: Math.random }));
      }
    }
  }

  private async send(batches: readonly QueuedBatch[], points: number): Promise<void> {
    const answer = await this.influx.write(batches.map((b) => b.lines).join('\n'));
    if (answer.status === 404 && answer.body.includes('database not found')) {
      this.schemaReady = false;
      throw new Error(`InfluxDB 404: ${answer.body.trim()}`);
    }
    if (answer.status === 400) {
      // What InfluxDB could write it wrote; the rest will never be accepted.
      const dropped = Number(/dropped=(\d+)/.exec(answer.body)?.[1] ?? points);
      this.metrics.seriesPointsDropped.inc(dropped);
      this.lastError = `InfluxDB 400: ${answer.body.trim()}`;
      this.lastErrorAt = this.now();
      this.log.error({ dropped, answer: answer.body.trim().slice(0, 500) }, 'InfluxDB refused points for good (400); the rest of the batch was written');
    } else if (answer.status < 200 || answer.status >= 300) {
      throw new Error(`InfluxDB ${answer.status}: ${answer.body.trim().slice(0, 300)}`);
    }
    this.queue.remove(batches);
    this.pointsWritten += points;
    this.metrics.seriesPointsWritten.inc(points);
    this.lastWriteAt = this.now();
    // Late points (older than the continuous query's 2-hour window) need their hours recounted.
    const lateBefore = Math.floor(this.now() / 3_600_000) * 3_600_000 - 3_600_000;
    const oldest = Math.max(Math.min(...batches.map((b) => b.minTs)), this.now() - this.retentionMs);
    if (oldest < lateBefore) this.backfillFrom = Math.min(this.backfillFrom ?? Infinity, Math.floor(oldest / 3_600_000) * 3_600_000);
  }

  /** Idle housekeeping: recount the hourly rollup after an outage, resync the backlog counter. */
  private async maintain(): Promise<void> {
    if (this.backfillFrom !== null) {
      const from = this.backfillFrom;
      const to = Math.floor(this.now() / 3_600_000) * 3_600_000 + 3_600_000;
      await this.influx.backfill(from, to);
      this.backfillFrom = null;
      this.log.info({ from: new Date(from).toISOString() }, 'InfluxDB hourly rollup recounted after late points');
    }
    if (performance.now() - this.lastResync > 60_000) {
      this.queue.resync();
      this.lastResync = performance.now();
    }
  }

  private refreshGauges(): void {
    this.metrics.seriesBacklog.set(this.queue.backlog);
    const oldest = this.queue.oldest;
    this.metrics.seriesBacklogAge.set(oldest === null ? 0 : Math.max(0, (this.now() - oldest) / 1000));
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}

function errorReason(message: string): string {
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|socket|other side closed/i.test(message)) return 'unreachable';
  if (/timeout/i.test(message)) return 'timeout';
  const status = /InfluxDB (\d{3})/.exec(message)?.[1];
  return status ? `http_${status}` : 'error';
}
