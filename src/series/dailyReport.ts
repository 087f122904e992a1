import type { HourCount, Insight } from './insights.ts';
import { mean, offlineMs, percentile, round } from './stats.ts';

/**
 * The school's daily report, per zone and for the campus: entries, denials,
 * alarms, incidents and how fast they were acknowledged, devices offline, and
 * the insights. Pure: the service gathers the inputs.
 *
 * Drills (演练) are kept out of the statistics: their incidents are counted
 * apart, and alarms raised inside a drill's window and zone are not alarms.
 */

export interface ReportInput {
  readonly date: string;
  readonly timezone: string;
  /** The local day: [from, to). */
  readonly from: number;
  readonly to: number;
  readonly now: number;
  readonly zones: readonly { readonly id: string; readonly name: string }[];
  readonly devices: readonly { readonly id: string; readonly zoneId: string }[];
  /** Hourly event counts of the day by zone and kind (from the series backend). */
  readonly counts: readonly HourCount[];
  /** Alarm-kind events of the day (from the event log). */
  readonly alarms: readonly { readonly zoneId: string; readonly kind: string; readonly ts: number }[];
  readonly drills: readonly { readonly zoneId: string | null; readonly startedAt: number; readonly endsAt: number }[];
  /** Incidents opened during the day. */
  readonly incidents: readonly { readonly zoneId: string; readonly kind: string; readonly drill: boolean; readonly openedAt: number; readonly acknowledgedAt?: number | undefined }[];
  /** Per device: online at `from`, and its transitions during the day. */
  readonly presence: ReadonlyMap<string, { readonly startOnline: boolean | undefined; readonly transitions: readonly { readonly at: number; readonly online: boolean }[] }>;
  readonly uplinkBacklogMax: number | null;
  readonly insights: readonly Insight[];
  /** Series points not yet in the backend (InfluxDB backlog): counts may still grow. */
  readonly pendingPoints: number;
}

export interface Totals {
  entries: number;
  denials: number;
  alarms: number;
  alarmsByKind: Record<string, number>;
  incidents: number;
  incidentsByKind: Record<string, number>;
  acknowledge: { count: number; pending: number; meanSeconds: number | null; p90Seconds: number | null };
  devicesOffline: number;
  offline: { deviceId: string; seconds: number }[];
}

export interface DailyReport {
  readonly date: string;
  readonly timezone: string;
  readonly from: number;
  readonly to: number;
  readonly generatedAt: number;
  /** The day is over and every point has reached the series backend. */
  readonly complete: boolean;
  readonly pendingPoints: number;
  readonly campus: Totals;
  readonly zones: (Totals & { zoneId: string; name: string })[];
  readonly drills: { readonly count: number; readonly incidents: number };
  readonly uplink: { readonly backlogMax: number | null };
  readonly insights: Insight[];
}

function emptyTotals(): Totals {
  return {
    entries: 0,
    denials: 0,
    alarms: 0,
    alarmsByKind: {},
    incidents: 0,
    incidentsByKind: {},
    acknowledge: { count: 0, pending: 0, meanSeconds: null, p90Seconds: null },
    devicesOffline: 0,
    offline: [],
  };
}

export function buildDailyReport(input: ReportInput): DailyReport {
  const campus = emptyTotals();
  const zones = new Map(input.zones.map((z) => [z.id, emptyTotals()]));
  const both = (zoneId: string): Totals[] => [campus, ...(zones.has(zoneId) ? [zones.get(zoneId)!] : [])];

  for (const row of input.counts) {
    if (row.t < input.from || row.t >= input.to) continue;
    for (const t of both(row.zone)) {
      if (row.kind === 'access.granted') t.entries += row.count;
      if (row.kind === 'access.denied') t.denials += row.count;
    }
  }

  const inDrill = (zoneId: string, ts: number): boolean =>
    input.drills.some((d) => (d.zoneId === null || d.zoneId === zoneId) && ts >= d.startedAt && ts < d.endsAt);
  for (const a of input.alarms) {
    if (a.ts < input.from || a.ts >= input.to || inDrill(a.zoneId, a.ts)) continue;
    for (const t of both(a.zoneId)) {
      t.alarms++;
      t.alarmsByKind[a.kind] = (t.alarmsByKind[a.kind] ?? 0) + 1;
    }
  }

  const ackSeconds = new Map<Totals, number[]>();
  let drillIncidents = 0;
  for (const i of input.incidents) {
    if (i.drill) {
      drillIncidents++;
      continue;
    }
    for (const t of both(i.zoneId)) {
      t.incidents++;
      t.incidentsByKind[i.kind] = (t.incidentsByKind[i.kind] ?? 0) + 1;
      if (i.acknowledgedAt === undefined) t.acknowledge.pending++;
      else {
        const list = ackSeconds.get(t) ?? [];
        list.push(Math.max(0, i.acknowledgedAt - i.openedAt) / 1000);
        ackSeconds.set(t, list);
      }
    }
  }
  for (const [t, list] of ackSeconds) {
    t.acknowledge = { count: list.length, pending: t.acknowledge.pending, meanSeconds: round(mean(list)), p90Seconds: round(percentile(list, 90)) };
  }

  const until = Math.min(input.to, input.now);
  for (const device of input.devices) {
    const p = input.presence.get(device.id);
    const ms = until > input.from ? offlineMs(p?.startOnline, p?.transitions ?? [], input.from, until) : 0;
    if (ms <= 0) continue;
    for (const t of both(device.zoneId)) {
      t.devicesOffline++;
      t.offline.push({ deviceId: device.id, seconds: Math.round(ms / 1000) });
    }
  }

  return {
    date: input.date,
    timezone: input.timezone,
    from: input.from,
    to: input.to,
    generatedAt: input.now,
    complete: input.now >= input.to && input.pendingPoints === 0,
    pendingPoints: input.pendingPoints,
    campus,
    zones: input.zones.map((z) => ({ zoneId: z.id, name: z.name, ...zones.get(z.id)! })),
    drills: {
      count: input.drills.filter((d) => d.startedAt < input.to && d.endsAt > input.from).length,
      incidents: drillIncidents,
    },
    uplink: { backlogMax: input.uplinkBacklogMax },
    insights: [...input.insights],
  };
}
