import type { GatehouseEvent } from '../event.ts';

/** A drill (演练): incidents opened in its zone (or anywhere, when zoneId is null) until endsAt are drills. */
export interface Drill {
  readonly id: string;
  readonly zoneId: string | null;
  readonly startedAt: number;
  readonly endsAt: number;
  readonly startedBy: string;
}

export function activeDrill(drills: readonly Drill[], zoneId: string, now: number): Drill | undefined {
  return drills.find((d) => d.startedAt <= now && now < d.endsAt && (d.zoneId === null || d.zoneId === zoneId));
}

/** A panic button pressed during a drill in its zone: its periodic test is done (the caller records it). */
export interface PanicTested {
  readonly type: 'panic_tested';
  readonly deviceId: string;
  readonly drillId: string;
  readonly at: number;
}

export function panicTested(drills: readonly Drill[], panicButtons: ReadonlySet<string>, event: GatehouseEvent, now: number): PanicTested | undefined {
  if (event.kind !== 'alarm.panic' || !panicButtons.has(event.deviceId)) return undefined;
  const drill = activeDrill(drills, event.zoneId, now);
  return drill ? { type: 'panic_tested', deviceId: event.deviceId, drillId: drill.id, at: now } : undefined;
}
