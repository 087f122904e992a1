import type { ProfileSample } from '../../src/core/device.ts';

/** Sample payloads: they feed the profile tests and document the wire format. */
export const samples: readonly ProfileSample[] = [
  { name: 'panic button pressed', channel: 'events', payload: '{"kind":"alarm.panic","ts":1732780000000,"seq":17}', expect: ['alarm.panic'] },
  { name: 'panic button reset', channel: 'events', payload: '{"kind":"alarm.cleared","ts":1732780060000,"seq":18}', expect: ['alarm.cleared'] },
  {
    name: 'card granted at a gate',
    channel: 'events',
    payload: '{"kind":"access.granted","ts":1732780000000,"seq":3,"data":{"card":"0012345678","name":"张三"}}',
    expect: ['access.granted'],
  },
  { name: 'card denied, no device clock', channel: 'events', payload: '{"kind":"access.denied","seq":4,"data":{"card":"9999999999"}}', expect: ['access.denied'] },
  { name: 'low battery fault', channel: 'events', payload: '{"kind":"device.fault","data":{"battery":7,"reason":"low battery"}}', expect: ['device.fault'] },
  { name: 'status online with health', channel: 'status', payload: '{"online":true,"battery":87,"rssi":-61,"temperature":24.5}', expect: [] },
  { name: 'last will', channel: 'status', payload: 'offline', expect: [] },
  { name: 'not JSON', channel: 'events', payload: 'PANIC!!', expect: { reject: 'not_json' } },
  { name: 'JSON but not an object', channel: 'events', payload: '[1,2,3]', expect: { reject: 'not_object' } },
  { name: 'unknown kind', channel: 'events', payload: '{"kind":"alarm.fire"}', expect: { reject: 'unknown_kind' } },
  { name: 'ts in seconds', channel: 'events', payload: '{"kind":"access.granted","ts":1732780000,"data":{"card":"0012345678"}}', expect: { reject: 'bad_field' } },
  { name: 'negative seq', channel: 'events', payload: '{"kind":"door.closed","seq":-1}', expect: { reject: 'bad_field' } },
  { name: 'card not a string', channel: 'events', payload: '{"kind":"access.denied","data":{"card":12}}', expect: { reject: 'bad_field' } },
  // An urgent event is never dropped for a bad field: stored without it (the hub's time for a bad ts), the fault reported.
  { name: 'panic with ts in seconds (a clock or firmware fault)', channel: 'events', payload: '{"kind":"alarm.panic","ts":1732780000,"seq":5}', expect: ['alarm.panic'] },
  { name: 'panic with a negative seq and data not an object', channel: 'events', payload: '{"kind":"alarm.panic","seq":-1,"data":"low battery"}', expect: ['alarm.panic'] },
  { name: 'forced door with a numeric card', channel: 'events', payload: '{"kind":"door.forced","data":{"card":12,"door":"east"}}', expect: ['door.forced'] },
];
