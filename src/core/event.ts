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
