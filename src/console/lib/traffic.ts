import type { GateEvent, Incident, SeriesPoint } from './types.ts';

/** Today's counts per hour for the overview charts: gate traffic and alarms. */

export const HOUR = 3_600_000;

export interface HourlyCounts {
  /** Local midnight the 24 buckets start at. */
  readonly day: number;
  /** Bucket start times (`day + h * HOUR`, DST aside). */
  readonly t: number[];
  readonly values: number[];
}

export function emptyHours(day: number): HourlyCounts {
  const t: number[] = [];
  for (let h = 0; h < 24; h++) t.push(day + h * HOUR);
  return { day, t, values: new Array<number>(24).fill(0) };
}

/** Bucket index of `ms` in the day, or -1 when it falls outside. */
export function hourIndex(counts: HourlyCounts, ms: number): number {
  if (ms < counts.day) return -1;
  const i = Math.floor((ms - counts.day) / HOUR);
  return i < 24 ? i : -1;
}

/** Adds one at `ms`; false if `ms` is not in this day. */
export function addAt(counts: HourlyCounts, ms: number, n = 1): boolean {
  const i = hourIndex(counts, ms);
  if (i < 0) return false;
  counts.values[i]! += n;
  return true;
}

export const GATE_KINDS = { granted: 'access.granted', denied: 'access.denied' } as const;

/** Counts of one kind from stored events (each counted once by id). */
export function countEvents(day: number, events: Iterable<GateEvent>, kind: string): HourlyCounts {
  const counts = emptyHours(day);
  const seen = new Set<string>();
  for (const e of events) {
    if (e.kind !== kind || seen.has(e.id)) continue;
    seen.add(e.id);
    addAt(counts, e.ts, 1);
  }
  return counts;
}

/** Counts from the series route (`{ points: [{ t, count }] }`, any bucket width ≤ 1 h). */
export function fromSeries(day: number, points: readonly SeriesPoint[]): HourlyCounts {
  const counts = emptyHours(day);
  for (const p of points) addAt(counts, p.t, p.count);
  return counts;
}

/** Incidents opened today per hour; drills are kept out of statistics. */
export function countIncidents(day: number, incidents: Iterable<Incident>): HourlyCounts {
  const counts = emptyHours(day);
  for (const i of incidents) if (!i.drill) addAt(counts, i.openedAt, 1);
  return counts;
}

export function total(counts: HourlyCounts): number {
  let n = 0;
  for (const v of counts.values) n += v;
  return n;
}
