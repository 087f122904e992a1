import type { GatehouseEvent, EventKind } from '../event.ts';
import type { Severity } from '../incident.ts';

/**
 * Rules that open (or fold into) an incident from a single event. Each entry is
 * data; the engine applies them. More elaborate rules (windows, schedules,
 * supervision) join as pure functions next to this table.
 */
export interface SingleEventRule {
  readonly id: string;
  readonly on: readonly EventKind[];
  readonly severity: Severity;
  readonly title: (event: GatehouseEvent) => string;
  /**
   * Latching (GB 50394): once open, only a person resolves it; events in
   * `recordedOnly` (e.g. `alarm.cleared`) join its timeline and change nothing else.
   */
  readonly recordedOnly?: readonly EventKind[];
}

export const DEFAULT_RULES: readonly SingleEventRule[] = [
  {
    id: 'panic',
    on: ['alarm.panic'],
    severity: 'critical',
    title: (e) => `Panic alarm at ${e.deviceId}`,
    recordedOnly: ['alarm.cleared'],
  },
];

/** Incidents of the same rule and zone fold together while open. */
export function foldKey(ruleId: string, zoneId: string): string {
  return `${ruleId}|${zoneId}`;
}
