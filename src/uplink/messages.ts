import type { IncidentChange } from '../core/incidents/engine.ts';

/**
 * Which domain changes go upstream, as which contract type (DESIGN.md "County
 * uplink"). Pure. Folding, recorded events and ticked steps stay local.
 */
export interface UplinkMessage {
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /** About a critical incident: may jump the backlog. */
  readonly urgent: boolean;
  readonly zoneId?: string | undefined;
}

const INCIDENT_TYPES: Readonly<Partial<Record<IncidentChange['type'], string>>> = {
  opened: 'incident.opened',
  acknowledged: 'incident.acknowledged',
  escalated: 'incident.escalated',
  resolved: 'incident.resolved',
};

export function incidentMessages(changes: readonly IncidentChange[]): UplinkMessage[] {
  const out: UplinkMessage[] = [];
  for (const change of changes) {
    const type = INCIDENT_TYPES[change.type];
    if (!type) continue;
    const i = change.incident;
    out.push({ type, payload: { ...i, ...(change.entry.note ? { changeNote: change.entry.note } : {}) }, urgent: i.severity === 'critical', zoneId: i.zoneId });
  }
  return out;
}

/** Hazard changes as the hazard service reports them. */
export interface HazardChangeLike {
  readonly type: string;
  readonly hazard: { readonly zoneId: string };
}

const HAZARD_TYPES: Readonly<Record<string, string>> = {
  opened: 'hazard.opened',
  closed: 'hazard.closed',
};

export function hazardMessage(change: HazardChangeLike): UplinkMessage {
  const type = HAZARD_TYPES[change.type] ?? 'hazard.updated';
  return {
    type,
    payload: { ...change.hazard, change: change.type, ...(change.type === 'escalated' ? { escalated: true } : {}) },
    urgent: false,
    zoneId: change.hazard.zoneId,
  };
}
