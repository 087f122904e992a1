import type { ProfileSample } from '../../src/core/device.ts';

/**
 * Messages as the ONVIF transport hands them over from a Profile C controller:
 * the inventory read at connect, then door and access notifications (shapes
 * from the Door Control and Access Control service specs' event topics).
 */
const options = { onvif: { host: 'door-controller.test' } };
const at = '2026-12-04T07:46:40Z';

export const samples: readonly ProfileSample[] = [
  {
    name: 'inventory: doors and access points (tdc:GetDoorInfoList, tac:GetAccessPointInfoList)',
    channel: 'inventory',
    options,
    payload: { doors: [{ token: 'Door_1', name: '北门' }], accessPoints: [{ token: 'AccessPoint_1', name: '北门入口读卡器', entity: 'Door_1' }] },
    expect: [],
  },
  {
    name: 'door forced open (tns1:Door/State/DoorAlarm)',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:Door/State/DoorAlarm', operation: 'Changed', utcTime: at, source: { DoorToken: 'Door_1' }, data: { State: 'DoorForcedOpen' } },
    expect: ['door.forced'],
  },
  {
    name: 'door open too long',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:Door/State/DoorAlarm', operation: 'Changed', utcTime: at, source: { DoorToken: 'Door_1' }, data: { State: 'DoorOpenTooLong' } },
    expect: ['door.held_open'],
  },
  {
    name: 'access granted at an access point',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:AccessControl/AccessGranted/Credential', utcTime: at, source: { AccessPointToken: 'AccessPoint_1' }, data: { CredentialToken: 'C17', CredentialHolderName: '张三' } },
    expect: ['access.granted'],
  },
  {
    name: 'access denied: card not found',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:AccessControl/Denied/CredentialNotFound/Card', utcTime: at, source: { AccessPointToken: 'AccessPoint_1' }, data: { Card: '0012345678' } },
    expect: ['access.denied'],
  },
  { name: 'inventory that is not a list', channel: 'inventory', options, payload: { doors: 'Door_1' }, expect: { reject: 'bad_field' } },
  { name: 'inventory door without a token', channel: 'inventory', options, payload: { doors: [{ name: '北门' }] }, expect: { reject: 'bad_field' } },
];
