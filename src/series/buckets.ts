import { localMidnight, localTime } from '../core/localTime.ts';

/**
 * Time buckets for the series API. Pure: no I/O, no clock.
 *
 * `1m` and `1h` buckets are aligned on the epoch (so on the hour in every zone
 * with a whole-hour offset); `1d` buckets start at the campus's local midnight,
 * so a day in the report is the day the school lived, DST included. Backends
 * store minutes and hours; days are folded from hours here.
 */
export type Every = '1m' | '1h' | '1d';
/** What a backend can count by. */
export type Step = '1m' | '1h';

export const STEP_MS: Readonly<Record<Step, number>> = { '1m': 60_000, '1h': 3_600_000 };
/** Largest answer the API gives; a larger range needs a larger `every`. */
export const MAX_POINTS = 10_080;

export function floorTo(ms: number, stepMs: number): number {
  return Math.floor(ms / stepMs) * stepMs;
}

/** `2026-02-28` → `2026-03-01` (calendar arithmetic on the date alone). */
export function nextDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** `2026-03-01` plus `days` (negative goes back). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Epoch ms of the local day `date`: [from, to). */
export function dayRange(date: string, timeZone: string): { from: number; to: number } {
  return { from: localMidnight(date, timeZone), to: localMidnight(nextDate(date), timeZone) };
}

export interface BucketPlan {
  /** Start of every bucket, ascending; the first holds `from`, the last holds `to`. */
  readonly starts: readonly number[];
  /** What to ask the backend: [fetchFrom, fetchTo) at `step`. */
  readonly step: Step;
  readonly fetchFrom: number;
  readonly fetchTo: number;
}

/**
 * The buckets covering [from, to], widened to whole buckets: the first and
 * last bucket count everything in them, as InfluxDB's GROUP BY time() does.
 * Throws a RangeError when the answer would exceed MAX_POINTS.
 */
export function planBuckets(from: number, to: number, every: Every, timeZone: string): BucketPlan {
  if (to < from) throw new RangeError('from must not be after to');
  if (every !== '1d') {
    const ms = STEP_MS[every];
    const first = floorTo(from, ms);
    const last = floorTo(to, ms);
    const n = (last - first) / ms + 1;
    if (n > MAX_POINTS) throw new RangeError(`${n} buckets of ${every} is more than ${MAX_POINTS}; ask for a larger every or a shorter range`);
    const starts = Array.from({ length: n }, (_, i) => first + i * ms);
    return { starts, step: every, fetchFrom: first, fetchTo: last + ms };
  }
  if ((to - from) / 86_400_000 > MAX_POINTS) throw new RangeError(`more than ${MAX_POINTS} days; ask for a shorter range`);
  const starts: number[] = [];
  let date = localTime(from, timeZone).date;
  let start = localMidnight(date, timeZone);
  for (;;) {
    starts.push(start);
    date = nextDate(date);
    const next = localMidnight(date, timeZone);
    if (next > to) return { starts, step: '1h', fetchFrom: starts[0]!, fetchTo: next };
    start = next;
  }
}

/** Index of the bucket holding `t` (the last start ≤ t), or -1 before the first. */
export function bucketIndex(starts: readonly number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  if (hi < 0 || t < starts[0]!) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Sum backend rows (minute or hour starts) into the plan's buckets; empty buckets count 0. */
export function fillBuckets(plan: BucketPlan, rows: readonly { readonly t: number; readonly count: number }[]): { t: number; count: number }[] {
  const counts = new Array<number>(plan.starts.length).fill(0);
  for (const row of rows) {
    if (row.t < plan.fetchFrom || row.t >= plan.fetchTo) continue;
    const i = bucketIndex(plan.starts, row.t);
    if (i >= 0) counts[i]! += row.count;
  }
  return plan.starts.map((t, i) => ({ t, count: counts[i]! }));
}
