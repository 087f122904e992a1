import type { Actor } from './actor.ts';
import { GatehouseError } from './errors.ts';

/** The hazard categories every campus has (a campus may configure more: hazards.categories); their words are the console's (hazard.category.*). */
export const BUILT_IN_HAZARD_CATEGORIES = ['campus-safety', 'school-conduct', 'teacher-ethics', 'student-welfare', 'health'] as const;

/**
 * The hazard ledger (隐患台账): types and the pure rules — what a valid hazard
 * is, how its status moves (open → rectifying → closed, never back), when it
 * is overdue and when it is due for its daily escalation. No I/O, no clock:
 * callers pass `now` and the campus-local `today`.
 */

export const HAZARD_STATUSES = ['open', 'rectifying', 'closed'] as const;
export type HazardStatus = (typeof HAZARD_STATUSES)[number];
export type HazardSource = 'person' | 'system';

/** What the ledger stores: DESIGN.md "Hazard" without the computed `overdue`. */
export interface HazardRecord {
  readonly id: string;
  readonly title: string;
  readonly description?: string | undefined;
  readonly category: string;
  readonly zoneId: string;
  readonly responsible: string;
  /** Last campus-local day for the rectification, `YYYY-MM-DD`. */
  readonly deadline: string;
  readonly status: HazardStatus;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly updatedAt: number;
  readonly closedAt?: number | undefined;
  readonly closedBy?: string | undefined;
  /** The latest note: the closing note (销号说明) once closed. */
  readonly note?: string | undefined;
  readonly source: HazardSource;
  /** For hazards the hub raised itself: the condition, e.g. `device-offline:panic-1`. */
  readonly sourceKey?: string | undefined;
  /** Campus-local day of the last overdue escalation (escalated once a day). */
  readonly lastEscalatedOn?: string | undefined;
}

/** DESIGN.md "Hazard" contract: the record plus `overdue` as of today on the campus. */
export interface Hazard extends HazardRecord {
  readonly overdue: boolean;
}

export interface HazardEvidence {
  readonly id: string;
  readonly hazardId: string;
  readonly mime: string;
  readonly size: number;
  readonly sha256: string;
  readonly uploadedAt: number;
  readonly uploadedBy: string;
}

export type HazardAction = 'opened' | 'updated' | 'noted' | 'closed' | 'escalated' | 'evidence';
export type FieldChanges = Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;

/** One line of a hazard's history: who, when, what changed. */
export interface HazardHistoryEntry {
  readonly hazardId: string;
  readonly at: number;
  readonly actor: string;
  readonly action: HazardAction;
  readonly changes?: FieldChanges | undefined;
  readonly note?: string | undefined;
}

/** Who acts on the ledger (an API session, or the hub itself). */
export type HazardActor = Actor;

export const SYSTEM_ACTOR: HazardActor = { username: 'system', role: 'system' };

export type HazardChangeType = 'opened' | 'updated' | 'closed' | 'escalated' | 'evidence';

/** One committed change: the hazard after it and the history line that records it (live feed, uplink). */
export interface HazardChange {
  readonly type: HazardChangeType;
  readonly hazard: Hazard;
  readonly entry: HazardHistoryEntry;
}

/** A hazard the hub raises by itself; one open hazard per `sourceKey` at a time. */
export interface SystemHazard {
  readonly sourceKey: string;
  readonly title: string;
  readonly category: string;
  readonly zoneId: string;
  /** Default: the zone's responsible person. */
  readonly responsible?: string | undefined;
  readonly deadlineDays: number;
  readonly description?: string | undefined;
}

export interface NewHazard {
  readonly title: string;
  readonly category: string;
  readonly zoneId: string;
  readonly responsible: string;
  readonly deadline: string;
  readonly description?: string | undefined;
}

export interface HazardPatch {
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly category?: string | undefined;
  readonly zoneId?: string | undefined;
  readonly responsible?: string | undefined;
  readonly deadline?: string | undefined;
  /** Only `rectifying`: closing has its own command (it needs a note), and nothing reopens. */
  readonly status?: 'rectifying' | undefined;
  readonly note?: string | undefined;
}

/** What a hazard may refer to: the configured categories and zones. */
export interface LedgerRules {
  readonly categories: readonly string[];
  readonly zoneIds: readonly string[];
}

const invalid = (field: string, reason: string): GatehouseError => new GatehouseError('GH_HAZARD_INVALID', `${field}: ${reason}`, field);

/** `YYYY-MM-DD` naming a real calendar day (2026-02-30 is not). */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Calendar arithmetic on the date alone: `2026-02-27` + 2 → `2026-03-01`. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function text(field: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw invalid(field, 'must not be empty');
  if (trimmed.length > max) throw invalid(field, `at most ${max} characters`);
  return trimmed;
}

function checkCategory(category: string, rules: LedgerRules): void {
  if (!rules.categories.includes(category)) throw invalid('category', `unknown category "${category}"; one of ${rules.categories.join(', ')}`);
}

function checkZone(zoneId: string, rules: LedgerRules): void {
  if (!rules.zoneIds.includes(zoneId)) throw invalid('zoneId', `unknown zone "${zoneId}"; one of ${rules.zoneIds.join(', ')} (config zones)`);
}

