import type { GatehouseConfig } from '../config/types.ts';
import type { DeviceHealth } from '../core/device.ts';
import type { GatehouseEvent } from '../core/event.ts';
import type { IncidentChange } from '../core/incidents/engine.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Db } from '../store/database.ts';
import type { InfluxSeries } from '../store/influxSeries.ts';
import { SeriesQueue } from '../store/seriesQueue.ts';
import { SqliteSeries } from '../store/seriesSqlite.ts';
import { fillBuckets, planBuckets } from './buckets.ts';
import { InfluxSink } from './influxSink.ts';
import { InfluxWriter } from './influxWriter.ts';
import type { HealthSample, SeriesReader, SeriesSink, SeriesStatus } from './types.ts';

/** Health reports held in memory between flushes; beyond this the oldest are dropped (and counted). */
const MAX_HEALTH_BUFFER = 10_000;

/**
 * Time series: one interface, the backend chosen by `series.backend`.
 * The composition root hooks `inTransaction` into the recorder, `afterCommit`
 * after it, `recordIncidents` into the incident transaction and `recordHealth`
 * into device status reports.
 */
export class SeriesService {
  /** The InfluxDB client for this config, or undefined; the influx library (~15 MiB resident) is loaded only when used. */
  /**
   * Event counts per bucket over a range, zero-filled: the range widened to whole
   * buckets (`1d` starting at local midnight in `timeZone`). Throws a RangeError
   * for a range the buckets cannot cover.
   */
  async eventCounts(q: { from: number; to: number; every: '1m' | '1h' | '1d'; timeZone: string; zoneId?: string | undefined; deviceId?: string | undefined; kind?: string | undefined }): Promise<{ from: number; to: number; points: { t: number; count: number }[] }> {
    const plan = planBuckets(q.from, q.to, q.every, q.timeZone);
    const rows = await this.reader.counts({ from: plan.fetchFrom, to: plan.fetchTo, step: plan.step, zoneId: q.zoneId, deviceId: q.deviceId, kinds: q.kind ? [q.kind] : undefined });
    return { from: plan.fetchFrom, to: plan.fetchTo, points: fillBuckets(plan, rows) };
  }

  static async loadInflux(config: GatehouseConfig, now: () => number): Promise<InfluxSeries | undefined> {
    if (config.series.backend !== 'influx') return undefined;
    const { InfluxSeries } = await import('../store/influxSeries.ts');
    return new InfluxSeries(config.series, config.retention, now);
  }

  readonly reader: SeriesReader;
  readonly backend: 'sqlite' | 'influx';
  private readonly sink: SeriesSink;
  private readonly queue: SeriesQueue | undefined;
  private readonly influx: InfluxSeries | undefined;
  private readonly writer: InfluxWriter | undefined;
  private healthBuffer: HealthSample[] = [];
  private healthScheduled = false;

  constructor(
    config: GatehouseConfig,
    private readonly db: Db,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly now: () => number,
    /** The InfluxDB client when `series.backend` is influx (its module is loaded only then: see loadInflux). */
    influx?: InfluxSeries,
  ) {
    this.backend = config.series.backend;
    if (config.series.backend === 'influx') {
      if (!influx) throw new Error('series.backend influx: no InfluxDB client given (SeriesService.loadInflux)');
      this.queue = new SeriesQueue(db);
      this.influx = influx;
      this.sink = new InfluxSink(this.queue, now);
      this.reader = this.influx;
      this.writer = new InfluxWriter(this.queue, this.influx, metrics, log, now, config.retention.events * 86_400_000);
    } else {
      const sqlite = new SqliteSeries(db);
      this.sink = sqlite;
      this.reader = sqlite;
    }
  }

  /** Inside the recorder's group commit: rollups or queued points for the stored events. */
  readonly inTransaction = (events: readonly GatehouseEvent[]): void => {
    const started = performance.now();
    this.sink.events(events);
    this.metrics.seriesMaintenanceSeconds.observe((performance.now() - started) / 1000);
  };

  /** After the commit: a full batch goes to InfluxDB without waiting for the flush tick. */
  readonly afterCommit = (): void => {
    this.writer?.kick();
  };

  /** Inside the incident transaction. */
  recordIncidents(changes: readonly IncidentChange[]): void {
    this.sink.incidents(changes);
  }

  /**
   * A device's health report (battery, rssi, …). Status messages are not events,
   * so they are gathered and written on the next turn in one small transaction.
   */
  recordHealth(deviceId: string, at: number, health: DeviceHealth): void {
    if (Object.keys(health).length === 0) return;
    if (this.healthBuffer.length >= MAX_HEALTH_BUFFER) {
      this.healthBuffer.shift();
      this.metrics.seriesPointsDropped.inc();
    }
    this.healthBuffer.push({ deviceId, at, fields: health });
    if (!this.healthScheduled) {
      this.healthScheduled = true;
      setImmediate(() => this.flushHealth());
    }
  }

  /** Sample operational gauges (the hub calls this once a minute). */
  sampleGauges(at: number, gauges: readonly { name: string; tags: Readonly<Record<string, string>>; value: number }[]): void {
    try {
      this.db.transaction(() => {
        for (const g of gauges) this.sink.gauge(g.name, g.tags, at, g.value);
      })();
    } catch (err) {
      this.log.error({ err }, 'could not record gauges');
    }
  }

  status(): SeriesStatus {
    const oldest = this.queue?.oldest ?? null;
    return {
      backend: this.backend,
      state: this.writer?.status ?? 'ok',
      backlogPoints: this.queue?.backlog ?? 0,
      oldestQueuedAgeSeconds: oldest === null ? null : Math.max(0, Math.round((this.now() - oldest) / 1000)),
      pointsWritten: this.writer?.pointsWritten ?? 0,
      lastWriteAt: this.writer?.lastWriteAt ?? null,
      lastError: this.writer?.lastError ?? null,
      lastErrorAt: this.writer?.lastErrorAt ?? null,
    };
  }

  /** Start the InfluxDB writer (never waits for InfluxDB: start-up with it down works). */
  start(): void {
    this.writer?.start();
  }

  /** Flush buffered health to disk and stop writing; queued points stay for the next start. */
  async stop(): Promise<void> {
    this.flushHealth();
    await this.writer?.stop();
    await this.influx?.close();
  }

  private flushHealth(): void {
    this.healthScheduled = false;
    if (this.healthBuffer.length === 0) return;
    const batch = this.healthBuffer;
    this.healthBuffer = [];
    try {
      this.db.transaction(() => this.sink.health(batch))();
      this.writer?.kick();
    } catch (err) {
      if (!this.db.open) return;
      this.log.error({ err, points: batch.length }, 'could not store device health points; they are kept for the next try');
      this.healthBuffer = [...batch, ...this.healthBuffer].slice(-MAX_HEALTH_BUFFER);
    }
  }
}
