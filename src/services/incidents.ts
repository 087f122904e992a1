import { auditEntry } from '../core/audit.ts';
import type { Db } from '../store/database.ts';
import type { IncidentStore } from '../store/incidents.ts';
import type { DrillStore } from '../store/drills.ts';
import type { AuditLog } from '../store/audit.ts';
import type { GatehouseEvent } from '../core/event.ts';
import { severityRank, type Incident } from '../core/incident.ts';
import { GatehouseError } from '../core/errors.ts';
import * as engine from '../core/incidents/engine.ts';
import type { Drill, EngineConfig, EngineState, IncidentChange, Step } from '../core/incidents/engine.ts';
import { recordVisit, roundsOn, type RoundStatus } from '../core/incidents/patrols.ts';
import { patrolMissedRule } from '../core/incidents/rules/patrolMissed.ts';
import type { Actor } from '../core/actor.ts';

export type ChangeListener = (changes: readonly IncidentChange[]) => void;

export interface IncidentHooks {
  /** Runs inside the transaction that writes the changes (the county outbox writes there). */
  readonly withinTransaction?: (changes: readonly IncidentChange[]) => void;
}

/**
 * Holds the engine's state and persists what the pure engine decides. Changes
 * are written in the caller's transaction (events) or in their own (commands,
 * ticks) together with their audit rows; listeners hear of them only after the
 * commit.
 */
export class IncidentService {
  private state: EngineState;
  private readonly listeners = new Set<ChangeListener>();
  private readonly transactionHooks: ((changes: readonly IncidentChange[]) => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly store: IncidentStore,
    private readonly drillStore: DrillStore,
    private readonly audit: AuditLog,
    private config: EngineConfig,
    private readonly newId: () => string,
    since: number,
    hooks: IncidentHooks = {},
  ) {
    if (hooks.withinTransaction) this.transactionHooks.push(hooks.withinTransaction);
    this.state = engine.initialState(store.active(), drillStore.activeAt(since), since);
  }

  /** The rules' settings changed (a reloaded config, a device added): open incidents stay as they are. */
  reconfigure(config: EngineConfig): void {
    this.config = config;
  }

  /** Run `hook` inside the transaction that writes each batch of changes (the county outbox, the series write there). */
  onTransaction(hook: (changes: readonly IncidentChange[]) => void): void {
    this.transactionHooks.push(hook);
  }

  /**
   * What the incident list shows: open and acknowledged ones loudest first
   * (severity, then oldest), then resolved ones newest first, up to `limit`.
   */
  list(status: 'open' | 'acknowledged' | 'resolved' | undefined, limit: number): Incident[] {
    if (status === 'resolved') return this.store.list({ status, limit });
    const active = this.active().filter((i) => status === undefined || i.status === status);
    active.sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || a.openedAt - b.openedAt);
    if (status !== undefined) return active.slice(0, limit);
    const resolved = this.store.list({ status: 'resolved', limit: Math.max(0, limit - active.length) });
    return [...active, ...resolved].slice(0, limit);
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** For rollback when the surrounding transaction fails. */
  snapshot(): EngineState {
    return this.state;
  }
  restore(state: EngineState): void {
    this.state = state;
  }

  /** Run the rules on a stored event. Call inside the transaction that stored it. */
  applyEvent(event: GatehouseEvent, now: number): readonly IncidentChange[] {
    return this.persist(engine.onEvent(this.state, event, now, this.config, this.newId));
  }

  /** Rebuild patrol visits from stored events after a restart (no verdicts, no incidents). */
  replayVisits(events: readonly GatehouseEvent[]): void {
    let patrols = engine.ruleState(this.state, patrolMissedRule);
    for (const e of events) patrols = recordVisit(patrols, this.config.patrols, e, this.config.calendar.timezone);
    this.state = engine.withRuleState(this.state, patrolMissedRule, patrols);
  }

  acknowledge(id: string, actor: Actor, note: string | undefined, now: number): Incident {
    return this.command(actor, 'incident.acknowledge', id, now, () =>
      engine.acknowledge(this.state, { id, actor: actor.username, role: actor.role, note }, now, (x) => this.store.get(x)),
    );
  }

  tickStep(id: string, index: number, actor: Actor, now: number): Incident {
    return this.command(actor, 'incident.step', id, now, () =>
      engine.tickStep(this.state, { id, index, actor: actor.username, role: actor.role }, now, (x) => this.store.get(x)),
    );
  }

  resolve(id: string, actor: Actor, note: string | undefined, override: string | undefined, now: number): Incident {
    return this.command(actor, override ? 'incident.resolve_override' : 'incident.resolve', id, now, () =>
      engine.resolve(this.state, { id, actor: actor.username, role: actor.role, note, override }, now, (x) => this.store.get(x)),
    );
  }