/** A deadline is a campus-local day, today or later: a hazard is never born overdue. */
function checkDeadline(deadline: string, today: string): void {
  if (!isIsoDate(deadline)) throw invalid('deadline', `"${deadline}" is not a date like 2026-12-31`);
  if (deadline < today) throw invalid('deadline', `${deadline} is in the past (today on campus is ${today})`);
}

/** Validate and normalise a hazard someone reports; throws GH_HAZARD_INVALID naming the field. */
export function validateNew(input: NewHazard, rules: LedgerRules, today: string): NewHazard {
  const title = text('title', input.title, 200);
  checkCategory(input.category, rules);
  checkZone(input.zoneId, rules);
  const responsible = text('responsible', input.responsible, 100);
  checkDeadline(input.deadline, today);
  const description = input.description?.trim() ? text('description', input.description, 4000) : undefined;
  return { title, category: input.category, zoneId: input.zoneId, responsible, deadline: input.deadline, description };
}

export function openHazard(
  input: NewHazard,
  meta: { readonly id: string; readonly actor: string; readonly now: number; readonly source: HazardSource; readonly sourceKey?: string | undefined },
  rules: LedgerRules,
  today: string,
): HazardRecord {
  const valid = validateNew(input, rules, today);
  return {
    id: meta.id,
    ...valid,
    status: 'open',
    createdAt: meta.now,
    createdBy: meta.actor,
    updatedAt: meta.now,
    source: meta.source,
    sourceKey: meta.sourceKey,
  };
}

function assertNotClosed(h: HazardRecord): void {
  if (h.status === 'closed') throw new GatehouseError('GH_HAZARD_CLOSED', `${h.id} was closed by ${h.closedBy ?? 'someone'}`);
}

/**
 * Edit fields and/or move to rectifying. A note is required for a status change
 * or a moved deadline: pushing a deadline back silently would hide an overdue hazard.
 */
export function applyUpdate(
  h: HazardRecord,
  patch: HazardPatch,
  now: number,
  rules: LedgerRules,
  today: string,
): { readonly next: HazardRecord; readonly changes: FieldChanges; readonly note: string | undefined } {
  assertNotClosed(h);
  const wanted: Record<string, string | undefined> = {};
  if (patch.title !== undefined) wanted['title'] = text('title', patch.title, 200);
  if (patch.description !== undefined) wanted['description'] = patch.description.trim() ? text('description', patch.description, 4000) : undefined;
  if (patch.category !== undefined) {
    checkCategory(patch.category, rules);
    wanted['category'] = patch.category;
  }
  if (patch.zoneId !== undefined) {
    checkZone(patch.zoneId, rules);
    wanted['zoneId'] = patch.zoneId;
  }
  if (patch.responsible !== undefined) wanted['responsible'] = text('responsible', patch.responsible, 100);
  if (patch.deadline !== undefined && patch.deadline !== h.deadline) {
    checkDeadline(patch.deadline, today);
    wanted['deadline'] = patch.deadline;
  }
  if (patch.status !== undefined) {
    if (patch.status !== 'rectifying') throw invalid('status', 'only "rectifying" may be set here; close with POST /api/v1/hazards/{id}/close');
    wanted['status'] = patch.status;
  }
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, to] of Object.entries(wanted)) {
    const from = (h as unknown as Record<string, unknown>)[field];
    if (from !== to) changes[field] = { from: from ?? null, to: to ?? null };
  }
  const note = patch.note?.trim() ? text('note', patch.note, 4000) : undefined;
  if (Object.keys(changes).length === 0 && note === undefined) throw new GatehouseError('GH_HAZARD_NO_CHANGE');
  if ((changes['status'] || changes['deadline']) && note === undefined) throw new GatehouseError('GH_HAZARD_NOTE_REQUIRED', undefined, 'note');
  const next: HazardRecord = { ...h, ...wanted, updatedAt: now, ...(note !== undefined ? { note } : {}) };
  return { next, changes, note };
}

/** Close (销号): a person's act with a note; closing twice is refused. */
export function closeHazard(h: HazardRecord, note: string | undefined, actor: string, now: number): HazardRecord {
  assertNotClosed(h);
  if (!note?.trim()) throw new GatehouseError('GH_HAZARD_NOTE_REQUIRED', undefined, 'note');
  return { ...h, status: 'closed', closedAt: now, closedBy: actor, note: text('note', note, 4000), updatedAt: now };
}

/** Overdue: the deadline day has passed on the campus and the hazard is not closed. */
export function isOverdue(h: Pick<HazardRecord, 'status' | 'deadline'>, today: string): boolean {
  return h.status !== 'closed' && h.deadline < today;
}

export function withOverdue(h: HazardRecord, today: string): Hazard {
  return { ...h, overdue: isOverdue(h, today) };
}

/** Overdue hazards not yet escalated today: each is escalated once per campus-local day. */
export function dueForEscalation(hazards: readonly HazardRecord[], today: string): HazardRecord[] {
  return hazards.filter((h) => isOverdue(h, today) && (h.lastEscalatedOn === undefined || h.lastEscalatedOn < today));
}

/** `updatedAt` stays: an escalation is not work on the hazard, and the ledger should not look fresher than it is. */
export function markEscalated(h: HazardRecord, today: string): HazardRecord {
  return { ...h, lastEscalatedOn: today };
}
