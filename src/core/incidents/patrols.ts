import type { GatehouseEvent } from '../event.ts';
import { localTime, previousDate } from '../localTime.ts';
import { parseRange, type Range } from '../schedule.ts';

/**
 * 安全巡查: each patrol is a route of checkpoint devices with daily time windows
 * (e.g. at least 5 rounds a day, GB/T 29315-2022). A checkpoint is visited when
 * its device sends `patrol.checkpoint` (a tag) or `access.granted` (a reader)
 * inside the window. When a window ends with checkpoints unvisited, that is a
 * missed round. Pure: the caller supplies time and keeps the state.
 */
export interface PatrolConfig {
  readonly id: string;
  readonly name: string;
  readonly checkpoints: readonly string[];
  /** `HH:MM-HH:MM` local windows; each checkpoint must be visited in each. */
  readonly windows: readonly string[];
}

export interface PatrolState {
  /** `${patrolId}|${date}|${window}` → checkpoint → first visit time. */
  readonly visits: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Windows already judged. */
  readonly judged: ReadonlySet<string>;
  /** Windows that ended before this moment are never judged (the hub was not watching). */
  readonly since: number;
}

export interface MissedRound {
  readonly patrol: PatrolConfig;
  readonly date: string;
  readonly window: string;
  readonly missing: readonly string[];
  readonly visited: readonly string[];
}

export interface RoundStatus {
  readonly patrolId: string;
  readonly name: string;
  readonly date: string;
  readonly window: string;
  readonly status: 'upcoming' | 'in_progress' | 'done' | 'missed';
  readonly visited: { readonly checkpoint: string; readonly at: number }[];
  readonly missing: string[];
}

export function initialPatrolState(since: number): PatrolState {
  return { visits: new Map(), judged: new Set(), since };
}

const VISIT_KINDS = new Set(['patrol.checkpoint', 'access.granted']);
const key = (patrolId: string, date: string, window: string): string => `${patrolId}|${date}|${window}`;

/** Minutes since local midnight of `date`, for a moment at (today, minutes). */
function minutesFrom(date: string, today: string, minutes: number): number {
  return date === today ? minutes : minutes + 1440; // only today and yesterday are ever asked
}

/** Windows (on today or, crossing midnight, yesterday) that contain the local moment. */
function containing(patrol: PatrolConfig, today: string, minutes: number): { date: string; window: string }[] {
  const out: { date: string; window: string }[] = [];
  for (const window of patrol.windows) {
    const r = parseRange(window);
    if (!r) continue;
    for (const date of [today, previousDate(today)]) {
      const m = minutesFrom(date, today, minutes);
      if (m >= r.start && m < r.end) out.push({ date, window });
    }
  }
  return out;
}

export function recordVisit(state: PatrolState, patrols: readonly PatrolConfig[], event: GatehouseEvent, timeZone: string): PatrolState {
  if (!VISIT_KINDS.has(event.kind)) return state;
  let visits: Map<string, ReadonlyMap<string, number>> | undefined;
  const at = localTime(event.receivedAt, timeZone);
  for (const patrol of patrols) {
    if (!patrol.checkpoints.includes(event.deviceId)) continue;
    for (const { date, window } of containing(patrol, at.date, at.minutes)) {
      const k = key(patrol.id, date, window);
      visits ??= new Map(state.visits);
      const current = visits.get(k) ?? new Map<string, number>();
      if (current.has(event.deviceId)) continue;
      visits.set(k, new Map(current).set(event.deviceId, event.receivedAt));
    }
  }
  return visits ? { ...state, visits } : state;
}

function ended(r: Range, date: string, now: { date: string; minutes: number }): boolean {
  if (date === now.date) return r.end <= now.minutes;
  return r.end <= now.minutes + 1440;
}

/** Did the window on `date` end before the local moment `ref`? */
function endedBefore(r: Range, date: string, ref: { date: string; minutes: number }): boolean {
  if (date < previousDate(ref.date)) return true;
  if (date > ref.date) return false;
  return ended(r, date, ref);
}

/** Judge every window that has ended since the last call; drop what is older than yesterday. */
export function judgeRounds(state: PatrolState, patrols: readonly PatrolConfig[], now: number, timeZone: string): { state: PatrolState; missed: MissedRound[] } {
  const local = localTime(now, timeZone);
  const sinceLocal = localTime(state.since, timeZone);
  const yesterday = previousDate(local.date);
  const missed: MissedRound[] = [];
  const judged = new Set(state.judged);
  for (const patrol of patrols) {
    for (const window of patrol.windows) {
      const r = parseRange(window);
      if (!r) continue;
      for (const date of [yesterday, local.date]) {
        const k = key(patrol.id, date, window);
        if (judged.has(k) || !ended(r, date, local)) continue;
        judged.add(k);
        // Ended before the hub was watching: no verdict either way.
        if (endedBefore(r, date, sinceLocal)) continue;
        const seen = state.visits.get(k) ?? new Map<string, number>();
        const missing = patrol.checkpoints.filter((c) => !seen.has(c));
        if (missing.length > 0) missed.push({ patrol, date, window, missing, visited: [...seen.keys()] });
      }
    }
  }
  // Keep only today's and yesterday's bookkeeping.
  const keep = (k: string): boolean => {
    const date = k.split('|')[1]!;
    return date >= yesterday;
  };
  const visits = new Map([...state.visits].filter(([k]) => keep(k)));
  return { state: { ...state, visits, judged: new Set([...judged].filter(keep)) }, missed };
}

/** Today's rounds for the API and console. */
export function roundsOn(state: PatrolState, patrols: readonly PatrolConfig[], now: number, timeZone: string): RoundStatus[] {
  const local = localTime(now, timeZone);
  const out: RoundStatus[] = [];
  for (const patrol of patrols) {
    for (const window of patrol.windows) {
      const r = parseRange(window);
      if (!r) continue;
      const seen = state.visits.get(key(patrol.id, local.date, window)) ?? new Map<string, number>();
      const missing = patrol.checkpoints.filter((c) => !seen.has(c));
      const status: RoundStatus['status'] = ended(r, local.date, local)
        ? missing.length === 0
          ? 'done'
          : 'missed'
        : local.minutes >= r.start
          ? missing.length === 0
            ? 'done'
            : 'in_progress'
          : 'upcoming';
      out.push({
        patrolId: patrol.id,
        name: patrol.name,
        date: local.date,
        window,
        status,
        visited: [...seen].map(([checkpoint, at]) => ({ checkpoint, at })),
        missing,
      });
    }
  }
  return out;
}
