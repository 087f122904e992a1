import { describe, expect, it } from 'vitest';
import { activeQueue, alarming, compareUrgency, mergeIncident, missingMandatory, moveSelection } from '../../src/console/lib/queue.ts';
import { shortcutFor } from '../../src/console/lib/shortcuts.ts';
import { visibleRange } from '../../src/console/lib/virtual.ts';
import { createBatcher } from '../../src/console/lib/batcher.ts';
import { incident } from '../helpers/consoleFixtures.ts';

describe('the incident queue order', () => {
  it('puts the most severe first, real before drill, untaken before acknowledged, then the oldest', () => {
    const items = [
      incident('low-old', { severity: 'low', openedAt: 1 }),
      incident('crit-acked', { status: 'acknowledged', openedAt: 5 }),
      incident('crit-drill', { drill: true, openedAt: 2 }),
      incident('high', { severity: 'high', openedAt: 3 }),
      incident('crit-new', { openedAt: 9 }),
      incident('crit-old', { openedAt: 4 }),
      incident('medium', { severity: 'medium', openedAt: 0 }),
      incident('resolved', { status: 'resolved', openedAt: 0 }),
    ];
    expect(activeQueue(items).map((i) => i.id)).toEqual(['crit-old', 'crit-new', 'crit-acked', 'crit-drill', 'high', 'medium', 'low-old']);
  });

  it('is a total order (ties broken by id), so the list does not jump between renders', () => {
    const a = incident('a');
    const b = incident('b');
    expect(compareUrgency(a, b)).toBeLessThan(0);
    expect(compareUrgency(b, a)).toBeGreaterThan(0);
    expect(compareUrgency(a, a)).toBe(0);
  });

  it('sounds only for critical incidents nobody has acknowledged', () => {
    const items = [incident('a'), incident('b', { status: 'acknowledged' }), incident('c', { severity: 'high' }), incident('d', { drill: true })];
    expect(alarming(items).map((i) => i.id)).toEqual(['a', 'd']);
  });

  it('orders 500 incidents', () => {
    const many = Array.from({ length: 500 }, (_, k) => incident(`i${k}`, { severity: (['critical', 'high', 'medium', 'low'] as const)[k % 4], openedAt: 1000 - k }));
    const queue = activeQueue(many);
    expect(queue).toHaveLength(500);
    expect(queue[0]!.severity).toBe('critical');
    expect(queue[499]!.severity).toBe('low');
  });
});

describe('merging a live update into what the console holds', () => {
  it('never takes an incident back (a late or replayed message loses to a newer copy)', () => {
    const acked = incident('x', { status: 'acknowledged', acknowledgedBy: 'guard1' });
    const stale = incident('x');
    expect(mergeIncident(acked, stale)).toBe(acked);
    expect(mergeIncident(stale, acked)).toBe(acked);
    const folded = incident('x', { count: 3, lastEventAt: 3000 });
    expect(mergeIncident(folded, incident('x', { count: 2 }))).toBe(folded);
    const ticked = incident('x', { procedure: [{ step: 'Call 110', mandatory: true, doneAt: 5, doneBy: 'g' }] });
    expect(mergeIncident(ticked, incident('x', { procedure: [{ step: 'Call 110', mandatory: true }] }))).toBe(ticked);
    const resolved = incident('x', { status: 'resolved' });
    expect(mergeIncident(resolved, folded)).toBe(resolved);
  });

  it('takes the incoming copy when both are equally far on, and a new incident as it is', () => {
    const a = incident('x');
    const b = incident('x');
    expect(mergeIncident(a, b)).toBe(b);
    expect(mergeIncident(undefined, a)).toBe(a);
  });

  it('lists the mandatory checklist steps still unticked', () => {
    const i = incident('x', {
      procedure: [
        { step: 'Call 110', mandatory: true, doneAt: 1 },
        { step: 'Check camera', mandatory: true },
        { step: 'Inform the principal', mandatory: false },
      ],
    });
    expect(missingMandatory(i)).toEqual([1]);
  });
});

describe('keyboard', () => {
  it('maps keys to queue actions, and ignores them while typing (except Escape)', () => {
    expect(shortcutFor({ key: 'ArrowDown' }, false)).toEqual({ type: 'move', delta: 1 });
    expect(shortcutFor({ key: 'k' }, false)).toEqual({ type: 'move', delta: -1 });
    expect(shortcutFor({ key: 'a' }, false)).toEqual({ type: 'ack' });
    expect(shortcutFor({ key: 'R' }, false)).toEqual({ type: 'resolve' });
    expect(shortcutFor({ key: 'm' }, false)).toEqual({ type: 'mute' });
    expect(shortcutFor({ key: '3' }, false)).toEqual({ type: 'screen', index: 2 });
    expect(shortcutFor({ key: '?' }, false)).toEqual({ type: 'help' });
    expect(shortcutFor({ key: 'a' }, true)).toBeUndefined();
    expect(shortcutFor({ key: 'Escape' }, true)).toEqual({ type: 'escape' });
    expect(shortcutFor({ key: 'a', ctrlKey: true }, false)).toBeUndefined();
    expect(shortcutFor({ key: 'x' }, false)).toBeUndefined();
  });

  it('moves the selection within the list', () => {
    expect(moveSelection(-1, 1, 5)).toBe(0);
    expect(moveSelection(-1, -1, 5)).toBe(4);
    expect(moveSelection(4, 1, 5)).toBe(4);
    expect(moveSelection(0, -1, 5)).toBe(0);
    expect(moveSelection(2, 10, 5)).toBe(4);
    expect(moveSelection(0, 1, 0)).toBe(-1);
  });
});

describe('rendering only what is visible', () => {
  it('picks the rows in view plus a few either side', () => {
    expect(visibleRange(0, 600, 84, 500)).toEqual({ start: 0, end: 12 });
    expect(visibleRange(84 * 100, 600, 84, 500)).toEqual({ start: 96, end: 112 });
    expect(visibleRange(84 * 498, 600, 84, 500).end).toBe(500);
    expect(visibleRange(0, 600, 84, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe('batching live messages', () => {
  it('hands over everything pushed before the scheduled flush in one batch', () => {
    const batches: number[][] = [];
    let scheduled: (() => void) | undefined;
    let schedules = 0;
    const b = createBatcher<number>(
      (items) => batches.push(items),
      (run) => {
        schedules++;
        scheduled = run;
        return () => (scheduled = undefined);
      },
    );
    for (let k = 0; k < 100; k++) b.push(k);
    expect(schedules).toBe(1);
    expect(b.pending).toBe(100);
    scheduled!();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(100);
    b.push(1);
    b.flush(); // flushing early cancels the scheduled run
    expect(scheduled).toBeUndefined();
    expect(batches).toHaveLength(2);
    b.push(2);
    b.cancel();
    expect(b.pending).toBe(0);
  });
});
