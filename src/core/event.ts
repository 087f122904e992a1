/**
 * The normalized event — DESIGN.md "Normalized event" contract.
 * `ts` and `receivedAt` are epoch milliseconds.
 */
export const EVENT_KINDS = [
  'access.granted',
  'access.denied',
  'door.forced',
  'door.held_open',
  'door.closed',
  /** A door contact reports the door open (Zigbee `contact: false`); `door.closed` when it shuts. */
  'door.opened',
  'alarm.panic',
  'alarm.cleared',
  'camera.motion',
  'camera.tamper',
  'camera.video_loss',
  'camera.intrusion',
  'patrol.checkpoint',
  'device.online',
  'device.offline',
  'device.fault',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * How loud each kind is, in one table: `alarm` kinds are counted as alarms in
 * the daily report and stand out in the console's activity feed; `notice`
 * kinds stand out too; `routine` ones are the campus going about its day. The
 * kinds that open an incident on their own are urgent whatever their weight
 * (src/core/incidents/registry.ts), and a test holds them to `alarm` or `notice`.
 */
export const EVENT_WEIGHT: Readonly<Record<EventKind, 'alarm' | 'notice' | 'routine'>> = {
  'access.granted': 'routine',
  'access.denied': 'notice',
  'door.forced': 'alarm',
  'door.held_open': 'notice',
  'door.closed': 'routine',
  'door.opened': 'routine',
  'alarm.panic': 'alarm',
  'alarm.cleared': 'routine',
  'camera.motion': 'routine',
  'camera.tamper': 'alarm',
  'camera.video_loss': 'alarm',
  'camera.intrusion': 'alarm',
  'patrol.checkpoint': 'routine',
  'device.online': 'routine',
  'device.offline': 'notice',
  'device.fault': 'notice',
};

/** The kinds the daily report counts as alarms. */
export const ALARM_EVENT_KINDS: readonly EventKind[] = EVENT_KINDS.filter((k) => EVENT_WEIGHT[k] === 'alarm');

/** Alarms and notices: what the console's activity feed makes stand out (any string: the feed shows what the API sends). */
export function isNotableKind(kind: string): boolean {
  const weight = (EVENT_WEIGHT as Readonly<Record<string, string>>)[kind];
  return weight === 'alarm' || weight === 'notice';
}

const kindSet: ReadonlySet<string> = new Set(EVENT_KINDS);
export function isEventKind(value: unknown): value is EventKind {
  return typeof value === 'string' && kindSet.has(value);
}

export type EventData = Readonly<Record<string, unknown>>;

export interface GatehouseEvent {
  readonly id: string;
  readonly deviceId: string;
  readonly zoneId: string;
  readonly kind: EventKind;
  /** When it happened, by the device's clock when it sent one (epoch ms). */
  readonly ts: number;
  /** When the hub received it (epoch ms, hub clock). */
  readonly receivedAt: number;
  readonly data: EventData;
  /** The device's own counter, used to drop redeliveries. Not part of the API shape. */
  readonly seq?: number | undefined;
}