  /** Escalations, expired drills, missed patrol rounds; committed and published here. */
  tick(now: number): readonly IncidentChange[] {
    const step = engine.tick(this.state, now, this.config, this.newId);
    if (step.changes.length === 0) {
      this.state = step.state;
      return [];
    }
    this.transaction(() => this.persist(step));
    this.publish(step.changes);
    return step.changes;
  }

  /** Raise (or fold into) an incident about the hub itself; committed and published here. */
  raise(hit: engine.Hit, now: number): Incident {
    const step = engine.raise(this.state, hit, now, this.config, this.newId);
    this.transaction(() => this.persist(step));
    this.publish(step.changes);
    return step.changes[0]!.incident;
  }

  /** A person reports an incident (phoned in, seen on a round); audited in the same transaction. */
  report(hit: engine.Hit, note: string | undefined, actor: Actor, now: number): Incident {
    const step = engine.report(this.state, hit, actor.username, note, now, this.config, this.newId);
    const incident = step.changes[0]!.incident;
    this.transaction(() => {
      this.persist(step);
      this.audit.append(auditEntry(actor, 'incident.report', { type: 'incident', id: incident.id }, 'ok', { kind: hit.kind, severity: hit.severity, zoneId: hit.zoneId }), now);
    });
    this.publish(step.changes);
    return incident;
  }

  startDrill(zoneId: string | null, minutes: number, note: string | undefined, actor: Actor, now: number): Drill {
    const drill: Drill = { id: this.newId(), zoneId, startedAt: now, endsAt: now + minutes * 60_000, startedBy: actor.username };
    this.transaction(() => {
      this.drillStore.save(drill, note);
      this.audit.append(auditEntry(actor, 'drill.start', { type: 'drill', id: drill.id }, 'ok', { zoneId, minutes, note }), now);
      this.state = engine.startDrill(this.state, drill);
    });
    return drill;
  }

  stopDrill(id: string, actor: Actor, now: number): Drill {
    const drill = this.drillStore.get(id);
    if (!drill) throw new GatehouseError('GH_DRILL_NOT_FOUND', id);
    this.transaction(() => {
      this.drillStore.stop(id, actor.username, now);
      this.audit.append(auditEntry(actor, 'drill.stop', { type: 'drill', id }), now);
      this.state = engine.stopDrill(this.state, id, now);
    });
    return { ...drill, endsAt: Math.min(drill.endsAt, now) };
  }

  drills(now: number): readonly Drill[] {
    return this.state.drills.filter((d) => d.startedAt <= now && now < d.endsAt);
  }

  rounds(now: number): RoundStatus[] {
    return roundsOn(engine.ruleState(this.state, patrolMissedRule), this.config.patrols, now, this.config.calendar.timezone);
  }

  publish(changes: readonly IncidentChange[]): void {
    if (changes.length === 0) return;
    for (const listener of this.listeners) listener(changes);
  }

  get(id: string): Incident | undefined {
    return this.state.active.get(id) ?? this.store.get(id);
  }

  active(): Incident[] {
    return [...this.state.active.values()];
  }

  private transaction(run: () => void): void {
    const before = this.state;
    try {
      this.db.transaction(run)();
    } catch (err) {
      this.state = before;
      throw err;
    }
  }

  private persist(step: Step): readonly IncidentChange[] {
    for (const change of step.changes) {
      if (change.type !== 'recorded') this.store.save(change.incident);
      if (change.linked) this.store.link(change.incident.id, change.linked);
      // A folded event's link is its record; the timeline stays the human story (and O(1) to read).
      if (change.type !== 'folded' || !change.linked) this.store.appendTimeline(change.entry);
    }
    for (const effect of step.effects) {
      if (effect.type === 'panic_tested') this.drillStore.recordTest(effect.deviceId, effect.drillId, effect.at);
    }
    if (step.changes.length > 0) for (const hook of this.transactionHooks) hook(step.changes);
    this.state = step.state;
    return step.changes;
  }

  private command(actor: Actor, action: string, id: string, now: number, run: () => Step): Incident {
    let step: Step;
    try {
      step = run();
    } catch (err) {
      if (err instanceof GatehouseError) {
        this.audit.append(auditEntry(actor, action, { type: 'incident', id }, err.status === 403 ? 'denied' : 'failed', { code: err.code }), now);
      }
      throw err;
    }
    this.transaction(() => {
      this.persist(step);
      this.audit.append(auditEntry(actor, action, { type: 'incident', id }), now);
    });
    this.publish(step.changes);
    return step.changes[step.changes.length - 1]!.incident;
  }
}
