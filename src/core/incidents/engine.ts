import type { GatehouseEvent } from '../event.ts';
import type { Incident, Severity, TimelineEntry } from '../incident.ts';
import { GatehouseError } from '../errors.ts';
import { DEFAULT_RULES, foldKey, type SingleEventRule } from './rules.ts';

/**
 * The incident engine: pure functions of (state, input, now) → (state, changes).
 * No I/O, no timers: the caller persists the changes and publishes them.
 */

export interface EngineConfig {
  readonly rules: readonly SingleEventRule[];
  /** Seconds unacknowledged before escalation, per severity. */
  readonly escalateAfter: Readonly<Partial<Record<Severity, number>>>;
}

export const defaultEngineConfig: EngineConfig = {
  rules: DEFAULT_RULES,
  escalateAfter: { critical: 30, high: 120 },
};

/** Open and acknowledged incidents, indexed by id and by fold key. */
export interface EngineState {
  readonly active: ReadonlyMap<string, Incident>;
  readonly byFold: ReadonlyMap<string, string>;
}

export type ChangeType = 'opened' | 'folded' | 'recorded' | 'acknowledged' | 'escalated' | 'resolved';

export interface IncidentChange {
  readonly type: ChangeType;
  readonly incident: Incident;
  readonly entry: TimelineEntry;
}

export interface Step {
  readonly state: EngineState;
  readonly changes: readonly IncidentChange[];
}

export const emptyState: EngineState = { active: new Map(), byFold: new Map() };

export function stateFrom(active: readonly Incident[]): EngineState {
  const byId = new Map<string, Incident>();
  const byFold = new Map<string, string>();
  for (const incident of active) {
    if (incident.status === 'resolved') continue;
    byId.set(incident.id, incident);
    byFold.set(foldKey(incident.kind, incident.zoneId), incident.id);
  }
  return { active: byId, byFold };
}

function put(state: EngineState, incident: Incident): EngineState {
  const active = new Map(state.active);
  const byFold = new Map(state.byFold);
  if (incident.status === 'resolved') {
    active.delete(incident.id);
    if (byFold.get(foldKey(incident.kind, incident.zoneId)) === incident.id) byFold.delete(foldKey(incident.kind, incident.zoneId));
  } else {
    active.set(incident.id, incident);
    byFold.set(foldKey(incident.kind, incident.zoneId), incident.id);
  }
  return { active, byFold };
}

export function onEvent(state: EngineState, event: GatehouseEvent, now: number, config: EngineConfig, newId: () => string): Step {
  const changes: IncidentChange[] = [];
  let next = state;
  for (const rule of config.rules) {
    const key = foldKey(rule.id, event.zoneId);
    const openId = next.byFold.get(key);
    const open = openId === undefined ? undefined : next.active.get(openId);
    if (rule.on.includes(event.kind)) {
      if (open) {
        const incident: Incident = {
          ...open,
          count: open.count + 1,
          eventIds: [...open.eventIds, event.id],
          lastEventAt: now,
        };
        next = put(next, incident);
        changes.push({ type: 'folded', incident, entry: entry(incident.id, now, 'event', event) });
      } else {
        const incident: Incident = {
          id: newId(),
          kind: rule.id,
          severity: rule.severity,
          zoneId: event.zoneId,
          deviceId: event.deviceId,
          title: rule.title(event),
          status: 'open',
          openedAt: now,
          escalationLevel: 0,
          eventIds: [event.id],
          count: 1,
          drill: false,
          lastEventAt: now,
        };
        next = put(next, incident);
        changes.push({ type: 'opened', incident, entry: entry(incident.id, now, 'opened', event) });
      }
    } else if (open && rule.recordedOnly?.includes(event.kind)) {
      changes.push({ type: 'recorded', incident: open, entry: entry(open.id, now, 'event', event) });
    }
  }
  return { state: next, changes };
}

function entry(incidentId: string, at: number, type: TimelineEntry['type'], event: GatehouseEvent): TimelineEntry {
  return { incidentId, at, type, eventId: event.id, eventKind: event.kind };
}

function activeOrThrow(state: EngineState, id: string, lookupResolved: (id: string) => Incident | undefined): Incident {
  const incident = state.active.get(id);
  if (incident) return incident;
  if (lookupResolved(id)) throw new GatehouseError('GH_INCIDENT_RESOLVED', id);
  throw new GatehouseError('GH_INCIDENT_NOT_FOUND', id);
}

export interface Command {
  readonly id: string;
  readonly actor: string;
  readonly note?: string | undefined;
}

/** open → acknowledged. Acknowledging twice is refused so two guards learn of each other. */
export function acknowledge(state: EngineState, cmd: Command, now: number, lookupResolved: (id: string) => Incident | undefined): Step {
  const current = activeOrThrow(state, cmd.id, lookupResolved);
  if (current.status === 'acknowledged') throw new GatehouseError('GH_INCIDENT_ALREADY_ACKNOWLEDGED', `by ${current.acknowledgedBy ?? 'someone'}`);
  const incident: Incident = {
    ...current,
    status: 'acknowledged',
    acknowledgedAt: now,
    acknowledgedBy: cmd.actor,
    ...(cmd.note ? { note: cmd.note } : {}),
  };
  return {
    state: put(state, incident),
    changes: [{ type: 'acknowledged', incident, entry: { incidentId: incident.id, at: now, type: 'acknowledged', actor: cmd.actor, note: cmd.note } }],
  };
}

/** open|acknowledged → resolved, with a note. Resolving an open incident acknowledges it implicitly. */
export function resolve(state: EngineState, cmd: Command, now: number, lookupResolved: (id: string) => Incident | undefined): Step {
  const note = cmd.note?.trim();
  if (!note) throw new GatehouseError('GH_NOTE_REQUIRED');
  const current = activeOrThrow(state, cmd.id, lookupResolved);
  const incident: Incident = {
    ...current,
    status: 'resolved',
    acknowledgedAt: current.acknowledgedAt ?? now,
    acknowledgedBy: current.acknowledgedBy ?? cmd.actor,
    resolvedAt: now,
    resolvedBy: cmd.actor,
    note,
  };
  return {
    state: put(state, incident),
    changes: [{ type: 'resolved', incident, entry: { incidentId: incident.id, at: now, type: 'resolved', actor: cmd.actor, note } }],
  };
}

/**
 * Escalation: an incident still `open` after escalateAfter[severity] seconds is
 * escalated, and again at every further period (level 1, 2, …).
 */
export function tick(state: EngineState, now: number, config: EngineConfig): Step {
  const changes: IncidentChange[] = [];
  let next = state;
  for (const current of state.active.values()) {
    if (current.status !== 'open') continue;
    const after = config.escalateAfter[current.severity];
    if (!after || after <= 0) continue;
    const due = Math.floor((now - current.openedAt) / (after * 1000));
    if (due > current.escalationLevel) {
      const incident: Incident = { ...current, escalationLevel: due, escalatedAt: now };
      next = put(next, incident);
      changes.push({
        type: 'escalated',
        incident,
        entry: { incidentId: incident.id, at: now, type: 'escalated', note: `level ${due}: unacknowledged for ${Math.round((now - current.openedAt) / 1000)} s` },
      });
    }
  }
  return { state: next, changes };
}
