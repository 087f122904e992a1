import type { DecodeResult, DecodedEvent, DeviceHealth, RawMessage } from '../src/core/device.ts';

/**
 * Building blocks shared by the Zigbee2MQTT profiles (devices/zigbee-*), composed
 * as zigbee-herdsman-converters composes `battery`, `tamper` and `iasZoneAlarm`.
 * Pure: what each device said last comes back to `decode` as its state.
 *
 * The bridge hands each device two channels (src/transports/zigbee2mqtt/topics.ts):
 * - `state`: the JSON Zigbee2MQTT publishes on `{baseTopic}/{friendlyName}`. With
 *   Zigbee2MQTT's default `cache_state: true` it carries the device's whole
 *   last-known state every time (a battery report repeats `contact`, `tamper`),
 *   so a state key raises an event only when it changes, never on repetition;
 *   `action` is not cached and is an event each time.
 * - `availability`: `{baseTopic}/{friendlyName}/availability`, `online`/`offline`
 *   (1.x) or `{"state":"online"}` (2.x), when Zigbee2MQTT's availability feature is on.
 */

/** Health keys every Zigbee profile reports (device_health series), as herdsman names them. */
export const ZIGBEE_HEALTH_KEYS = ['battery', 'battery_low', 'linkquality', 'voltage'] as const;

/**
 * Zigbee2MQTT's `availability.passive.timeout` default for battery devices (1500
 * minutes): a sleeping sensor checks in about hourly, so silence shorter than
 * this says nothing.
 */
export const ZIGBEE_BATTERY_OFFLINE_AFTER = 1500 * 60;

/** What a device last said of the state keys that raise events when they change. */
export type ZigbeeState = Readonly<Record<string, boolean>>;

type Result = DecodeResult<ZigbeeState>;

export function reject(reason: 'not_json' | 'not_object' | 'unknown_channel' | 'bad_field', detail: string): Result {
  return { ok: false, reason, detail };
}

/** The payload as a JSON object, or why not. */
export function jsonObject(raw: RawMessage): { value: Readonly<Record<string, unknown>> } | { error: Result } {
  let value: unknown = raw.payload;
  if (Buffer.isBuffer(raw.payload)) {
    try {
      value = JSON.parse(raw.payload.toString('utf8'));
    } catch {
      const head = raw.payload.subarray(0, 40).toString('utf8');
      return { error: reject('not_json', `Zigbee2MQTT payloads are JSON; this starts with ${JSON.stringify(head)}`) };
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: reject('not_object', 'a Zigbee2MQTT device payload is a JSON object') };
  return { value: value as Record<string, unknown> };
}

/**
 * battery (%), battery_low, linkquality (0–255), voltage (mV). Zigbee2MQTT sends
 * `null` for a value it has not read yet; that, and a value of another type, is
 * left out rather than costing the message (it may carry an alarm).
 */
export function healthOf(msg: Readonly<Record<string, unknown>>): DeviceHealth | undefined {
  const health: Record<string, number | boolean> = {};
  for (const key of ZIGBEE_HEALTH_KEYS) {
    const v = msg[key];
    if (key === 'battery_low' ? typeof v === 'boolean' : typeof v === 'number' && Number.isFinite(v)) health[key] = v as number | boolean;
  }
  return Object.keys(health).length > 0 ? health : undefined;
}

/** `last_seen` when Zigbee2MQTT adds it (`advanced.last_seen: ISO_8601` or `epoch`): the event's time. */
export function lastSeenOf(msg: Readonly<Record<string, unknown>>): number | undefined {
  const v = msg['last_seen'];
  if (typeof v === 'number' && Number.isInteger(v) && v > 1e11) return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

/**
 * A boolean state key that raises an event when it becomes `raised` (tamper
 * true, contact false, sos true). On first sight — after a hub restart, say —
 * only the raised value is news; the normal one is assumed.
 */
export function edge(previous: boolean | undefined, now: unknown, raised: boolean): 'raised' | 'normal' | undefined {
  if (typeof now !== 'boolean' || now === previous) return undefined;
  if (previous === undefined && now !== raised) return undefined;
  return now === raised ? 'raised' : 'normal';
}

/** `tamper: true` (the IAS zone's tamper bit: the case opened, the sensor pulled off the wall) → device.fault. */
export function tamperEvents(previous: ZigbeeState | undefined, msg: Readonly<Record<string, unknown>>): DecodedEvent[] {
  return edge(previous?.['tamper'], msg['tamper'], true) === 'raised' ? [{ kind: 'device.fault', data: { reason: 'tamper' } }] : [];
}

/** The state keys of `msg` that are booleans, over the previous state. */
export function nextState(previous: ZigbeeState | undefined, msg: Readonly<Record<string, unknown>>, keys: readonly string[]): ZigbeeState {
  const next: Record<string, boolean> = { ...previous };
  for (const key of keys) if (typeof msg[key] === 'boolean') next[key] = msg[key] as boolean;
  return next;
}

/** `{baseTopic}/{friendlyName}/availability`: online or offline, in the 1.x and 2.x shapes. */
export function decodeAvailability(raw: RawMessage): Result {
  const text = Buffer.isBuffer(raw.payload) ? raw.payload.toString('utf8').trim() : undefined;
  if (text === 'online' || text === 'offline') return { ok: true, events: [], online: text === 'online' };
  const parsed = jsonObject(raw);
  if ('error' in parsed) return reject('bad_field', 'availability must be "online", "offline" or {"state":"online"|"offline"}');
  const state = parsed.value['state'];
  if (state !== 'online' && state !== 'offline') return reject('bad_field', 'availability state must be "online" or "offline"');
  return { ok: true, events: [], online: state === 'online' };
}
