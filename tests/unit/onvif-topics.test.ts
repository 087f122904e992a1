import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { onvifCamera, eventTime, type CameraState } from '../../devices/onvif-camera/profile.ts';
import { normalizeTopic } from '../../devices/onvif-camera/topics.ts';
import { parseCameraOptions, type OnvifCameraOptions } from '../../devices/onvif-camera/options.ts';
import { parsePullResponse } from '../../src/transports/onvif/notification.ts';
import { parseXml } from '../../src/transports/onvif/xml.ts';
import type { DecodedEvent } from '../../src/core/device.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/onvif/${name}`, import.meta.url), 'utf8');

function options(inputs: unknown[] = [{ token: 'DI_1', kind: 'alarm.panic' }, { token: '1', kind: 'door.forced' }]): OnvifCameraOptions {
  const parsed = parseCameraOptions({ onvif: { host: 'cam.test', inputs } });
  if ('errors' in parsed) throw new Error(parsed.errors.join('; '));
  return parsed.options;
}

/** A PullMessages answer through the transport's parser and the profile, keeping state between messages as the hub does. */
function decodeAll(xml: string, opts = options(), clockOffsetMs = 0, receivedAt = Date.parse('2024-11-28T07:46:41Z')) {
  const root = parseXml(xml)!;
  const { messages, timeLeftMs } = parsePullResponse(root);
  let state: CameraState | undefined;
  const events: DecodedEvent[] = [];
  const notices: string[] = [];
  for (const m of messages) {
    const r = onvifCamera.decode({ deviceId: 'cam-1', channel: 'notification', payload: { ...m, clockOffsetMs }, receivedAt }, { deviceId: 'cam-1', options: opts, state });
    if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
    if (r.state) state = r.state;
    events.push(...r.events);
    for (const n of r.notices ?? []) notices.push(n.message);
  }
  return { messages, events, kinds: events.map((e) => e.kind), timeLeftMs, notices };
}

describe('ONVIF notifications from several vendors, through the topic table', () => {
  it('Hikvision: cell motion and tamper detector', () => {
    const r = decodeAll(fixture('hikvision-motion.xml'));
    expect(r.kinds).toEqual(['camera.motion', 'camera.tamper']);
    expect(r.events[0]!.data).toMatchObject({ topic: 'tns1:RuleEngine/CellMotionDetector/Motion', source: { Rule: 'MyMotionDetectorRule' } });
    expect(r.timeLeftMs).toBe(60_000);
  });

  it('Dahua: the topic prefix bound on the Topic element, UtcTime without Z', () => {
    const r = decodeAll(fixture('dahua-motion.xml'));
    expect(r.messages.map((m) => m.topic)).toEqual(['tns1:VideoSource/MotionAlarm', 'tns1:VideoSource/SignalLoss']);
    expect(r.kinds).toEqual(['camera.motion', 'camera.video_loss']);
    expect(r.events[0]!.ts).toBe(Date.parse('2024-11-28T07:46:40Z'));
  });

  it('Axis: tampering and I/O ports in the Axis namespace', () => {
    const r = decodeAll(fixture('axis-tampering.xml'));
    expect(r.messages.map((m) => m.topic)).toEqual(['tns1:VideoSource/tnsaxis:Tampering', 'tns1:Device/tnsaxis:IO/Port']);
    expect(r.kinds).toEqual(['camera.tamper', 'door.forced']);
  });

  it('Uniview: the ONVIF topic namespace under another prefix (ns1:) is resolved', () => {
    const r = decodeAll(fixture('uniview-ns1.xml'));
    expect(r.messages[0]!.topic).toBe('tns1:RuleEngine/FieldDetector/ObjectsInside');
    expect(r.kinds).toEqual(['camera.intrusion', 'camera.intrusion']);
  });

  it('Profile C: door forced open and an unknown card', () => {
    const r = decodeAll(fixture('profile-c-door.xml'));
    expect(r.kinds).toEqual(['door.forced', 'access.denied']);
    expect(r.events[1]!.data).toMatchObject({ card: '0012345678', accessPoint: 'AccessPoint_1' });
  });

  it('a synchronization point records states without alarms; only real transitions fire', () => {
    // Tamper Initialized true, then Changed true (no transition), input DI_1 Initialized true, released, pressed again.
    const r = decodeAll(fixture('sync-point-then-release.xml'));
    expect(r.kinds).toEqual(['alarm.cleared', 'alarm.panic']);
  });
});

