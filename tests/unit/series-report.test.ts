import { describe, expect, it } from 'vitest';
import { addDays, dayRange } from '../../src/series/buckets.ts';
import { dayType, findInsights, type HourCount } from '../../src/series/insights.ts';
import { buildDailyReport, type ReportInput } from '../../src/series/dailyReport.ts';
import { parseWeeklyHours, type Calendar, type WeeklyHours } from '../../src/core/schedule.ts';

const TZ = 'Asia/Shanghai';
const H = 3_600_000;
const calendar: Calendar = { timezone: TZ, holidays: new Set(['2026-10-01']), workdays: new Set(['2026-10-10']) };
const zones = [{ id: 'gate', name: '北门' }, { id: 'lab', name: 'Lab' }];
// 2026-11-26 is a Thursday.
const DATE = '2026-11-26';
const at = (date: string, hour: number): number => dayRange(date, TZ).from + hour * H;

/** `n` of `kind` at `hour` on each of the `days` school days before DATE (weekends skipped). */
function history(kind: string, zone: string, hour: number, n: (day: number) => number, days = 28): HourCount[] {
  const out: HourCount[] = [];
  for (let k = 1; k <= days; k++) {
    const d = addDays(DATE, -k);
    const c = n(k);
    if (c > 0) out.push({ t: at(d, hour), zone, kind, count: c });
  }
  return out;
}

describe('insights', () => {
  const base = { date: DATE, calendar, zones, openHours: new Map<string, WeeklyHours>(), historyFrom: 0 };

  it('tells school days from weekends, holidays and make-up workdays', () => {
    expect(dayType('2026-11-26', calendar)).toBe('school');
    expect(dayType('2026-11-28', calendar)).toBe('closed');
    expect(dayType('2026-10-01', calendar)).toBe('closed');
    expect(dayType('2026-10-10', calendar)).toBe('school'); // a Saturday, worked (调休)
  });

  it('flags denials far above the same hour on past school days, with the reason in words', () => {
    const hours = [...history('access.denied', 'gate', 7, (k) => (k % 3) + 1), { t: at(DATE, 7), zone: 'gate', kind: 'access.denied', count: 14 }];
    const [insight, ...rest] = findInsights({ ...base, hours });
    expect(rest).toEqual([]);
    expect(insight).toMatchObject({ metric: 'denials', zoneId: 'gate', hour: '07:00-08:00', count: 14, usualMax: 3, dayType: 'school', from: at(DATE, 7) });
    expect(insight!.baselineDays).toBe(20); // 28 days back, weekends left out
    expect(insight!.usual).toBeCloseTo(2, 0);
    expect(insight!.reason).toMatch(/^14 access denials at 北门 between 07:00 and 08:00, 7(\.\d)?× the usual 2\.\d for that hour on school days over the past 4 weeks \(never more than 3 before\)\.$/);
    expect(insight!.reasonZh).toContain('北门 07:00–08:00 刷卡被拒 14 次');
  });

  it('stays quiet for a normal day, a small count, or a level seen before', () => {
    const usual = history('access.denied', 'gate', 7, () => 4);
    expect(findInsights({ ...base, hours: [...usual, { t: at(DATE, 7), zone: 'gate', kind: 'access.denied', count: 5 }] })).toEqual([]);
    expect(findInsights({ ...base, hours: [{ t: at(DATE, 9), zone: 'gate', kind: 'access.denied', count: 4 }] })).toEqual([]); // below MIN_COUNT
    const spiky = history('access.denied', 'gate', 7, (k) => (k === 8 ? 30 : 1));
    expect(findInsights({ ...base, hours: [...spiky, { t: at(DATE, 7), zone: 'gate', kind: 'access.denied', count: 20 }] })).toEqual([]);
  });

  it('needs history: days before the hub ran are not a baseline of zeros', () => {
    const today = { t: at(DATE, 7), zone: 'gate', kind: 'access.denied', count: 12 };
    expect(findInsights({ ...base, hours: [today], historyFrom: at(addDays(DATE, -2), 0) })).toEqual([]);
    expect(findInsights({ ...base, hours: [today], historyFrom: 0 })).toHaveLength(1);
  });

  it('flags activity while the zone is closed against the same closed hour', () => {
    const openHours = new Map([['lab', (parseWeeklyHours({ 'mon-fri': '07:00-18:00' }) as { hours: WeeklyHours }).hours]]);
    const hours = [
      ...history('camera.motion', 'lab', 22, (k) => (k % 5 === 0 ? 1 : 0)),
      { t: at(DATE, 22), zone: 'lab', kind: 'camera.motion', count: 6 },
      { t: at(DATE, 22), zone: 'lab', kind: 'access.granted', count: 2 },
      { t: at(DATE, 10), zone: 'lab', kind: 'camera.motion', count: 50 }, // open hours: not after-hours
    ];
    const found = findInsights({ ...base, openHours, hours });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ metric: 'after_hours', zoneId: 'lab', hour: '22:00-23:00', count: 8, usualMax: 1 });
    expect(found[0]!.reason).toMatch(/^8 events at Lab between 22:00 and 23:00 while it was closed, against a usual 0\.\d/);
  });
});

