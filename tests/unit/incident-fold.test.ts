import { describe, expect, it } from 'vitest';
import { defaultEngineConfig, emptyState, onEvent, resolve, ruleState, type EngineState, type IncidentChange } from '../../src/core/incidents/engine.ts';
import { repeatedDenialsRule } from '../../src/core/incidents/rules/repeatedDenials.ts';
import { FIRST_EVENT_IDS, LATEST_EVENT_IDS, keepEventIds } from '../../src/core/incident.ts';
import type { GatehouseEvent } from '../../src/core/event.ts';

// Folding is O(1) per event: an incident keeps a count, a bounded list of ids and
// hands the store one link per event, whatever its history. No timing here: the
// sizes that make the cost flat are checked (tests/bench/foldCost.ts measures it).
const T0 = Date.parse('2026-12-01T02:00:00Z');
let n = 0;
const ids = () => `inc-${++n}`;
const denial = (i: number, deviceId = 'reader-1', zoneId = 'gate'): GatehouseEvent => ({
  id: `evt-${deviceId}-${i}`,
  deviceId,
  zoneId,
  kind: 'access.denied',
  ts: T0 + i,
  receivedAt: T0 + i,
  data: { card: `${i}` },
});

describe('keepEventIds', () => {
  it('keeps every id while there are few, then the first and the latest', () => {
    const all = Array.from({ length: 50 }, (_, i) => `e${i}`);
    expect(keepEventIds([], all.slice(0, 5))).toEqual(all.slice(0, 5));
    let kept: string[] = [];
    for (const id of all) kept = keepEventIds(kept, [id]);
    expect(kept).toEqual([...all.slice(0, FIRST_EVENT_IDS), ...all.slice(50 - LATEST_EVENT_IDS)]);
    // a long list from an old database is trimmed at its next fold
    expect(keepEventIds(all, ['x'])).toEqual([...all.slice(0, FIRST_EVENT_IDS), ...all.slice(51 - LATEST_EVENT_IDS), 'x']);
  });
});

describe('folding 100,000 denials into one incident (pure engine)', () => {
  it('counts every one, keeps the first and latest ids, links each once with its place, and keeps the denial window small', () => {
    let state: EngineState = emptyState;
    const linked: { seq: number; id: string }[] = [];
    let last: IncidentChange | undefined;
    let timelineLines = 0;
    const N = 100_000;
    for (let i = 1; i <= N; i++) {
      const step = onEvent(state, denial(i), T0 + i, defaultEngineConfig, ids);
      state = step.state;
      for (const c of step.changes) {
        last = c;
        for (const l of c.linked ?? []) linked.push({ seq: l.seq, id: l.id });
        if (c.type !== 'folded' || !c.linked) timelineLines++;
      }
      // the reader's window never holds more than the rule's threshold needs
      expect(ruleState(state, repeatedDenialsRule).get('reader-1')!.length).toBeLessThanOrEqual(repeatedDenialsRule.defaults.count);
    }
    const incident = last!.incident;
    expect(state.active.size).toBe(1);
    expect(incident).toMatchObject({ kind: 'repeated_denials', count: N });
    expect(incident.eventIds).toHaveLength(FIRST_EVENT_IDS + LATEST_EVENT_IDS);
    expect(incident.eventIds.slice(0, FIRST_EVENT_IDS)).toEqual(Array.from({ length: FIRST_EVENT_IDS }, (_, i) => denial(i + 1).id));
    expect(incident.eventIds.slice(FIRST_EVENT_IDS)).toEqual(Array.from({ length: LATEST_EVENT_IDS }, (_, i) => denial(N - LATEST_EVENT_IDS + 1 + i).id));
    // every denial linked exactly once, numbered 1..N in order of arrival
    expect(linked).toHaveLength(N);
    expect(linked.every((l, i) => l.seq === i + 1 && l.id === denial(i + 1).id)).toBe(true);
    // one timeline line (opened), not one per event
    expect(timelineLines).toBe(1);
  });

  it('an incident opened after another reader began denying does not take that reader’s earlier denials when it reaches the threshold', () => {
    let state: EngineState = emptyState;
    const step = (e: GatehouseEvent) => {
      const s = onEvent(state, e, e.receivedAt, defaultEngineConfig, ids);
      state = s.state;
      return s.changes;
    };
    step(denial(1, 'reader-2'));
    step(denial(2, 'reader-2'));
    const opened = [...step(denial(3)), ...step(denial(4)), ...step(denial(5))];
    expect(opened.map((c) => c.type)).toEqual(['opened']);
    expect(opened[0]!.linked!.map((l) => [l.seq, l.id])).toEqual([
      [1, denial(3).id],
      [2, denial(4).id],
      [3, denial(5).id],
    ]);
    // reader-2's third denial is its threshold, but the incident is open: only this denial joins
    const folded = step(denial(6, 'reader-2'));
    expect(folded.map((c) => c.type)).toEqual(['folded']);
    expect(folded[0]!.linked).toEqual([{ seq: 4, id: denial(6, 'reader-2').id, deviceId: 'reader-2', ts: T0 + 6 }]);
    expect(folded[0]!.incident).toMatchObject({ count: 4, eventIds: [denial(3).id, denial(4).id, denial(5).id, denial(6, 'reader-2').id] });
  });

  it('after the incident is resolved, the next threshold opens a new one numbered from 1', () => {
    let state: EngineState = emptyState;
    for (let i = 1; i <= 5; i++) state = onEvent(state, denial(i), T0 + i, defaultEngineConfig, ids).state;
    const id = [...state.active.keys()][0]!;
    state = resolve(state, { id, actor: 'guard1', note: 'card reader jammed' }, T0 + 10, () => undefined).state;
    const next = onEvent(state, denial(11), T0 + 11, defaultEngineConfig, ids);
    expect(next.changes[0]!.type).toBe('opened');
    expect(next.changes[0]!.linked!.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(next.changes[0]!.incident.count).toBe(3);
  });
});
