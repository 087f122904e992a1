import type { ProfileSample } from '../../src/core/device.ts';

/**
 * Payloads as Zigbee2MQTT publishes them on `{baseTopic}/{friendlyName}` (shapes
 * from zigbee-herdsman-converters; see profile.ts for the models). Each decodes
 * without a previous state, as after a hub start: an open door is news, a closed
 * one is assumed.
 */
export const samples: readonly ProfileSample[] = [
  { name: 'Heiman D1-EFA opened (ias_contact_alarm_1)', channel: 'state', payload: '{"contact":false,"tamper":false,"battery_low":false,"battery":100,"linkquality":132}', expect: ['door.opened'] },
  { name: 'Aqara MCCGQ11LM opened', channel: 'state', payload: '{"contact":false,"battery":100,"voltage":3005,"device_temperature":25,"power_outage_count":3,"linkquality":87}', expect: ['door.opened'] },
  { name: 'Sonoff SNZB-04 closed, first message', channel: 'state', payload: '{"contact":true,"battery_low":false,"battery":90,"voltage":3000,"linkquality":102}', expect: [] },
  { name: 'opened and cover off at once', channel: 'state', payload: '{"contact":false,"tamper":true,"battery_low":false,"linkquality":132}', expect: ['door.opened', 'device.fault'] },
  { name: 'battery low', channel: 'state', payload: '{"contact":true,"tamper":false,"battery_low":true,"linkquality":40}', expect: [] },
  { name: 'with last_seen (advanced.last_seen: ISO_8601)', channel: 'state', payload: '{"contact":false,"last_seen":"2026-12-03T08:00:00.000Z","linkquality":70}', expect: ['door.opened'] },
  { name: 'availability online (2.x)', channel: 'availability', payload: '{"state":"online"}', expect: [] },
  { name: 'not JSON', channel: 'state', payload: 'open', expect: { reject: 'not_json' } },
  { name: 'JSON but not an object', channel: 'state', payload: 'false', expect: { reject: 'not_object' } },
];
