import type { GatehouseEvent } from '../core/event.ts';
import type { IncidentChange } from '../core/incidents/engine.ts';
import type { SeriesQueue } from '../store/seriesQueue.ts';
import { eventLine, healthLine, pointLine, seriesKey, Uniquifier, type FieldValue } from './lineProtocol.ts';
import type { HealthSample, SeriesSink } from './types.ts';

/**
 * The InfluxDB side of the series sink: turns what happened into line
 * protocol and appends it to the on-disk queue, in the caller's transaction.
 * The work per event is one string; per batch, one INSERT. The background
 * writer (influxWriter.ts) sends it.
 */
export class InfluxSink implements SeriesSink {
  private readonly uniq = new Uniquifier();

  constructor(
    private readonly queue: SeriesQueue,
    private readonly now: () => number,
  ) {}

  events(events: readonly GatehouseEvent[]): void {
    if (events.length === 0) return;
    const lines: string[] = [];
    let minTs = Infinity;
    for (const e of events) {
      lines.push(eventLine(e, this.uniq));
      if (e.kind === 'device.online' || e.kind === 'device.offline') {
        lines.push(healthLine(e.deviceId, e.ts, { online: e.kind === 'device.online' }, this.uniq)!);
      }
      if (e.ts < minTs) minTs = e.ts;
    }
    this.queue.append(lines, minTs, this.now());
  }

  health(samples: readonly HealthSample[]): void {
    const lines: string[] = [];
    let minTs = Infinity;
    for (const s of samples) {
      const line = healthLine(s.deviceId, s.at, s.fields, this.uniq);
      if (line === undefined) continue;
      lines.push(line);
      if (s.at < minTs) minTs = s.at;
    }
    this.queue.append(lines, minTs, this.now());
  }

  /** `incidents`: opened (1i) at openedAt, then acknowledge and resolve times, tagged by kind, zone, severity and drill. */
  incidents(changes: readonly IncidentChange[]): void {
    const lines: string[] = [];
    let minTs = Infinity;
    for (const { type, incident: i } of changes) {
      let at: number | undefined;
      let fields: Record<string, FieldValue> | undefined;
      if (type === 'opened') {
        at = i.openedAt;
        fields = { opened: { int: 1 } };
      } else if (type === 'acknowledged' && i.acknowledgedAt !== undefined) {
        at = i.acknowledgedAt;
        fields = { ack_seconds: (i.acknowledgedAt - i.openedAt) / 1000 };
      } else if (type === 'resolved' && i.resolvedAt !== undefined) {
        at = i.resolvedAt;
        fields = { resolve_seconds: (i.resolvedAt - i.openedAt) / 1000 };
      }
      if (at === undefined || fields === undefined) continue;
      const tags = { kind: i.kind, zone: i.zoneId, severity: i.severity, drill: String(i.drill) };
      lines.push(pointLine('incidents', tags, fields, at, this.uniq.offset(seriesKey('incidents', tags), at))!);
      if (at < minTs) minTs = at;
    }
    this.queue.append(lines, minTs, this.now());
  }

  /** A gauge is a measurement of its own with field `value` (e.g. `uplink_backlog,sink=county value=12`). */
  gauge(name: string, tags: Readonly<Record<string, string>>, at: number, value: number): void {
    const line = pointLine(name, tags, { value }, at);
    if (line) this.queue.append([line], at, this.now());
  }
}
