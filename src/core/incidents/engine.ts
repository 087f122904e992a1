import type { GatehouseEvent } from '../event.ts';
import { keepEventIds, type EventRef, type Incident, type IncidentKind, type LinkedEvent, type Severity, type TimelineEntry } from '../incident.ts';
import { GatehouseError } from '../errors.ts';
import type { Calendar, WeeklyHours } from '../schedule.ts';
import type { AnyRule, Hit, IncidentRule, RuleContext, RuleOptions, RuleStep } from './rule.ts';
import { DEFAULT_RULES, RECORDED_ON, RULES, optionsOf, type RulesConfig } from './registry.ts';
import type { PatrolConfig } from './patrols.ts';
import { activeDrill, panicTested, type Drill, type PanicTested } from './drills.ts';

export type { Drill };
import { checklistFor, pendingMandatory, type Procedures } from './procedures.ts';

export type { Hit };

/**
 * The incident engine: pure functions of (state, input, now) → (state, changes,
 * effects). No I/O, no timers: the caller persists the changes and publishes them.
 */

export interface EngineConfig {
  readonly rules: RulesConfig;
  /** Seconds unacknowledged before escalation, per severity. */
  readonly escalateAfter: Readonly<Partial<Record<Severity, number>>>;
  readonly procedures: Procedures;
  readonly calendar: Calendar;
  readonly openHours: ReadonlyMap<string, WeeklyHours>;
  readonly patrols: readonly PatrolConfig[];
  /** Zone of every device (patrol checkpoints). */
  readonly deviceZones: ReadonlyMap<string, string>;
  /** Devices whose panics during a drill count as their periodic test. */
  readonly panicButtons: ReadonlySet<string>;
}

export const defaultEngineConfig: EngineConfig = {
  rules: DEFAULT_RULES,
  escalateAfter: { critical: 30, high: 120 },
  procedures: {},
  calendar: { timezone: 'Asia/Shanghai', holidays: new Set(), workdays: new Set() },
  openHours: new Map(),
  patrols: [],
  deviceZones: new Map(),
  panicButtons: new Set(),
};

export interface EngineState {
  /** Open and acknowledged incidents. */
  readonly active: ReadonlyMap<string, Incident>;
  /** `${kind}|${zoneId}` → id of the open incident that new matching events fold into. */
  readonly byFold: ReadonlyMap<string, string>;
  readonly drills: readonly Drill[];
  /** Each rule's own state, by rule name (rules without state have none). */
  readonly rules: ReadonlyMap<string, unknown>;
}

export type ChangeType = 'opened' | 'folded' | 'recorded' | 'acknowledged' | 'escalated' | 'resolved' | 'step';

export interface IncidentChange {
  readonly type: ChangeType;
  readonly incident: Incident;
  /**
   * Its line in the timeline. A `folded` change that links an event writes no
   * timeline line: the link (below) is that event's record, and the timeline
   * stays the human story (opened, acknowledged, escalated, resolved, recorded).
   */
  readonly entry: TimelineEntry;
  /** Events that joined the incident with this change, for the store to link (incident_events). */
  readonly linked?: readonly LinkedEvent[];
}

/** Facts other than incidents that the caller records. */
export type Effect = PanicTested;

export interface Step {
  readonly state: EngineState;
  readonly changes: readonly IncidentChange[];
  readonly effects: readonly Effect[];
}

export function initialState(active: readonly Incident[], drills: readonly Drill[], since: number): EngineState {
  const byId = new Map<string, Incident>();
  const byFold = new Map<string, string>();
  for (const incident of active) {
    if (incident.status === 'resolved') continue;
    byId.set(incident.id, incident);
    byFold.set(foldKey(incident.kind, incident.zoneId), incident.id);
  }
  const rules = new Map<string, unknown>();
  for (const rule of RULES) if (rule.initialState) rules.set(rule.name, rule.initialState(since));
  return { active: byId, byFold, drills, rules };
}

