import type { GatehouseEvent } from '../core/event.ts';
import type { IncidentChange } from '../core/incidents/engine.ts';
import type { Step } from './buckets.ts';

/**
 * The one series interface with two backends chosen by config (`series.backend`):
 * SQLite rollups (default, nothing to install) or InfluxDB 1.x.
 *
 * A sink is written inside SQLite transactions — the recorder's group commit
 * for events, so rollups or queued points commit with the events or not at
 * all. A reader answers the API and the daily report from the backend.
 */
export type GroupBy = 'zone' | 'kind' | 'device';

export interface CountQuery {
  /** [from, to), aligned on `step`. */
  readonly from: number;
  readonly to: number;
  readonly step: Step;
  readonly zoneId?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly kinds?: readonly string[] | undefined;
  readonly by?: readonly GroupBy[] | undefined;
}

/** One non-empty bucket (zero buckets are not returned; the API fills them). */
export interface CountRow {
  readonly t: number;
  readonly count: number;
  readonly zone?: string;
  readonly kind?: string;
  readonly device?: string;
}

export type HealthValue = number | string | boolean;

export interface HealthSample {
  readonly deviceId: string;
  readonly at: number;
  readonly fields: Readonly<Record<string, HealthValue>>;
}

export interface HealthPoint {
  readonly t: number;
  readonly fields: Readonly<Record<string, HealthValue>>;
}

export interface SeriesSink {
  /** Events just stored, inside the recorder's transaction. Keep it tiny: the alarm path waits for it. */
  events(events: readonly GatehouseEvent[]): void;
  /** Device health reports, inside a transaction. */
  health(samples: readonly HealthSample[]): void;
  /** Incident changes, inside the transaction that writes them. */
  incidents(changes: readonly IncidentChange[]): void;
  /** An operational gauge sample (uplink backlog), inside a transaction. */
  gauge(name: string, tags: Readonly<Record<string, string>>, at: number, value: number): void;
}

export interface SeriesReader {
  counts(q: CountQuery): Promise<CountRow[]>;
  /** Newest `limit` points in [from, to), oldest first. */
  healthPoints(q: { readonly deviceId: string; readonly from: number; readonly to: number; readonly limit: number }): Promise<HealthPoint[]>;
  /** Largest sample of a gauge in [from, to) over all its tags, or null. */
  gaugeMax(name: string, from: number, to: number): Promise<number | null>;
  /** The earliest hour with any event count (history starts there), or null. */
  firstHour(): Promise<number | null>;
}

/** Where the InfluxDB points stand (SQLite: always caught up). */
export interface SeriesStatus {
  readonly backend: 'sqlite' | 'influx';
  readonly state: 'ok' | 'connecting' | 'retrying' | 'stopped';
  /** Points on disk waiting for InfluxDB. */
  readonly backlogPoints: number;
  readonly oldestQueuedAgeSeconds: number | null;
  readonly pointsWritten: number;
  readonly lastWriteAt: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
}
