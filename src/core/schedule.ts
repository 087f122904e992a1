import { localTime, parseClock, previousDate, weekdayOf } from './localTime.ts';

/**
 * Weekly open hours with holidays and make-up workdays (调休). A range may cross
 * midnight (`22:00-06:00`): it belongs to the day it starts on.
 *
 * Config form: `{ mon-fri: "07:00-18:00", sat: ["08:00-12:00"], sun: closed }`.
 */
export interface Range {
  readonly start: number; // minutes from local midnight
  readonly end: number; // may exceed 1440 when crossing midnight
}

/** Ranges per weekday, 0 = Sunday. */
export type WeeklyHours = readonly (readonly Range[])[];

export interface Calendar {
  readonly timezone: string;
  readonly holidays: ReadonlySet<string>;
  readonly workdays: ReadonlySet<string>;
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function dayIndexes(key: string): number[] | undefined {
  const k = key.toLowerCase();
  if (k === 'daily' || k === 'all') return [0, 1, 2, 3, 4, 5, 6];
  if (k === 'weekdays') return [1, 2, 3, 4, 5];
  if (k === 'weekend') return [6, 0];
  const range = /^([a-z]{3})-([a-z]{3})$/.exec(k);
  if (range) {
    const a = DAY_NAMES.indexOf(range[1]!);
    const b = DAY_NAMES.indexOf(range[2]!);
    if (a < 0 || b < 0) return undefined;
    const out: number[] = [];
    for (let d = a; ; d = (d + 1) % 7) {
      out.push(d);
      if (d === b) break;
    }
    return out;
  }
  const i = DAY_NAMES.indexOf(k);
  return i < 0 ? undefined : [i];
}

export function parseRange(text: string): Range | undefined {
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const start = parseClock(m[1]!);
  const end = parseClock(m[2]!);
  if (start === undefined || end === undefined || start === end || start >= 1440) return undefined;
  return { start, end: end > start ? end : end + 1440 };
}

export function parseWeeklyHours(spec: Readonly<Record<string, string | readonly string[]>>): { hours: WeeklyHours } | { errors: string[] } {
  const days: Range[][] = [[], [], [], [], [], [], []];
  const errors: string[] = [];
  for (const [key, value] of Object.entries(spec)) {
    const idx = dayIndexes(key);
    if (!idx) {
      errors.push(`${key}: not a day (use mon … sun, a range like mon-fri, weekdays, weekend or daily)`);
      continue;
    }
    const values = typeof value === 'string' ? [value] : value;
    for (const v of values) {
      if (v.trim().toLowerCase() === 'closed') continue;
      const r = parseRange(v);
      if (!r) {
        errors.push(`${key}: "${v}" is not a time range like 07:00-18:00`);
        continue;
      }
      for (const d of idx) days[d]!.push(r);
    }
  }
  return errors.length ? { errors } : { hours: days };
}

/** The hours that apply on a date: none on a holiday, Monday's on a make-up workday. */
function hoursOn(date: string, weekly: WeeklyHours, calendar: Calendar): readonly Range[] {
  if (calendar.holidays.has(date)) return [];
  if (calendar.workdays.has(date)) return weekly[1]!;
  return weekly[weekdayOf(date)]!;
}

/** Is the zone open at `ms`? Checks today's ranges and yesterday's that cross midnight. */
export function isOpen(ms: number, weekly: WeeklyHours, calendar: Calendar): boolean {
  const now = localTime(ms, calendar.timezone);
  for (const r of hoursOn(now.date, weekly, calendar)) {
    if (now.minutes >= r.start && now.minutes < r.end) return true;
  }
  for (const r of hoursOn(previousDate(now.date), weekly, calendar)) {
    if (r.end > 1440 && now.minutes < r.end - 1440) return true;
  }
  return false;
}
