import { describe, expect, it } from 'vitest';
import { acknowledge, defaultEngineConfig, emptyState, onEvent, resolve, initialState, tick as tickWith, type EngineState, type EngineConfig } from '../../src/core/incidents/engine.ts';
import type { EventKind, GatehouseEvent } from '../../src/core/event.ts';
import { GatehouseError } from '../../src/core/errors.ts';

let n = 0;
const ids = () => `inc-${++n}`;
const T0 = 1_800_000_000_000;
const event = (kind: EventKind, zoneId = 'building-a', deviceId = 'panic-1'): GatehouseEvent => ({
  id: `evt-${++n}`,
  deviceId,
  zoneId,
  kind,
  ts: T0,
  receivedAt: T0,
  data: {},
});
const none = () => undefined;
const tick = (s: EngineState, now: number, c: EngineConfig) => tickWith(s, now, c, ids);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof GatehouseError ? err.code : String(err);
  }
  return undefined;
}

describe('incident engine (pure)', () => {
  it('opens a critical incident on a panic', () => {
    const step = onEvent(emptyState, event('alarm.panic'), T0, defaultEngineConfig, ids);
    expect(step.changes).toHaveLength(1);
    expect(step.changes[0]!.type).toBe('opened');
    expect(step.changes[0]!.incident).toMatchObject({ kind: 'panic', severity: 'critical', status: 'open', zoneId: 'building-a', count: 1, drill: false });
    expect(step.state.active.size).toBe(1);
  });

  it('ignores events no rule cares about', () => {
    const step = onEvent(emptyState, event('access.granted'), T0, defaultEngineConfig, ids);
    expect(step.changes).toEqual([]);
    expect(step.state).toBe(emptyState);
  });

  it('folds a second panic in the same zone, opens a new one in another zone', () => {
    let s: EngineState = onEvent(emptyState, event('alarm.panic'), T0, defaultEngineConfig, ids).state;
    const folded = onEvent(s, event('alarm.panic', 'building-a', 'panic-2'), T0 + 1000, defaultEngineConfig, ids);
    expect(folded.changes[0]!.type).toBe('folded');
    expect(folded.changes[0]!.incident.count).toBe(2);
    expect(folded.changes[0]!.incident.eventIds).toHaveLength(2);
    s = folded.state;
    const other = onEvent(s, event('alarm.panic', 'gate'), T0 + 2000, defaultEngineConfig, ids);
    expect(other.changes[0]!.type).toBe('opened');
    expect(other.state.active.size).toBe(2);
  });

  it('latches: alarm.cleared is recorded and changes nothing else (GB 50394)', () => {
    const opened = onEvent(emptyState, event('alarm.panic'), T0, defaultEngineConfig, ids);
    const cleared = onEvent(opened.state, event('alarm.cleared'), T0 + 5000, defaultEngineConfig, ids);
    expect(cleared.changes).toHaveLength(1);
    expect(cleared.changes[0]!.type).toBe('recorded');
    expect(cleared.changes[0]!.entry).toMatchObject({ type: 'event', eventKind: 'alarm.cleared' });
    expect(cleared.changes[0]!.incident.status).toBe('open');
    expect(cleared.state.active.get(opened.changes[0]!.incident.id)!.status).toBe('open');
  });

  it('alarm.cleared with no open panic does nothing', () => {
    expect(onEvent(emptyState, event('alarm.cleared'), T0, defaultEngineConfig, ids).changes).toEqual([]);
  });

  it('acknowledge then resolve (note required); resolved incidents leave the state', () => {
    const opened = onEvent(emptyState, event('alarm.panic'), T0, defaultEngineConfig, ids);
    const id = opened.changes[0]!.incident.id;
    const acked = acknowledge(opened.state, { id, actor: 'guard1', note: 'on my way' }, T0 + 10_000, none);
    expect(acked.changes[0]!.incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'guard1', acknowledgedAt: T0 + 10_000, note: 'on my way' });
    expect(code(() => acknowledge(acked.state, { id, actor: 'guard2' }, T0 + 11_000, none))).toBe('GH_INCIDENT_ALREADY_ACKNOWLEDGED');
    expect(code(() => resolve(acked.state, { id, actor: 'guard1', note: '  ' }, T0 + 20_000, none))).toBe('GH_NOTE_REQUIRED');
    const resolved = resolve(acked.state, { id, actor: 'guard1', note: 'false alarm, student leaned on it' }, T0 + 20_000, none);
    expect(resolved.changes[0]!.incident).toMatchObject({ status: 'resolved', resolvedBy: 'guard1', resolvedAt: T0 + 20_000 });
    expect(resolved.state.active.size).toBe(0);
    // after resolution a new panic opens a new incident
    const again = onEvent(resolved.state, event('alarm.panic'), T0 + 30_000, defaultEngineConfig, ids);
    expect(again.changes[0]!.type).toBe('opened');
    expect(again.changes[0]!.incident.id).not.toBe(id);
  });

  it('resolving an open incident acknowledges it implicitly', () => {
    const opened = onEvent(emptyState, event('alarm.panic'), T0, defaultEngineConfig, ids);
    const id = opened.changes[0]!.incident.id;
    const resolved = resolve(opened.state, { id, actor: 'officer1', note: 'handled' }, T0 + 1, none);
    expect(resolved.changes[0]!.incident).toMatchObject({ acknowledgedBy: 'officer1', acknowledgedAt: T0 + 1 });
  });

  it('refuses unknown and already-resolved incidents with distinct codes', () => {
    expect(code(() => acknowledge(emptyState, { id: 'nope', actor: 'g' }, T0, none))).toBe('GH_INCIDENT_NOT_FOUND');
    const resolvedLookup = () => ({ id: 'x' }) as never;
    expect(code(() => resolve(emptyState, { id: 'x', actor: 'g', note: 'n' }, T0, resolvedLookup))).toBe('GH_INCIDENT_RESOLVED');
  });

  it('escalates an unacknowledged critical incident at each escalateAfter period, not before', () => {
    const opened = onEvent(emptyState, event('alarm.panic'), T0, defaultEngineConfig, ids);
    expect(tick(opened.state, T0 + 29_999, defaultEngineConfig).changes).toEqual([]);
    const first = tick(opened.state, T0 + 30_000, defaultEngineConfig);
    expect(first.changes[0]!.type).toBe('escalated');
    expect(first.changes[0]!.incident).toMatchObject({ escalationLevel: 1, escalatedAt: T0 + 30_000 });
    expect(tick(first.state, T0 + 45_000, defaultEngineConfig).changes).toEqual([]);
    const second = tick(first.state, T0 + 60_000, defaultEngineConfig);
    expect(second.changes[0]!.incident.escalationLevel).toBe(2);
  });

  it('does not escalate acknowledged incidents or severities without a period', () => {
    const opened = onEvent(emptyState, event('alarm.panic'), T0, defaultEngineConfig, ids);
    const id = opened.changes[0]!.incident.id;
    const acked = acknowledge(opened.state, { id, actor: 'g' }, T0 + 1000, none);
    expect(tick(acked.state, T0 + 600_000, defaultEngineConfig).changes).toEqual([]);
    expect(tick(opened.state, T0 + 600_000, { ...defaultEngineConfig, escalateAfter: {} }).changes).toEqual([]);
  });

  it('rebuilds its state from stored incidents (restart)', () => {
    const opened = onEvent(emptyState, event('alarm.panic'), T0, defaultEngineConfig, ids);
    const restored = initialState([...opened.state.active.values()], [], T0);
    const folded = onEvent(restored, event('alarm.panic'), T0 + 1, defaultEngineConfig, ids);
    expect(folded.changes[0]!.type).toBe('folded');
  });
});