/** One rule's state (for a service that shows it, e.g. the patrol rounds). */
export function ruleState<O extends RuleOptions, S>(state: EngineState, rule: IncidentRule<O, S>): S {
  return state.rules.get(rule.name) as S;
}

export function withRuleState<O extends RuleOptions, S>(state: EngineState, rule: IncidentRule<O, S>, value: S): EngineState {
  if (state.rules.get(rule.name) === value) return state;
  const rules = new Map(state.rules);
  rules.set(rule.name, value);
  return { ...state, rules };
}

function contextOf(state: EngineState, config: EngineConfig): RuleContext {
  return {
    calendar: config.calendar,
    openHours: config.openHours,
    patrols: config.patrols,
    deviceZones: config.deviceZones,
    isActive: (kind, zoneId) => state.byFold.has(foldKey(kind, zoneId)),
  };
}

/**
 * Run one step of every rule that is on (or that keeps its state when off) and
 * collect the hits of the ones that are on: the engine names no rule.
 */
function runRules(
  state: EngineState,
  config: EngineConfig,
  run: (rule: AnyRule, options: RuleOptions, ruleState: unknown, context: RuleContext) => RuleStep<unknown> | undefined,
): { state: EngineState; hits: Hit[] } {
  const context = contextOf(state, config);
  const hits: Hit[] = [];
  let next = state;
  for (const rule of RULES) {
    const options = optionsOf(config.rules, rule);
    if (!options.enabled && !rule.keepsStateWhenOff) continue;
    const step = run(rule, options, next.rules.get(rule.name), context);
    if (!step) continue;
    if (rule.initialState) next = withRuleState(next, rule, step.state);
    if (options.enabled) hits.push(...step.hits);
  }
  return { state: next, hits };
}

export const emptyState: EngineState = initialState([], [], 0);

export function foldKey(kind: string, zoneId: string): string {
  return `${kind}|${zoneId}`;
}

function put(state: EngineState, incident: Incident): EngineState {
  const active = new Map(state.active);
  const byFold = new Map(state.byFold);
  const k = foldKey(incident.kind, incident.zoneId);
  if (incident.status === 'resolved') {
    active.delete(incident.id);
    if (byFold.get(k) === incident.id) byFold.delete(k);
  } else {
    active.set(incident.id, incident);
    byFold.set(k, incident.id);
  }
  return { ...state, active, byFold };
}

function entryOf(incidentId: string, at: number, type: TimelineEntry['type'], event?: GatehouseEvent): TimelineEntry {
  return event ? { incidentId, at, type, eventId: event.id, eventKind: event.kind } : { incidentId, at, type };
}

const refOf = (e: GatehouseEvent): EventRef => ({ id: e.id, deviceId: e.deviceId, ts: e.ts });

/**
 * Open a new incident for the hit, or fold the event into the open one of the
 * same kind and zone. Folding costs the same at the incident's 100,000th event as
 * at its first: a count, a bounded list of ids and one link, never the history.
 */
function apply(state: EngineState, hit: Hit, event: GatehouseEvent | undefined, now: number, config: EngineConfig, newId: () => string): { state: EngineState; change: IncidentChange } {
  const openId = state.byFold.get(foldKey(hit.kind, hit.zoneId));
  const open = openId === undefined ? undefined : state.active.get(openId);
  if (open) {
    const count = open.count + 1;
    const incident: Incident = {
      ...open,
      count,
      eventIds: event ? keepEventIds(open.eventIds, [event.id]) : open.eventIds,
      lastEventAt: now,
    };
    const linked = event ? [{ seq: count, ...refOf(event) }] : undefined;
    return { state: put(state, incident), change: { type: 'folded', incident, entry: entryOf(incident.id, now, 'event', event), ...(linked ? { linked } : {}) } };
  }
  const refs = [...(hit.earlier ?? []), ...(event ? [refOf(event)] : [])];
  const drill = activeDrill(state.drills, hit.zoneId, now);
  const incident: Incident = {
    id: newId(),
    kind: hit.kind,
    severity: hit.severity,
    zoneId: hit.zoneId,
    deviceId: event?.deviceId,
    title: hit.title,
    status: 'open',
    openedAt: now,
    escalationLevel: 0,
    eventIds: keepEventIds([], refs.map((r) => r.id)),
    count: refs.length || 1,
    drill: drill !== undefined,
    lastEventAt: now,
    procedure: checklistFor(config.procedures, hit.kind),
    data: { ...hit.data, ...(drill ? { drillId: drill.id } : {}) },
  };
  const linked = refs.map((r, i) => ({ seq: i + 1, ...r }));
  return { state: put(state, incident), change: { type: 'opened', incident, entry: entryOf(incident.id, now, 'opened', event), ...(linked.length ? { linked } : {}) } };
}