describe('daily report', () => {
  const day = dayRange(DATE, TZ);
  const input = (over: Partial<ReportInput> = {}): ReportInput => ({
    date: DATE,
    timezone: TZ,
    from: day.from,
    to: day.to,
    now: day.to + H,
    zones,
    devices: [{ id: 'reader-1', zoneId: 'gate' }, { id: 'cam-1', zoneId: 'lab' }],
    counts: [
      { t: at(DATE, 7), zone: 'gate', kind: 'access.granted', count: 300 },
      { t: at(DATE, 8), zone: 'gate', kind: 'access.granted', count: 20 },
      { t: at(DATE, 7), zone: 'gate', kind: 'access.denied', count: 4 },
      { t: at(DATE, 7), zone: 'lab', kind: 'camera.motion', count: 9 },
      { t: at(addDays(DATE, -1), 7), zone: 'gate', kind: 'access.granted', count: 999 }, // another day
    ],
    alarms: [
      { zoneId: 'lab', kind: 'alarm.panic', ts: at(DATE, 10) },
      { zoneId: 'lab', kind: 'alarm.panic', ts: at(DATE, 14) + 60_000 }, // inside the drill
      { zoneId: 'gate', kind: 'door.forced', ts: at(DATE, 23) },
    ],
    drills: [{ zoneId: 'lab', startedAt: at(DATE, 14), endsAt: at(DATE, 15) }],
    incidents: [
      { zoneId: 'lab', kind: 'panic', drill: false, openedAt: at(DATE, 10), acknowledgedAt: at(DATE, 10) + 20_000 },
      { zoneId: 'lab', kind: 'panic', drill: true, openedAt: at(DATE, 14) + 60_000, acknowledgedAt: at(DATE, 14) + 61_000 },
      { zoneId: 'gate', kind: 'door_forced', drill: false, openedAt: at(DATE, 23), acknowledgedAt: at(DATE, 23) + 100_000 },
      { zoneId: 'gate', kind: 'repeated_denials', drill: false, openedAt: at(DATE, 7) },
    ],
    presence: new Map([
      ['reader-1', { startOnline: true, transitions: [{ at: at(DATE, 3), online: false }, { at: at(DATE, 4), online: true }] }],
      ['cam-1', { startOnline: true, transitions: [] }],
    ]),
    uplinkBacklogMax: 12,
    insights: [],
    pendingPoints: 0,
    ...over,
  });

  it('counts per zone and campus, drills kept out', () => {
    const r = buildDailyReport(input());
    expect(r.campus).toMatchObject({ entries: 320, denials: 4, alarms: 2, alarmsByKind: { 'alarm.panic': 1, 'door.forced': 1 }, incidents: 3 });
    expect(r.campus.incidentsByKind).toEqual({ panic: 1, door_forced: 1, repeated_denials: 1 });
    const [gate, lab] = r.zones;
    expect(gate).toMatchObject({ zoneId: 'gate', name: '北门', entries: 320, denials: 4, alarms: 1, incidents: 2 });
    expect(lab).toMatchObject({ zoneId: 'lab', entries: 0, alarms: 1, incidents: 1 });
    expect(r.drills).toEqual({ count: 1, incidents: 1 });
    expect(r.uplink).toEqual({ backlogMax: 12 });
    expect(r.complete).toBe(true);
  });

  it('gives mean and 90th percentile time to acknowledge, and what is still pending', () => {
    const r = buildDailyReport(input());
    expect(r.campus.acknowledge).toEqual({ count: 2, pending: 1, meanSeconds: 60, p90Seconds: 100 });
    expect(r.zones[1]!.acknowledge).toEqual({ count: 1, pending: 0, meanSeconds: 20, p90Seconds: 20 });
    expect(r.zones[0]!.acknowledge).toMatchObject({ count: 1, pending: 1 });
  });

  it('lists devices offline during the day with how long', () => {
    const r = buildDailyReport(input());
    expect(r.campus.devicesOffline).toBe(1);
    expect(r.zones[0]!.offline).toEqual([{ deviceId: 'reader-1', seconds: 3600 }]);
    expect(r.zones[1]!.devicesOffline).toBe(0);
  });

  it('is incomplete while the day runs or points are still queued for InfluxDB', () => {
    expect(buildDailyReport(input({ now: at(DATE, 12) })).complete).toBe(false);
    expect(buildDailyReport(input({ pendingPoints: 3 })).complete).toBe(false);
    // offline time only counts up to now
    const r = buildDailyReport(input({ now: at(DATE, 3) + 1_800_000 }));
    expect(r.zones[0]!.offline).toEqual([{ deviceId: 'reader-1', seconds: 1800 }]);
  });
});
