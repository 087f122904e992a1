import Type from 'typebox';
import { readProfileOptions } from '../../src/core/optionsBlock.ts';
import type { DecodeResult, DecodedEvent, DeviceProfile } from '../../src/core/device.ts';
import {
  ZIGBEE_BATTERY_OFFLINE_AFTER, ZIGBEE_HEALTH_KEYS, decodeAvailability, edge, healthOf, jsonObject, lastSeenOf, nextState, reject, tamperEvents,
  type ZigbeeState,
} from '../zigbee2mqtt.ts';
import { samples } from './samples.ts';

/**
 * `zigbee-sos`: a Zigbee SOS / emergency button through Zigbee2MQTT. The shapes,
 * from zigbee-herdsman-converters (src/converters/fromZigbee.ts):
 * - `command_emergency` (IAS ACE Emergency command) → `{"action":"emergency"}`:
 *   Tuya TS0215A_sos (and its white labels), Heiman HS1RC-N and HM1RC-2-E remotes.
 * - `ias_sos_alarm_2` (IAS zone status, bit 1) → `{"sos":true,"tamper":…,"battery_low":…}`:
 *   Feibit and other IAS "SOS" zones.
 * - `{"action":"sos"}`: Tuya data-point buttons that name the action so.
 * - Heiman HS1EB/HS1EB-E "Smart emergency button" reports its press as
 *   `command_status_change_notification_action` → `{"action":"single"}` (or
 *   double, hold): give such a button `options: { panicActions: [single, double, hold] }`.
 * Every one also sends `battery` (and `voltage`, `linkquality`).
 *
 * Options: `panicActions` (default emergency, sos): the `action` values that are a press.
 */

export interface ZigbeeSosOptions {
  readonly panicActions: ReadonlySet<string>;
}

const DEFAULT_PANIC_ACTIONS = ['emergency', 'sos'];
const STATE_KEYS = ['sos', 'tamper'] as const;

type Result = DecodeResult<ZigbeeState>;

/** `options: { panicActions: [emergency, sos] }`: which `action` values are a press. */
export const ZigbeeSosBlock = Type.Object(
  {
    panicActions: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 64, default: DEFAULT_PANIC_ACTIONS, description: 'must be a list of action names, e.g. [emergency, sos]' }),
    ),
  },
  { additionalProperties: false },
);

function parseOptions(device: Readonly<Record<string, unknown>>): { options: ZigbeeSosOptions } | { errors: string[] } {
  const read = readProfileOptions('zigbee-sos', device['options'], ZigbeeSosBlock);
  if (read.value === undefined || read.errors.length > 0) return { errors: read.errors };
  return { options: { panicActions: new Set(read.value.panicActions ?? DEFAULT_PANIC_ACTIONS) } };
}

function decodeState(payload: Readonly<Record<string, unknown>>, options: ZigbeeSosOptions, previous: ZigbeeState | undefined): Result {
  const ts = lastSeenOf(payload);
  const events: DecodedEvent[] = [];
  const action = payload['action'];
  if (typeof action === 'string' && options.panicActions.has(action)) events.push({ kind: 'alarm.panic', ts, data: { action } });
  // The IAS zone's alarm bit repeats in every cached state: a press is its rise.
  else if (edge(previous?.['sos'], payload['sos'], true) === 'raised') events.push({ kind: 'alarm.panic', ts, data: { sos: true } });
  for (const e of tamperEvents(previous, payload)) events.push({ ...e, ts });
  return { ok: true, events, health: healthOf(payload), state: nextState(previous, payload, STATE_KEYS) };
}

export const zigbeeSos: DeviceProfile<ZigbeeSosOptions, ZigbeeState> = {
  id: 'zigbee-sos',
  vendor: 'Tuya, Heiman, Feibit and others',
  model: 'Zigbee SOS button through Zigbee2MQTT',
  description: 'An emergency button paired with a Zigbee2MQTT bridge: a press (action emergency or sos, or the IAS SOS bit) is a panic alarm.',
  transport: 'zigbee2mqtt',
  emits: ['alarm.panic', 'device.fault'],
  healthKeys: ZIGBEE_HEALTH_KEYS,
  offlineAfter: ZIGBEE_BATTERY_OFFLINE_AFTER,
  parseOptions,
  decode(raw, ctx) {
    if (raw.channel === 'availability') return decodeAvailability(raw);
    if (raw.channel !== 'state') return reject('unknown_channel', `a Zigbee2MQTT device publishes its state or availability, not ${raw.channel}`);
    const parsed = jsonObject(raw);
    if ('error' in parsed) return parsed.error;
    return decodeState(parsed.value, ctx.options, ctx.state);
  },
  samples,
};
