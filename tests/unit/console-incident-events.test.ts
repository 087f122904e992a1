import { describe, expect, it } from 'vitest';
import { withNewest, withOlder, type EventList } from '../../src/console/lib/incidentEvents.ts';
import type { GateEvent } from '../../src/console/lib/types.ts';

const ev = (n: number): GateEvent => ({ id: `e${n}`, deviceId: 'reader-1', zoneId: 'gate', kind: 'access.denied', ts: n, receivedAt: n, data: {} });
/** Events hi..lo, newest first. */
const range = (hi: number, lo: number): GateEvent[] => Array.from({ length: hi - lo + 1 }, (_, k) => ev(hi - k));
const ids = (l: EventList) => l.items.map((e) => e.id);

// The incident detail's event list: pages from GET /api/v1/incidents/{id}/events put
// together with no event twice and no gap hidden between them.
describe('incident event list (console)', () => {
  it('older pages go below, without repeating what is shown', () => {
    let list = withNewest(undefined, { items: range(100, 51), next: 51 });
    list = withOlder(list, { items: range(50, 1) });
    expect(ids(list)).toEqual(ids({ items: range(100, 1), next: undefined }));
    expect(list.next).toBeUndefined();
  });

  it('a fresh newest page that overlaps keeps the older pages under it', () => {
    let list = withNewest(undefined, { items: range(100, 51), next: 51 });
    list = withOlder(list, { items: range(50, 1), next: undefined });
    list = withNewest(list, { items: range(110, 61), next: 61 });
    expect(ids(list)).toEqual(range(110, 1).map((e) => e.id));
    expect(list.next).toBeUndefined();
  });

  it('a fresh page that does not reach the shown ones starts the list again (a gap is never hidden)', () => {
    let list = withNewest(undefined, { items: range(100, 51), next: 51 });
    list = withNewest(list, { items: range(300, 251), next: 251 });
    expect(ids(list)).toEqual(range(300, 251).map((e) => e.id));
    expect(list.next).toBe(251);
  });

  it('a last page (no next) replaces the list: it is the whole incident', () => {
    const list = withNewest({ items: range(3, 1), next: undefined }, { items: range(4, 1) });
    expect(ids(list)).toEqual(['e4', 'e3', 'e2', 'e1']);
  });
});