export function onEvent(state: EngineState, event: GatehouseEvent, now: number, config: EngineConfig, newId: () => string): Step {
  const changes: IncidentChange[] = [];
  const effects: Effect[] = [];
  let next = state;

  const ruled = runRules(next, config, (rule, options, state, context) => rule.onEvent?.(event, options, state, context));
  next = ruled.state;
  const hits = ruled.hits;

  for (const hit of hits) {
    const applied = apply(next, hit, event, now, config, newId);
    next = applied.state;
    changes.push(applied.change);
  }

  const recordedKind: IncidentKind | undefined = RECORDED_ON[event.kind];
  if (recordedKind) {
    const openId = next.byFold.get(foldKey(recordedKind, event.zoneId));
    const open = openId === undefined ? undefined : next.active.get(openId);
    if (open) changes.push({ type: 'recorded', incident: open, entry: entryOf(open.id, now, 'event', event) });
  }

  const tested = panicTested(next.drills, config.panicButtons, event, now);
  if (tested) effects.push(tested);

  return { state: next, changes, effects };
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
  readonly role?: string | undefined;
  readonly note?: string | undefined;
}

const noEffects: readonly Effect[] = [];

/** open → acknowledged. Acknowledging twice is refused so two guards learn of each other. */
export function acknowledge(state: EngineState, cmd: Command, now: number, lookupResolved: (id: string) => Incident | undefined): Step {
  const current = activeOrThrow(state, cmd.id, lookupResolved);
  if (current.status === 'acknowledged') throw new GatehouseError('GH_INCIDENT_ALREADY_ACKNOWLEDGED', `by ${current.acknowledgedBy ?? 'someone'}`);
  const incident: Incident = { ...current, status: 'acknowledged', acknowledgedAt: now, acknowledgedBy: cmd.actor, ...(cmd.note ? { note: cmd.note } : {}) };
  return {
    state: put(state, incident),
    changes: [{ type: 'acknowledged', incident, entry: { incidentId: incident.id, at: now, type: 'acknowledged', actor: cmd.actor, note: cmd.note } }],
    effects: noEffects,
  };
}

/** Tick one step of the incident's checklist. */
export function tickStep(state: EngineState, cmd: Command & { readonly index: number }, now: number, lookupResolved: (id: string) => Incident | undefined): Step {
  const current = activeOrThrow(state, cmd.id, lookupResolved);
  const step = current.procedure[cmd.index];
  if (!step) throw new GatehouseError('GH_STEP_NOT_FOUND', `incident ${cmd.id} has ${current.procedure.length} steps (0–${current.procedure.length - 1})`);
  if (step.doneAt !== undefined) throw new GatehouseError('GH_STEP_DONE', `"${step.step}" by ${step.doneBy ?? 'someone'}`);
  const procedure = current.procedure.map((s, i) => (i === cmd.index ? { ...s, doneAt: now, doneBy: cmd.actor } : s));
  const incident: Incident = { ...current, procedure };
  return {
    state: put(state, incident),
    changes: [{ type: 'step', incident, entry: { incidentId: incident.id, at: now, type: 'step', actor: cmd.actor, note: step.step } }],
    effects: noEffects,
  };
}

/**
 * open|acknowledged → resolved, with a note. Mandatory checklist steps must be
 * ticked, unless an officer or admin overrides with a reason.
 */
