import type { Incident } from '../../src/console/lib/types.ts';

/** An incident as the API lists it, with overrides (console view-logic tests). */
export function incident(id: string, o: Partial<Incident> = {}): Incident {
  return {
    id,
    kind: 'panic',
    severity: 'critical',
    zoneId: 'building-a',
    title: `Panic alarm at ${id}`,
    status: 'open',
    openedAt: 1000,
    escalationLevel: 0,
    eventIds: [],
    count: 1,
    drill: false,
    lastEventAt: 1000,
    procedure: [],
    data: {},
    ...o,
  };
}
