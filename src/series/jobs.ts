import type { RetentionConfig } from '../config/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Db } from '../store/database.ts';
import { measureDisk } from '../services/diskUsage.ts';
import { RetentionJob } from '../store/retention.ts';
import { UPLINK_BACKLOG } from '../services/dailyReport.ts';
import type { SeriesService } from './service.ts';

export interface SeriesJobsDeps {
  readonly db: Db;
  readonly series: SeriesService;
  readonly retention: RetentionConfig;
  readonly storageDir: string;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly now: () => number;
  /** Messages waiting per uplink sink (sampled once a minute into the series). */
  readonly uplinkDepths: () => readonly { readonly sink: string; readonly depth: number }[];
  /** Free space under storage.dir, each time it is measured (at start, then every 5 minutes). */
  readonly onFreeSpace?: (freeBytes: number) => void;
}

export interface SeriesJobs {
  /** One retention pass now (tests, and the hourly timer). */
  runRetention(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The background side of time series, started by the composition root: the
 * InfluxDB writer, the once-a-minute gauges, the retention job (first a minute
 * after start, then hourly) and disk usage (every 5 minutes). All timers are
 * unref'd and nothing here is awaited by ingest.
 */
export function startSeriesJobs(deps: SeriesJobsDeps): SeriesJobs {
  const log = deps.log;
  const retention = new RetentionJob(deps.db, deps.retention, deps.storageDir, deps.metrics, log, deps.now);
  const runRetention = (): Promise<void> => retention.run().catch((err: unknown) => log.error({ err }, 'retention pass failed'));
  const disk = (): void => {
    measureDisk(deps.storageDir, 'gatehouse.db', deps.metrics).then(
      ({ freeBytes }) => {
        if (freeBytes !== undefined) deps.onFreeSpace?.(freeBytes);
      },
      (err: unknown) => log.warn({ err }, 'could not measure disk usage'),
    );
  };
  const gauges = (): void => {
    const at = deps.now();
    deps.series.sampleGauges(
      at,
      deps.uplinkDepths().map((s) => ({ name: UPLINK_BACKLOG, tags: { sink: s.sink }, value: s.depth })),
    );
  };
  deps.series.start();
  disk();
  const timers = [
    setInterval(gauges, 60_000),
    setTimeout(() => void runRetention(), 60_000),
    setInterval(() => void runRetention(), 3_600_000),
    setInterval(disk, 300_000),
  ];
  for (const t of timers) t.unref();
  return {
    runRetention,
    async stop() {
      for (const t of timers) clearTimeout(t);
      await deps.series.stop();
    },
  };
}
