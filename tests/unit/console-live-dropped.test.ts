/** The console counts the routine events the hub left out while it could not keep up, and says so in the top bar. */
import { describe, expect, test } from 'vitest';
import { applyMessages, emptyState } from '../../src/console/lib/state.ts';
import { en } from '../../src/console/lib/messages/en.ts';
import { zh } from '../../src/console/lib/messages/zh.ts';

describe('dropped routine events', () => {
  test('each notice adds to the count and marks the top bar for a redraw', () => {
    const state = emptyState(0);
    const first = applyMessages(state, [{ type: 'dropped', data: { count: 120, total: 120 } }]);
    expect(state.droppedEvents).toBe(120);
    expect(first.health).toBe(true);
    applyMessages(state, [{ type: 'dropped', data: { count: 30, total: 150 } }]);
    expect(state.droppedEvents).toBe(150);
  });

  test('both languages say it', () => {
    expect(en['top.live.dropped']).toContain('{n}');
    expect(zh['top.live.dropped']).toContain('{n}');
  });
});
