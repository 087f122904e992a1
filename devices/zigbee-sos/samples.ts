import type { ProfileSample } from '../../src/core/device.ts';

/**
 * Payloads as Zigbee2MQTT publishes them on `{baseTopic}/{friendlyName}` (shapes
 * from zigbee-herdsman-converters; see profile.ts for the models). Each decodes
 * without a previous state, as after a hub start.
 */
export const samples: readonly ProfileSample[] = [
  { name: 'Tuya TS0215A_sos pressed (command_emergency)', channel: 'state', payload: '{"action":"emergency","battery":100,"voltage":3000,"linkquality":156}', expect: ['alarm.panic'] },
  { name: 'Heiman HS1RC-N emergency key', channel: 'state', payload: '{"action":"emergency","battery":87,"linkquality":112}', expect: ['alarm.panic'] },
  { name: 'a button naming its action sos', channel: 'state', payload: '{"action":"sos","battery":64,"linkquality":90}', expect: ['alarm.panic'] },
  { name: 'IAS SOS zone alarm (ias_sos_alarm_2)', channel: 'state', payload: '{"sos":true,"tamper":false,"battery_low":false,"linkquality":120}', expect: ['alarm.panic'] },
  { name: 'IAS SOS zone back to normal', channel: 'state', payload: '{"sos":false,"tamper":false,"battery_low":false,"linkquality":120}', expect: [] },
  { name: 'battery report only', channel: 'state', payload: '{"battery":72,"voltage":2900,"linkquality":60}', expect: [] },
  { name: 'battery not read yet (null)', channel: 'state', payload: '{"battery":null,"linkquality":60}', expect: [] },
  { name: 'case opened (tamper)', channel: 'state', payload: '{"sos":false,"tamper":true,"battery_low":false,"linkquality":99}', expect: ['device.fault'] },
  {
    name: 'Heiman HS1EB single press with panicActions',
    channel: 'state',
    payload: '{"action":"single","battery":95,"linkquality":140}',
    options: { options: { panicActions: ['single', 'double', 'hold'] } },
    expect: ['alarm.panic'],
  },
  { name: 'another action is no press', channel: 'state', payload: '{"action":"arm_all_zones","battery":95}', expect: [] },
  { name: 'availability offline (2.x)', channel: 'availability', payload: '{"state":"offline"}', expect: [] },
  { name: 'availability online (1.x)', channel: 'availability', payload: 'online', expect: [] },
  { name: 'not JSON', channel: 'state', payload: 'emergency', expect: { reject: 'not_json' } },
  { name: 'JSON but not an object', channel: 'state', payload: '["emergency"]', expect: { reject: 'not_object' } },
  { name: 'availability of another shape', channel: 'availability', payload: '{"state":"asleep"}', expect: { reject: 'bad_field' } },
  { name: 'a Gatehouse channel', channel: 'events', payload: '{"kind":"alarm.panic"}', expect: { reject: 'unknown_channel' } },
];
