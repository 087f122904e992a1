import type { GateEvent } from './types.ts';

/** GET /api/v1/incidents/{id}/events: newest first; `next` is the `before` of the following page. */
export interface EventPage {
  readonly items: readonly GateEvent[];
  readonly next?: number;
}

/** What the incident detail shows of its events: the newest pages, loaded so far, with no gap. */
export interface EventList {
  readonly items: readonly GateEvent[];
  /** Where the next (older) page starts; undefined when the oldest is shown. */
  readonly next: number | undefined;
}

export const EVENTS_PAGE = 50;

/**
 * A fresh newest page on top of the list shown. If it reaches down into the list
 * (its oldest event is there), the older pages stay below it; otherwise more events
 * came in than a page holds, and showing the older pages under it would hide a gap:
 * the list starts again from this page.
 */
export function withNewest(list: EventList | undefined, page: EventPage): EventList {
  const fresh: EventList = { items: page.items, next: page.next };
  if (!list || page.items.length === 0 || page.next === undefined) return fresh;
  const oldest = page.items[page.items.length - 1]!.id;
  const at = list.items.findIndex((e) => e.id === oldest);
  if (at < 0) return fresh;
  return { items: [...page.items, ...list.items.slice(at + 1)], next: list.next };
}

/** An older page below the list (ids already shown are not repeated). */
export function withOlder(list: EventList, page: EventPage): EventList {
  const shown = new Set(list.items.map((e) => e.id));
  return { items: [...list.items, ...page.items.filter((e) => !shown.has(e.id))], next: page.next };
}
