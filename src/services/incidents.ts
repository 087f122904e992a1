import type { Db } from '../store/database.ts';
import type { IncidentStore } from '../store/incidents.ts';
import type { GatehouseEvent } from '../core/event.ts';
import type { Incident } from '../core/incident.ts';
import {
  acknowledge,
  onEvent,
  resolve,
  stateFrom,
  tick,
  type EngineConfig,
  type EngineState,
  type IncidentChange,
  type Step,
} from '../core/incidents/engine.ts';

export type ChangeListener = (changes: readonly IncidentChange[]) => void;

/**
 * Holds the engine's state and persists what the pure engine decides. Changes
 * are written in the caller's transaction (events) or in their own (commands);
 * listeners hear of them only after the commit.
 */
export class IncidentService {
  private state: EngineState;
  private readonly listeners = new Set<ChangeListener>();

  constructor(
    private readonly db: Db,
    private readonly store: IncidentStore,
    private readonly config: EngineConfig,
    private readonly newId: () => string,
  ) {
    this.state = stateFrom(store.active());
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
    return this.persist(onEvent(this.state, event, now, this.config, this.newId));
  }

  acknowledge(id: string, actor: string, note: string | undefined, now: number): Incident {
    return this.command(() => acknowledge(this.state, { id, actor, note }, now, (x) => this.store.get(x)));
  }

  resolve(id: string, actor: string, note: string | undefined, now: number): Incident {
    return this.command(() => resolve(this.state, { id, actor, note }, now, (x) => this.store.get(x)));
  }

  /** Escalations due at `now`; committed and published here. */
  tick(now: number): readonly IncidentChange[] {
    const step = tick(this.state, now, this.config);
    if (step.changes.length === 0) return [];
    const before = this.state;
    try {
      this.db.transaction(() => this.persist(step))();
    } catch (err) {
      this.state = before;
      throw err;
    }
    this.publish(step.changes);
    return step.changes;
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

  private persist(step: Step): readonly IncidentChange[] {
    for (const change of step.changes) {
      if (change.type !== 'recorded') this.store.save(change.incident);
      this.store.appendTimeline(change.entry);
    }
    this.state = step.state;
    return step.changes;
  }

  private command(run: () => Step): Incident {
    const step = run();
    const before = this.state;
    try {
      this.db.transaction(() => this.persist(step))();
    } catch (err) {
      this.state = before;
      throw err;
    }
    this.publish(step.changes);
    return step.changes[0]!.incident;
  }
}
