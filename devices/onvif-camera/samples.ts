import type { ProfileSample } from '../../src/core/device.ts';

/**
 * Notifications as the ONVIF transport hands them over, in the spellings of
 * several vendors. They feed the profile tests and document the topic table.
 * A topic the table does not know is logged once per camera as a ready-made
 * entry for this list.
 */
const options = { onvif: { host: 'cam.test', inputs: [{ token: 'DI_1', kind: 'alarm.panic' }, { token: '1', kind: 'door.forced' }] } };
const at = '2024-11-28T07:46:40Z';

export const samples: readonly ProfileSample[] = [
  {
    name: 'Hikvision cell motion detector',
    channel: 'notification',
    options,
    payload: {
      topic: 'tns1:RuleEngine/CellMotionDetector/Motion',
      operation: 'Changed',
      utcTime: at,
      source: { VideoSourceConfigurationToken: 'VideoSourceToken', VideoAnalyticsConfigurationToken: 'VideoAnalyticsToken', Rule: 'MyMotionDetectorRule' },
      data: { IsMotion: 'true' },
    },
    expect: ['camera.motion'],
  },
  {
    name: 'Dahua video source motion alarm',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:VideoSource/MotionAlarm', operation: 'Changed', utcTime: at, source: { Source: '000' }, data: { State: 'true' } },
    expect: ['camera.motion'],
  },
  {
    name: 'Axis motion alarm with 1/0 state',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:VideoSource/MotionAlarm', operation: 'Changed', utcTime: at, source: { VideoSourceConfigurationToken: '0' }, data: { State: '1' } },
    expect: ['camera.motion'],
  },
  {
    name: 'OEM motion without PropertyOperation and a trailing //.',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:RuleEngine/CellMotionDetector/Motion//.', utcTime: '2024-11-28T07:46:40', data: { IsMotion: 'true' } },
    expect: ['camera.motion'],
  },
  {
    name: 'motion topic without its tns1: prefix',
    channel: 'notification',
    options,
    payload: { topic: 'VideoSource/MotionAlarm', operation: 'Changed', data: { State: 'true' } },
    expect: ['camera.motion'],
  },
  {
    name: 'motion already on at the synchronization point (Initialized): state, no alarm',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:VideoSource/MotionAlarm', operation: 'Initialized', source: { Source: 'vs1' }, data: { State: 'true' } },
    expect: [],
  },
  {
    name: 'motion ends',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:VideoSource/MotionAlarm', operation: 'Changed', source: { Source: 'vs1' }, data: { State: 'false' } },
    expect: [],
  },
  {
    name: 'Hikvision tamper detector',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:RuleEngine/TamperDetector/Tamper', operation: 'Changed', utcTime: at, source: { VideoSourceConfigurationToken: 'VideoSourceToken', Rule: 'MyTamperDetectorRule' }, data: { IsTamper: 'true' } },
    expect: ['camera.tamper'],
  },
  {
    name: 'Axis tampering in its own namespace',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:VideoSource/tnsaxis:Tampering', operation: 'Changed', utcTime: at, source: { channel: '1' }, data: { tampering: '1' } },
    expect: ['camera.tamper'],
  },
  {
    name: 'global scene change (imaging service)',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:VideoSource/GlobalSceneChange/ImagingService', operation: 'Changed', source: { Source: 'vs1' }, data: { State: 'true' } },
    expect: ['camera.tamper'],
  },
  {
    name: 'signal loss on a video source',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:VideoSource/SignalLoss', operation: 'Changed', source: { Source: 'vs1' }, data: { State: 'true' } },
    expect: ['camera.video_loss'],
  },
  {
    name: 'Uniview field detector: object inside',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:RuleEngine/FieldDetector/ObjectsInside', operation: 'Changed', source: { VideoSourceConfigurationToken: 'vsc1', Rule: 'Field1' }, data: { IsInside: 'true' } },
    expect: ['camera.intrusion'],
  },
  {
    name: 'line crossed (an occurrence, not a property)',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:RuleEngine/LineDetector/Crossed', utcTime: at, source: { VideoSourceConfigurationToken: 'vsc1', Rule: 'Line1' }, data: { ObjectId: '17' } },
    expect: ['camera.intrusion'],
  },
  {
    name: 'panic button on alarm input DI_1',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:Device/Trigger/DigitalInput', operation: 'Changed', utcTime: at, source: { InputToken: 'DI_1' }, data: { LogicalState: 'true' } },
    expect: ['alarm.panic'],
  },
  {
    name: 'Axis I/O port 1 mapped to door.forced',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:Device/tnsaxis:IO/Port', operation: 'Changed', source: { port: '1' }, data: { state: '1' } },
    expect: ['door.forced'],
  },
  {
    name: 'an input nobody mapped',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:Device/Trigger/DigitalInput', operation: 'Changed', source: { InputToken: 'DI_7' }, data: { LogicalState: 'true' } },
    expect: [],
  },
  {
    name: 'Profile C door forced open',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:Door/State/DoorAlarm', operation: 'Changed', utcTime: at, source: { DoorToken: 'Door1' }, data: { State: 'DoorForcedOpen' } },
    expect: ['door.forced'],
  },
  {
    name: 'Profile C door open too long',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:Door/State/DoorAlarm', operation: 'Changed', source: { DoorToken: 'Door1' }, data: { State: 'DoorOpenTooLong' } },
    expect: ['door.held_open'],
  },
  {
    name: 'Profile C door alarm back to normal',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:Door/State/DoorAlarm', operation: 'Changed', source: { DoorToken: 'Door1' }, data: { State: 'Normal' } },
    expect: [],
  },
  {
    name: 'Profile C access granted to a credential',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:AccessControl/AccessGranted/Credential', utcTime: at, source: { AccessPointToken: 'AP1' }, data: { CredentialToken: 'C17', CredentialHolderName: '张三' } },
    expect: ['access.granted'],
  },
  {
    name: 'Profile C unknown card denied',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:AccessControl/Denied/CredentialNotFound/Card', utcTime: at, source: { AccessPointToken: 'AP1' }, data: { Card: '0012345678' } },
    expect: ['access.denied'],
  },
  {
    name: 'a topic the table does not know (logged once, ignored)',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:Monitoring/ProcessorUsage', operation: 'Changed', source: { Token: 'CPU' }, data: { Value: '12.5' } },
    expect: [],
  },
  { name: 'wrong channel', channel: 'events', options, payload: { topic: 'tns1:VideoSource/MotionAlarm' }, expect: { reject: 'unknown_channel' } },
  { name: 'raw bytes instead of a parsed notification', channel: 'notification', options, payload: '<wsnt:NotificationMessage/>', expect: { reject: 'not_object' } },
  { name: 'no topic', channel: 'notification', options, payload: { data: { State: 'true' } }, expect: { reject: 'bad_field' } },
  {
    name: 'motion state that is not a boolean',
    channel: 'notification',
    options,
    payload: { topic: 'tns1:VideoSource/MotionAlarm', operation: 'Changed', data: { State: 'maybe' } },
    expect: { reject: 'bad_field' },
  },
];
