import type { EventKind } from './event.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityRank: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

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
  readonly eventIds: string[];
  readonly count: number;
  readonly drill: boolean;
  readonly lastEventAt: number;
}

export type TimelineEntryType = 'opened' | 'event' | 'acknowledged' | 'escalated' | 'resolved' | 'note';

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