describe('onvif-camera profile details', () => {
  const decode = (payload: Record<string, unknown>, state?: CameraState, opts = options()) =>
    onvifCamera.decode({ deviceId: 'cam-1', channel: 'notification', payload, receivedAt: Date.parse('2024-11-28T08:00:00Z') }, { deviceId: 'cam-1', options: opts, state });

  it('normalises vendor spellings of a topic', () => {
    expect(normalizeTopic(' tns1:VideoSource/MotionAlarm//. ')).toBe('tns1:VideoSource/MotionAlarm');
    expect(normalizeTopic('/RuleEngine/CellMotionDetector/Motion/')).toBe('tns1:RuleEngine/CellMotionDetector/Motion');
    expect(normalizeTopic('tns1:RuleEngine/FieldDetector/ObjectsInside/.')).toBe('tns1:RuleEngine/FieldDetector/ObjectsInside');
  });

  it('keeps one state per source: motion on two video sources is two properties', () => {
    const on = (src: string, state?: CameraState) => decode({ topic: 'tns1:VideoSource/MotionAlarm', operation: 'Changed', source: { Source: src }, data: { State: 'true' } }, state);
    const a = on('vs1');
    const b = on('vs2', a.ok ? a.state : undefined);
    const again = on('vs1', b.ok ? b.state : undefined);
    expect([a, b, again].map((r) => (r.ok ? r.events.map((e) => e.kind) : r.reason))).toEqual([['camera.motion'], ['camera.motion'], []]);
  });

  it('motion that ends and starts again fires again', () => {
    const m = (v: string, state?: CameraState) => decode({ topic: 'tns1:VideoSource/MotionAlarm', operation: 'Changed', data: { State: v } }, state);
    const one = m('true');
    const off = m('false', one.ok ? one.state : undefined);
    const two = m('true', off.ok ? off.state : undefined);
    expect(two.ok && two.events.map((e) => e.kind)).toEqual(['camera.motion']);
  });

  it('takes the camera clock offset out of the event time (a camera 10 minutes fast)', () => {
    const receivedAt = Date.parse('2024-11-28T08:00:01Z');
    const ts = eventTime({ topic: 't', utcTime: '2024-11-28T08:10:00Z', clockOffsetMs: 600_000 }, receivedAt);
    expect(ts).toBe(Date.parse('2024-11-28T08:00:00Z'));
    // A camera clock that is wildly wrong and not measured: the hub's receive time is used instead.
    expect(eventTime({ topic: 't', utcTime: '1970-01-01T00:00:00Z' }, receivedAt)).toBeUndefined();
  });

  it('logs an unknown topic once, with a fixture that replays to the same result', () => {
    const payload = { topic: 'tns1:Monitoring/ProcessorUsage', operation: 'Changed', source: { Token: 'CPU' }, data: { Value: '12.5' } };
    const r = decode(payload);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.events).toEqual([]);
    const notice = r.notices![0]!;
    expect(notice.message).toContain('tns1:Monitoring/ProcessorUsage');
    const fx = notice.fixture as { channel: string; payload: Record<string, unknown>; expect: unknown[] };
    expect(fx.channel).toBe('notification');
    const replay = decode(JSON.parse(JSON.stringify(fx.payload)) as Record<string, unknown>);
    expect(replay.ok && replay.events.map((e) => e.kind)).toEqual(fx.expect);
  });

  it.each([
    ['a port as a string', { host: 'cam', port: '80' }, /^onvif\.port: must be a port number/],
    ['a host with a scheme', { host: 'http://cam' }, /^onvif\.host: must be a host name/],
    ['no host at all', { port: 80 }, /^onvif\.host: is required \(a host name or IP address/],
    ['a negative input token', { host: 'cam', inputs: [{ token: -1, kind: 'alarm.panic' }] }, /^onvif\.inputs\[0\]\.token: must be the camera's input token/],
    ['an input mapped twice (1 and "1")', { host: 'cam', inputs: [{ token: 1, kind: 'alarm.panic' }, { token: '1', kind: 'door.forced' }] }, /^onvif\.inputs\[1\]\.token: input 1 is mapped twice/],
    ['a termination of NaN', { host: 'cam', termination: Number.NaN }, /^onvif\.termination: must be 10–3600 seconds/],
    ['a block that is a string', 'cam:80', /^onvif: must be a mapping/],
  ])('refuses %s, naming the field', (_name, onvif, message) => {
    const bad = parseCameraOptions({ onvif });
    expect('errors' in bad && bad.errors).toEqual([expect.stringMatching(message)]);
  });

  it('checks 200,000 input mappings, all different, in one pass', () => {
    // Each token is looked up in a set, not searched for among the earlier ones: quadratic, this took minutes.
    const inputs = Array.from({ length: 200_000 }, (_, i) => ({ token: `DI_${i}`, kind: 'alarm.panic' }));
    const ok = parseCameraOptions({ onvif: { host: 'cam', inputs } });
    expect('options' in ok && ok.options.inputs).toHaveLength(200_000);
    const twice = parseCameraOptions({ onvif: { host: 'cam', inputs: [...inputs, { token: 'DI_199999', kind: 'door.forced' }] } });
    expect('errors' in twice && twice.errors).toEqual(['onvif.inputs[200000].token: input DI_199999 is mapped twice']);
  });

  it('validates the onvif block with path: reason messages', () => {
    const bad = parseCameraOptions({ onvif: { host: 'http://x/', port: 70000, username: 'admin', inputs: [{ token: 'DI_1', kind: 'alarm.fire' }], extra: 1 } });
    expect('errors' in bad && bad.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^onvif\.extra: unknown field/),
        expect.stringMatching(/^onvif\.host:/),
        expect.stringMatching(/^onvif\.port:/),
        expect.stringMatching(/^onvif: give both username and password/),
        expect.stringMatching(/^onvif\.inputs\[0\]\.kind:/),
      ]),
    );
    const ok = parseCameraOptions({ onvif: { host: '10.0.0.21', username: 'admin', password: 'pw', inputs: [{ token: 1, kind: 'alarm.panic' }] } });
    expect('options' in ok && ok.options).toMatchObject({ port: 80, termination: 60, pullTimeout: 20, inputs: [{ token: '1', kind: 'alarm.panic', clears: 'alarm.cleared' }] });
  });
});
