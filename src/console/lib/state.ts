import { mergeIncident } from './queue.ts';
import { addAt, countIncidents, emptyHours, GATE_KINDS, type HourlyCounts } from './traffic.ts';
import type { Device, GateEvent, HealthView, Incident, LiveMessage, StorageFault } from './types.ts';

/**
 * What the console knows, kept current by the live feed and re-synced with GETs
 * when it (re)connects. Pure data and functions: the store around it renders.
 */
export interface ConsoleState {
  readonly incidents: Map<string, Incident>;
  readonly devices: Map<string, Device>;
  /** Newest first, at most RECENT_EVENTS. */
  events: GateEvent[];
  granted: HourlyCounts;
  denied: HourlyCounts;
  alarms: HourlyCounts;
  /** Incidents counted in `alarms` (a re-sync must not count them twice). */
  alarmIds: Set<string>;
  /** Live events with `ts` at or before this were already in the loaded counts. */
  trafficLoadedTo: number | undefined;
  /** Bumped on every hazard message: the ledger reloads. */
  hazardStamp: number;
  /** Set while the hub cannot store events: the guard room must know alarms are at risk. */
  storageFault: StorageFault | null;
  /** Set while the disk is nearly full: the guard room asks for space before alarms are at risk. */
  diskLow: NonNullable<HealthView['diskLow']> | null;
  /** Routine events the hub did not send while this console could not keep up (a flooding device). */
  droppedEvents: number;
  /** Snapshots announced per incident since the console started: the detail pane reloads when its count moves. */
  snapshotsSeen: Map<string, number>;
}

export const RECENT_EVENTS = 100;
/** Resolved incidents kept for the detail pane and the "recently resolved" list. */
export const KEEP_RESOLVED = 300;

export function emptyState(day: number): ConsoleState {
  return {
    incidents: new Map(),
    devices: new Map(),
    events: [],
    granted: emptyHours(day),
    denied: emptyHours(day),
    alarms: emptyHours(day),
    alarmIds: new Set(),
    trafficLoadedTo: undefined,
    hazardStamp: 0,
    storageFault: null,
    diskLow: null,
    droppedEvents: 0,
    snapshotsSeen: new Map(),
  };
}

export interface Changes {
  incidents: boolean;
  devices: boolean;
  events: boolean;
  hazards: boolean;
  traffic: boolean;
  health: boolean;
  /** Critical incidents that just opened (they re-arm a muted alarm sound). */
  newCritical: Incident[];
}

export function noChanges(): Changes {
  return { incidents: false, devices: false, events: false, hazards: false, traffic: false, health: false, newCritical: [] };
}

function countAlarm(state: ConsoleState, i: Incident): boolean {
  if (i.drill || state.alarmIds.has(i.id)) return false;
  if (!addAt(state.alarms, i.openedAt)) return false;
  state.alarmIds.add(i.id);
  return true;
}

function stripChange<T extends { change?: string }>(data: T): Omit<T, 'change'> {
  const { change: _change, ...rest } = data;
  return rest;
}

/** Apply one batch of live messages. */
export function applyMessages(state: ConsoleState, messages: readonly LiveMessage[]): Changes {
  const changes = noChanges();
  let newEvents: GateEvent[] | undefined;
  for (const m of messages) {
    switch (m.type) {
      case 'incident': {
        const incoming = stripChange(m.data) as Incident;
        const existing = state.incidents.get(incoming.id);
        const merged = mergeIncident(existing, incoming);
        if (merged !== existing) {
          state.incidents.set(merged.id, merged);
          changes.incidents = true;
        }
        if (!existing && incoming.severity === 'critical' && incoming.status === 'open') changes.newCritical.push(incoming);
        if (countAlarm(state, incoming)) changes.traffic = true;
        break;
      }
      case 'device': {
        const existing = state.devices.get(m.data.id);
        // A device message is a transition (online/offline, health): it wins, but keep the newest last-seen.
        const lastSeen = Math.max(existing?.lastSeen ?? 0, m.data.lastSeen ?? 0) || null;
        state.devices.set(m.data.id, { ...m.data, lastSeen });
        changes.devices = true;
        break;
      }
      case 'event': {
        const e = m.data;
        (newEvents ??= []).push(e);
        const device = state.devices.get(e.deviceId);
        if (device && (device.lastSeen ?? 0) < e.receivedAt) {
          state.devices.set(e.deviceId, { ...device, lastSeen: e.receivedAt });
          changes.devices = true;
        }
        if (state.trafficLoadedTo !== undefined && e.ts > state.trafficLoadedTo) {
          if (e.kind === GATE_KINDS.granted && addAt(state.granted, e.ts)) changes.traffic = true;
          else if (e.kind === GATE_KINDS.denied && addAt(state.denied, e.ts)) changes.traffic = true;
        }
        break;
      }
      case 'hazard':
        state.hazardStamp++;
        changes.hazards = true;
        break;
      case 'snapshot': {
        const id = m.data.incidentId;
        // Only incidents this console holds (a flood of announcements cannot grow the map past them).
        if (state.incidents.has(id)) {
          state.snapshotsSeen.set(id, (state.snapshotsSeen.get(id) ?? 0) + 1);
          changes.incidents = true;
        }
        break;
      }
      case 'dropped':
        state.droppedEvents += m.data.count;
        changes.health = true;
        break;
      case 'health':
        state.storageFault = m.data.storageFault;
        state.diskLow = m.data.diskLow ?? null;
        changes.health = true;
        break;
    }
  }
  if (newEvents) {
    newEvents.reverse();
    state.events = newEvents.length >= RECENT_EVENTS ? newEvents.slice(0, RECENT_EVENTS) : [...newEvents, ...state.events.slice(0, RECENT_EVENTS - newEvents.length)];
    changes.events = true;
  }
  if (changes.incidents) pruneResolved(state);
  return changes;
}

/** A re-sync: the active incidents as the API lists them now, merged with what arrived meanwhile. */
export function syncIncidents(state: ConsoleState, items: readonly Incident[]): void {
  const listed = new Set<string>();
  for (const i of items) {
    listed.add(i.id);
    state.incidents.set(i.id, mergeIncident(state.incidents.get(i.id), i));
  }
  // An active one the API no longer lists was resolved while we were away.
  for (const [id, i] of state.incidents) {
    if (i.status !== 'resolved' && !listed.has(id)) {
      state.incidents.delete(id);
      state.snapshotsSeen.delete(id);
    }
  }
  recountAlarms(state, state.alarms.day);
  pruneResolved(state);
}

/** Today's alarm counts from the incidents known (after a re-sync, or at midnight). */
export function recountAlarms(state: ConsoleState, day: number): void {
  state.alarms = countIncidents(day, []);
  state.alarmIds = new Set();
  for (const i of state.incidents.values()) countAlarm(state, i);
}

export function syncDevices(state: ConsoleState, items: readonly Device[]): void {
  state.devices.clear();
  for (const d of items) state.devices.set(d.id, d);
}

function pruneResolved(state: ConsoleState): void {
  let resolved = 0;
  for (const i of state.incidents.values()) if (i.status === 'resolved') resolved++;
  if (resolved <= KEEP_RESOLVED) return;
  const oldest = [...state.incidents.values()].filter((i) => i.status === 'resolved').sort((a, b) => (a.resolvedAt ?? 0) - (b.resolvedAt ?? 0));
  for (const i of oldest.slice(0, resolved - KEEP_RESOLVED)) {
    state.incidents.delete(i.id);
    state.snapshotsSeen.delete(i.id);
  }
}
