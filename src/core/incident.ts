import type { EventKind } from './event.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityRank: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

/** What an incident is about. Procedures (应急预案) are keyed by these. */
export const INCIDENT_KINDS = [
  'panic',
  'door_forced',
  'door_held_open',
  'repeated_denials',
  'camera_tamper',
  'camera_video_loss',
  'after_hours',
  'device_offline',
  'patrol_missed',
  'uplink_rejected',
  'outbox_near_cap',
  'broker_lost',
  // reported by a person (phoned in, seen on a round): POST /api/v1/incidents
  'fire',
  'fight',
  'medical',
  'intrusion',
  'missing_person',
  'other',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** One step of an incident's checklist and who ticked it. */
export interface ProcedureStep {
  readonly step: string;
  readonly mandatory: boolean;
  readonly doneAt?: number | undefined;
  readonly doneBy?: string | undefined;
}

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

/**
 * An incident keeps the ids of its first and its latest events only, so that
 * folding its 100,000th event costs what folding its first did; every event is
 * linked in the store (`incident_events`) and paged by
 * `GET /api/v1/incidents/{id}/events`. `count` says how many there are.
 */
export const FIRST_EVENT_IDS = 10;
export const LATEST_EVENT_IDS = 10;

/** `ids` with `added` appended, trimmed to the first and the latest ones: O(1) whatever the incident's history. */
export function keepEventIds(ids: readonly string[], added: readonly string[]): string[] {
  const all = added.length === 0 ? [...ids] : [...ids, ...added];
  if (all.length <= FIRST_EVENT_IDS + LATEST_EVENT_IDS) return all;
  return [...all.slice(0, FIRST_EVENT_IDS), ...all.slice(all.length - LATEST_EVENT_IDS)];
}

/** Where an event is stored: enough to find it again without an index on event ids (see migration 9). */
export interface EventRef {
  readonly id: string;
  readonly deviceId: string;
  readonly ts: number;
}

/** An event folded into an incident: `seq` is its place in the incident (1 = the first), the paging cursor. */
export interface LinkedEvent extends EventRef {
  readonly seq: number;
}

/** DESIGN.md "Incident" contract (plus a few fields the contract allows to grow). */
export interface Incident {
  readonly id: string;
  /** Rule kind, e.g. `panic`, `door.forced`, `repeated_denials`. */
  readonly kind: string;
  readonly severity: Severity;
  readonly zoneId: string;
  readonly deviceId?: string | undefined;
  readonly title: string;
  readonly status: IncidentStatus;
  readonly openedAt: number;
  readonly acknowledgedAt?: number | undefined;
  readonly acknowledgedBy?: string | undefined;
  readonly escalatedAt?: number | undefined;
  readonly escalationLevel: number;
  readonly resolvedAt?: number | undefined;
  readonly resolvedBy?: string | undefined;
  readonly note?: string | undefined;
  /** The first FIRST_EVENT_IDS and the latest LATEST_EVENT_IDS events' ids (all of them while fewer). */
  readonly eventIds: string[];
  /** Every event folded in (events linked to the incident, or hub-raised repeats). */
  readonly count: number;
  readonly drill: boolean;
  readonly lastEventAt: number;
  /** The checklist from `procedures[kind]`, ticked as guards work through it. */
  readonly procedure: ProcedureStep[];
  /** Rule-specific facts (the denied cards, the missed checkpoints, an override reason). */
  readonly data: Readonly<Record<string, unknown>>;
}

export type TimelineEntryType = 'opened' | 'event' | 'reported' | 'acknowledged' | 'escalated' | 'resolved' | 'note' | 'step' | 'override';

/** One line of an incident's history; reports are built from these. */
export interface TimelineEntry {
  readonly incidentId: string;
  readonly at: number;
  readonly type: TimelineEntryType;
  readonly actor?: string | undefined;
  readonly eventId?: string | undefined;
  readonly eventKind?: EventKind | undefined;
  readonly note?: string | undefined;
}