export function resolve(
  state: EngineState,
  cmd: Command & { readonly override?: string | undefined },
  now: number,
  lookupResolved: (id: string) => Incident | undefined,
): Step {
  const note = cmd.note?.trim();
  if (!note) throw new GatehouseError('GH_NOTE_REQUIRED');
  const current = activeOrThrow(state, cmd.id, lookupResolved);
  const pending = pendingMandatory(current.procedure);
  const override = cmd.override?.trim();
  if (pending.length > 0) {
    if (!override) throw new GatehouseError('GH_STEPS_PENDING', pending.map((s) => `"${s.step}"`).join(', '));
    if (cmd.role !== 'officer' && cmd.role !== 'admin') throw new GatehouseError('GH_FORBIDDEN', 'only an officer or admin may resolve with steps unticked');
  }
  const overridden = pending.length > 0 && override;
  const incident: Incident = {
    ...current,
    status: 'resolved',
    acknowledgedAt: current.acknowledgedAt ?? now,
    acknowledgedBy: current.acknowledgedBy ?? cmd.actor,
    resolvedAt: now,
    resolvedBy: cmd.actor,
    note,
    ...(overridden ? { data: { ...current.data, override: { by: cmd.actor, reason: override, skipped: pending.map((s) => s.step) } } } : {}),
  };
  const changes: IncidentChange[] = [];
  if (overridden) {
    changes.push({ type: 'step', incident, entry: { incidentId: incident.id, at: now, type: 'override', actor: cmd.actor, note: `${override} (skipped: ${pending.map((s) => s.step).join('; ')})` } });
  }
  changes.push({ type: 'resolved', incident, entry: { incidentId: incident.id, at: now, type: 'resolved', actor: cmd.actor, note } });
  return { state: put(state, incident), changes, effects: noEffects };
}

/**
 * Time passing: escalation of unacknowledged incidents (level 1, 2, … at each
 * escalateAfter period), expired drills, and each rule's own time (patrol
 * windows that ended).
 */
export function tick(state: EngineState, now: number, config: EngineConfig, newId: () => string): Step {
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
  if (next.drills.some((d) => d.endsAt <= now)) next = { ...next, drills: next.drills.filter((d) => d.endsAt > now) };
  const ruled = runRules(next, config, (rule, options, state, context) => rule.onTick?.(now, options, state, context));
  next = ruled.state;
  for (const hit of ruled.hits) {
    const applied = apply(next, hit, undefined, now, config, newId);
    next = applied.state;
    changes.push(applied.change);
  }
  return { state: next, changes, effects: noEffects };
}

/** An incident the hub raises about itself (the uplink is rejected, the outbox is nearly full). */
export function raise(state: EngineState, hit: Hit, now: number, config: EngineConfig, newId: () => string): Step {
  const applied = apply(state, hit, undefined, now, config, newId);
  return { state: applied.state, changes: [applied.change], effects: noEffects };
}

/**
 * A person reports an incident: it opens like any other (checklist, escalation,
 * county), or joins the open one of its kind and zone; either way the timeline
 * says who reported it and what they said.
 */
export function report(state: EngineState, hit: Hit, by: string, note: string | undefined, now: number, config: EngineConfig, newId: () => string): Step {
  const applied = apply(state, hit, undefined, now, config, newId);
  const change = applied.change;
  const entry = { ...change.entry, type: change.type === 'opened' ? ('opened' as const) : ('reported' as const), actor: by, ...(note ? { note } : {}) };
  return { state: applied.state, changes: [{ ...change, entry }], effects: noEffects };
}

/** Start a drill (the caller stores it). */
export function startDrill(state: EngineState, drill: Drill): EngineState {
  return { ...state, drills: [...state.drills.filter((d) => d.endsAt > drill.startedAt), drill] };
}

export function stopDrill(state: EngineState, drillId: string, now: number): EngineState {
  return { ...state, drills: state.drills.map((d) => (d.id === drillId ? { ...d, endsAt: Math.min(d.endsAt, now) } : d)).filter((d) => d.endsAt > now) };
}
