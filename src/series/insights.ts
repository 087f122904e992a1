import { localMidnight, localTime, weekdayOf } from '../core/localTime.ts';
import { isOpen, type Calendar, type WeeklyHours } from '../core/schedule.ts';
import { addDays } from './buckets.ts';
import { mean, round } from './stats.ts';

/**
 * "Insight beyond counting" for the daily report: an hour whose access
 * denials, or activity while the zone is closed, is far above the same hour's
 * usual level over the past four weeks. Pure: counts in, findings with the
 * reason in words out.
 *
 * The baseline is the same local hour on the previous 28 days *of the same
 * kind* (school days vs weekends and holidays, from the calendar): a Monday
 * 07:00 rush is compared with other school mornings, not with Sundays. An hour
 * is flagged when its count is at least MIN_COUNT, above every day of the
 * baseline, and at least MIN_RATIO times its mean (a mean under 1 counts as 1,
 * so a quiet hour needs a real burst, not 2 events against 0.1).
 */
export const LOOKBACK_DAYS = 28;
export const MIN_BASELINE_DAYS = 3;
export const MIN_COUNT = 5;
export const MIN_RATIO = 3;

/** Kinds that mean someone (or something) is there: after-hours activity. */
export const ACTIVITY_KINDS: readonly string[] = ['access.granted', 'access.denied', 'door.forced', 'door.held_open', 'camera.motion', 'camera.intrusion'];

export interface HourCount {
  /** Start of the hour (epoch ms). */
  readonly t: number;
  readonly zone: string;
  readonly kind: string;
  readonly count: number;
}

export interface InsightInput {
  /** The report's campus-local date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly calendar: Calendar;
  readonly zones: readonly { readonly id: string; readonly name: string }[];
  readonly openHours: ReadonlyMap<string, WeeklyHours>;
  /** Hourly counts for the date and the LOOKBACK_DAYS before it. */
  readonly hours: readonly HourCount[];
  /** Hours before this have no history (the hub was not running): they are not baseline. */
  readonly historyFrom: number;
}

export type DayType = 'school' | 'closed';

export interface Insight {
  readonly metric: 'denials' | 'after_hours';
  readonly zoneId: string;
  /** The hour, local time: `07:00-08:00`. */
  readonly hour: string;
  readonly from: number;
  readonly to: number;
  readonly count: number;
  /** Mean of the baseline days. */
  readonly usual: number;
  readonly usualMax: number;
  readonly baselineDays: number;
  readonly dayType: DayType;
  readonly reason: string;
  readonly reasonZh: string;
}

/** School day or not: holidays close, make-up workdays (调休) open, otherwise Monday–Friday. */
export function dayType(date: string, calendar: Calendar): DayType {
  if (calendar.holidays.has(date)) return 'closed';
  if (calendar.workdays.has(date)) return 'school';
  const wd = weekdayOf(date);
  return wd >= 1 && wd <= 5 ? 'school' : 'closed';
}

const pad = (n: number): string => String(n).padStart(2, '0');

export function findInsights(input: InsightInput): Insight[] {
  const tz = input.calendar.timezone;
  const denials = new Map<string, number>();
  const activity = new Map<string, number>();
  const activityKinds = new Set(ACTIVITY_KINDS);
  for (const row of input.hours) {
    const lt = localTime(row.t, tz);
    const key = `${lt.date}|${Math.floor(lt.minutes / 60)}|${row.zone}`;
    if (row.kind === 'access.denied') denials.set(key, (denials.get(key) ?? 0) + row.count);
    if (activityKinds.has(row.kind)) activity.set(key, (activity.get(key) ?? 0) + row.count);
  }
  const type = dayType(input.date, input.calendar);
  const hourStart = (date: string, h: number): number => localMidnight(date, tz) + h * 3_600_000;
  // Closed at the middle of the hour: the hour is mostly outside open hours.
  const closed = (zone: string, date: string, h: number): boolean => {
    const weekly = input.openHours.get(zone);
    return weekly !== undefined && !isOpen(hourStart(date, h) + 1_800_000, weekly, input.calendar);
  };

  const out: Insight[] = [];
  for (const zone of input.zones) {
    for (let h = 0; h < 24; h++) {
      const judge = (metric: Insight['metric'], counts: Map<string, number>, baselineDay: (date: string) => boolean): void => {
        const count = counts.get(`${input.date}|${h}|${zone.id}`) ?? 0;
        if (count < MIN_COUNT) return;
        const baseline: number[] = [];
        for (let k = 1; k <= LOOKBACK_DAYS; k++) {
          const d = addDays(input.date, -k);
          if (dayType(d, input.calendar) !== type || hourStart(d, h) < input.historyFrom || !baselineDay(d)) continue;
          baseline.push(counts.get(`${d}|${h}|${zone.id}`) ?? 0);
        }
        if (baseline.length < MIN_BASELINE_DAYS) return;
        const usual = mean(baseline)!;
        const usualMax = Math.max(...baseline);
        if (count <= usualMax || count < MIN_RATIO * Math.max(usual, 1)) return;
        const from = hourStart(input.date, h);
        const hour = `${pad(h)}:00-${pad(h + 1)}:00`;
        out.push({
          metric,
          zoneId: zone.id,
          hour,
          from,
          to: from + 3_600_000,
          count,
          usual: round(usual)!,
          usualMax,
          baselineDays: baseline.length,
          dayType: type,
          ...words(metric, zone.name, hour, count, usual, usualMax, type),
        });
      };
      judge('denials', denials, () => true);
      if (closed(zone.id, input.date, h)) judge('after_hours', activity, (d) => closed(zone.id, d, h));
    }
  }
  return out.sort((a, b) => b.count / Math.max(b.usual, 1) - a.count / Math.max(a.usual, 1));
}

function words(metric: Insight['metric'], zone: string, hour: string, count: number, usual: number, max: number, type: DayType): { reason: string; reasonZh: string } {
  const [start, end] = hour.split('-') as [string, string];
  const days = type === 'school' ? 'school days' : 'weekends and holidays';
  const daysZh = type === 'school' ? '上学日' : '周末及节假日';
  const u = round(usual)!.toFixed(1);
  const ratio = usual >= 1 ? `, ${round(count / usual)}× the usual ${u}` : `, against a usual ${u}`;
  const ratioZh = usual >= 1 ? `是过去四周${daysZh}同一时段平均 ${u} 次的 ${round(count / usual)} 倍` : `过去四周${daysZh}同一时段平均仅 ${u} 次`;
  if (metric === 'denials') {
    return {
      reason: `${count} access denials at ${zone} between ${start} and ${end}${ratio} for that hour on ${days} over the past 4 weeks (never more than ${max} before).`,
      reasonZh: `${zone} ${start}–${end} 刷卡被拒 ${count} 次，${ratioZh}（此前最多 ${max} 次）。`,
    };
  }
  return {
    reason: `${count} events at ${zone} between ${start} and ${end} while it was closed${ratio} for that hour on ${days} over the past 4 weeks (never more than ${max} before).`,
    reasonZh: `${zone} 闭园时段 ${start}–${end} 有 ${count} 起活动，${ratioZh}（此前最多 ${max} 次）。`,
  };
}
