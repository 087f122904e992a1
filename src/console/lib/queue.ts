import type { Incident, IncidentStatus, Severity } from './types.ts';

/** View logic of the incident queue: order, merging live updates, what sounds. */

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };
const STATUS_RANK: Readonly<Record<IncidentStatus, number>> = { open: 0, acknowledged: 1, resolved: 2 };

/**
 * Loudest first: severity; then a real incident before a drill, one nobody has
 * taken before an acknowledged one; then the oldest (it has waited longest).
 */
export function compareUrgency(a: Incident, b: Incident): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    Number(a.drill) - Number(b.drill) ||
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    a.openedAt - b.openedAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function isActive(i: Incident): boolean {
  return i.status !== 'resolved';
}

/** The live queue: open and acknowledged incidents, loudest first. */
export function activeQueue(incidents: Iterable<Incident>): Incident[] {
  const out: Incident[] = [];
  for (const i of incidents) if (isActive(i)) out.push(i);
  return out.sort(compareUrgency);
}

/** Critical incidents nobody has acknowledged yet: these flash and sound. */
export function alarming(incidents: Iterable<Incident>): Incident[] {
  const out: Incident[] = [];
  for (const i of incidents) if (i.severity === 'critical' && i.status === 'open') out.push(i);
  return out.sort(compareUrgency);
}

function ticked(i: Incident): number {
  let n = 0;
  for (const s of i.procedure) if (s.doneAt !== undefined) n++;
  return n;
}

/**
 * How far an incident has progressed. Incidents only move forward (status,
 * folded events, escalations, ticked steps), so of two copies the one further
 * on is the newer: a live message that arrives after a re-sync's GET, or an old
 * one replayed, never takes an incident back.
 */
function progress(i: Incident): readonly number[] {
  return [STATUS_RANK[i.status], i.count, i.escalationLevel, ticked(i), i.lastEventAt];
}

/** The newer of two copies of one incident (ties go to the incoming copy). */
export function mergeIncident(existing: Incident | undefined, incoming: Incident): Incident {
  if (!existing) return incoming;
  const a = progress(existing);
  const b = progress(incoming);
  for (let k = 0; k < a.length; k++) {
    if (a[k]! > b[k]!) return existing;
    if (a[k]! < b[k]!) return incoming;
  }
  return incoming;
}

/** Mandatory checklist steps still unticked. */
export function missingMandatory(i: Incident): number[] {
  const out: number[] = [];
  i.procedure.forEach((s, index) => {
    if (s.mandatory && s.doneAt === undefined) out.push(index);
  });
  return out;
}

/** Index to select after moving `delta` rows from `current` in a list of `length` (clamped; -1 when empty). */
export function moveSelection(current: number, delta: number, length: number): number {
  if (length === 0) return -1;
  if (current < 0) return delta > 0 ? 0 : length - 1;
  return Math.min(length - 1, Math.max(0, current + delta));
}
