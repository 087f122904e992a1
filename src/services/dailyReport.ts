import type { GatehouseConfig } from '../config/types.ts';
import { GatehouseError } from '../core/errors.ts';
import { localTime } from '../core/localTime.ts';
import type { Db } from '../store/database.ts';
import { ReportQueries } from '../store/reportQueries.ts';
import { addDays, dayRange } from '../series/buckets.ts';
import { buildDailyReport, type DailyReport } from '../series/dailyReport.ts';
import { ALARM_EVENT_KINDS } from '../core/event.ts';
import { ACTIVITY_KINDS, findInsights, LOOKBACK_DAYS, type HourCount } from '../series/insights.ts';
import type { SeriesService } from '../series/service.ts';

/** The gauge the hub samples each minute: messages waiting for each uplink sink. */
export const UPLINK_BACKLOG = 'uplink_backlog';

/**
 * Gathers what the daily report needs — hourly counts (and four weeks of them
 * for the insights) from the series backend, alarms, drills, incidents and
 * presence from SQLite — and hands it to the pure builder.
 */
export class DailyReportService {
  private readonly queries: ReportQueries;

  constructor(
    db: Db,
    private readonly settings: () => GatehouseConfig,
    private readonly series: SeriesService,
    private readonly devices: () => readonly { readonly id: string; readonly zoneId: string }[],
    private readonly now: () => number,
  ) {
    this.queries = new ReportQueries(db, ALARM_EVENT_KINDS);
  }

  /** Today's campus-local date. */
  today(): string {
    return localTime(this.now(), this.settings().calendar.timezone).date;
  }

  async daily(date: string): Promise<DailyReport> {
    const tz = this.settings().calendar.timezone;
    const now = this.now();
    const day = dayRange(date, tz);
    if (day.from > now) throw new GatehouseError('GH_BAD_REQUEST', `query.date: ${date} has not begun yet on the campus (${tz})`, 'querystring.date');
    const historyStart = dayRange(addDays(date, -LOOKBACK_DAYS), tz).from;
    const reader = this.series.reader;
    let hours: HourCount[];
    let firstHour: number | null;
    let uplinkBacklogMax: number | null;
    try {
      const rows = await reader.counts({ from: historyStart, to: day.to, step: '1h', kinds: [...ACTIVITY_KINDS], by: ['zone', 'kind'] });
      hours = rows.map((r) => ({ t: r.t, zone: r.zone ?? '', kind: r.kind ?? '', count: r.count }));
      firstHour = await reader.firstHour();
      uplinkBacklogMax = await reader.gaugeMax(UPLINK_BACKLOG, day.from, day.to);
    } catch (err) {
      throw new GatehouseError('GH_SERIES_UNAVAILABLE', (err as Error).message);
    }
    const devices = this.devices();
    const presence = new Map(devices.map((d) => [d.id, this.queries.presence(d.id, day.from, day.to)]));
    const zones = this.settings().zones.map((z) => ({ id: z.id, name: z.name }));
    return buildDailyReport({
      date,
      timezone: tz,
      from: day.from,
      to: day.to,
      now,
      zones,
      devices,
      counts: hours.filter((h) => h.t >= day.from),
      alarms: this.queries.alarms(day.from, day.to),
      drills: this.queries.drills(day.from, day.to),
      incidents: this.queries.incidents(day.from, day.to),
      presence,
      uplinkBacklogMax,
      insights: findInsights({
        date,
        calendar: this.settings().calendar,
        zones,
        openHours: this.settings().openHours,
        hours,
        historyFrom: firstHour ?? day.from,
      }),
      pendingPoints: this.series.status().backlogPoints,
    });
  }
}
