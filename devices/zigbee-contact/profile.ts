import Type from 'typebox';
import { readProfileOptions } from '../../src/core/optionsBlock.ts';
import type { DecodeResult, DecodedEvent, DeviceProfile } from '../../src/core/device.ts';
import {
  ZIGBEE_BATTERY_OFFLINE_AFTER, ZIGBEE_HEALTH_KEYS, decodeAvailability, edge, healthOf, jsonObject, lastSeenOf, nextState, reject, tamperEvents,
  type ZigbeeState,
} from '../zigbee2mqtt.ts';
import { samples } from './samples.ts';

/** It takes no options: any is a typo. */
const NO_OPTIONS = Type.Object({}, { additionalProperties: false });

/**
 * `zigbee-contact`: a Zigbee door or window contact through Zigbee2MQTT.
 * `contact` is true when the magnet is near (closed) — zigbee-herdsman-converters'
 * `ias_contact_alarm_1` inverts the IAS alarm bit so (src/converters/fromZigbee.ts):
 * - IAS zone contacts (`m.iasZoneAlarm({zoneType: "contact"})`) → `{"contact":false,"tamper":false,"battery_low":false}`:
 *   Heiman D1-EFA (with tamper) and HS8DS-EFA, Sonoff SNZB-04, Tuya TS0203.
 * - Aqara MCCGQ11LM (`lumi_contact`) → `{"contact":true,"battery":100,"voltage":3005,…}` (no tamper).
 *
 * contact false → door.opened, true → door.closed, on each change (the state
 * repeats in every cached message); tamper rising → device.fault.
 */

type Result = DecodeResult<ZigbeeState>;

const STATE_KEYS = ['contact', 'tamper'] as const;

function decodeState(payload: Readonly<Record<string, unknown>>, previous: ZigbeeState | undefined): Result {
  const ts = lastSeenOf(payload);
  const events: DecodedEvent[] = [];
  const door = edge(previous?.['contact'], payload['contact'], false);
  if (door === 'raised') events.push({ kind: 'door.opened', ts });
  else if (door === 'normal') events.push({ kind: 'door.closed', ts });
  for (const e of tamperEvents(previous, payload)) events.push({ ...e, ts });
  return { ok: true, events, health: healthOf(payload), state: nextState(previous, payload, STATE_KEYS) };
}

export const zigbeeContact: DeviceProfile<undefined, ZigbeeState> = {
  id: 'zigbee-contact',
  vendor: 'Aqara, Heiman, Sonoff, Tuya and others',
  model: 'Zigbee door/window contact through Zigbee2MQTT',
  description: 'A magnetic door or window contact paired with a Zigbee2MQTT bridge: door opened and closed, tamper, battery.',
  transport: 'zigbee2mqtt',
  emits: ['door.opened', 'door.closed', 'device.fault'],
  healthKeys: ZIGBEE_HEALTH_KEYS,
  offlineAfter: ZIGBEE_BATTERY_OFFLINE_AFTER,
  parseOptions(device) {
    const { errors } = readProfileOptions('zigbee-contact', device['options'], NO_OPTIONS);
    return errors.length > 0 ? { errors } : { options: undefined };
  },
  decode(raw, ctx) {
    if (raw.channel === 'availability') return decodeAvailability(raw);
    if (raw.channel !== 'state') return reject('unknown_channel', `a Zigbee2MQTT device publishes its state or availability, not ${raw.channel}`);
    const parsed = jsonObject(raw);
    if ('error' in parsed) return parsed.error;
    return decodeState(parsed.value, ctx.state);
  },
  samples,
};
