import type { DecodedEvent, DecodeResult, DeviceProfile, RawMessage } from '../../src/core/device.ts';
import type { EventKind } from '../../src/core/event.ts';
import { INPUT_KINDS, parseCameraOptions, type OnvifCameraOptions } from './options.ts';
import { normalizeTopic, parserFor, sourceData, TOPIC_KINDS, type CameraNotification } from './topics.ts';
import { samples } from './samples.ts';

/**
 * `onvif-camera`: ONVIF Profile S/T cameras (and Profile C door controllers)
 * whose events the ONVIF transport pulls from a PullPoint subscription. Each
 * notification arrives on channel `notification` as a CameraNotification; the
 * topic table (topics.ts) says what it means.
 *
 * Properties (ONVIF Core §9.2) fire only on real transitions: an `Initialized`
 * message (sent after a subscription or synchronization point, §9.5) records
 * the current state and never raises an alarm; a `Changed` to the same value
 * is a repeat.
 */
export interface CameraState {
  /** Last value per property instance: normalised topic + its Source items. */
  readonly props: Readonly<Record<string, string>>;
}

type Result = DecodeResult<CameraState>;

const MAX_PROPS = 1000;
/** A corrected camera time further than this from the hub's receive time is not trusted. */
const MAX_SKEW_MS = 24 * 3600_000;

function reject(reason: Extract<Result, { ok: false }>['reason'], detail: string): Result {
  return { ok: false, reason, detail };
}

/** One property instance: the same topic from two video sources (or two inputs) are two properties. */
function propertyKey(topic: string, msg: CameraNotification): string {
  const source = Object.entries(msg.source ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${topic}|${source}`;
}

/**
 * The event time by the hub's clock: the camera's UtcTime less its measured
 * clock offset. A UtcTime without a zone is read as UTC (the attribute is UTC
 * by definition; some cameras just omit the `Z`).
 */
export function eventTime(msg: CameraNotification, receivedAt: number): number | undefined {
  if (!msg.utcTime) return undefined;
  const text = /(Z|[+-]\d\d:?\d\d)$/i.test(msg.utcTime) ? msg.utcTime : `${msg.utcTime}Z`;
  const camera = Date.parse(text);
  if (Number.isNaN(camera)) return undefined;
  const ts = Math.round(camera - (msg.clockOffsetMs ?? 0));
  return Math.abs(ts - receivedAt) > MAX_SKEW_MS ? undefined : ts;
}

function readNotification(raw: RawMessage): CameraNotification | Result {
  if (raw.channel !== 'notification') return reject('unknown_channel', `onvif-camera messages come on channel notification, not ${raw.channel}`);
  if (Buffer.isBuffer(raw.payload)) return reject('not_object', 'an ONVIF notification must be a parsed object (the transport parses the SOAP)');
  const msg = raw.payload as Record<string, unknown>;
  if (typeof msg['topic'] !== 'string' || msg['topic'].length === 0) return reject('bad_field', 'topic must be a non-empty string');
  const op = msg['operation'];
  if (op !== undefined && op !== 'Initialized' && op !== 'Changed' && op !== 'Deleted') return reject('bad_field', `operation ${JSON.stringify(op)} is not Initialized, Changed or Deleted`);
  for (const part of ['source', 'key', 'data'] as const) {
    const v = msg[part];
    if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string'))) {
      return reject('bad_field', `${part} must map item names to strings`);
    }
  }
  return msg as unknown as CameraNotification;
}

function decode(raw: RawMessage, options: OnvifCameraOptions, deviceId: string, state: CameraState | undefined): Result {
  const read = readNotification(raw);
  if ('ok' in read) return read;
  const msg = read;
  const topic = normalizeTopic(msg.topic);
  const parser = parserFor(topic);
  if (!parser) {
    return {
      ok: true,
      events: [],
      notices: [
        {
          key: `topic:${topic}`,
          message: `camera ${deviceId} sent ONVIF topic ${topic}, which the onvif-camera topic table does not know; ignored (the fixture below can be pasted into devices/onvif-camera/samples.ts)`,
          fixture: { name: `${deviceId}: ${topic}`, channel: 'notification', payload: msg, expect: [] },
        },
      ],
    };
  }
  const outcome = parser(msg, options);
  if (outcome.type === 'ignore') return { ok: true, events: [] };
  if (outcome.type === 'bad') return reject('bad_field', `${topic}: ${outcome.detail}`);
  const ts = eventTime(msg, raw.receivedAt);
  const data = { ...sourceData(msg, topic), ...outcome.data };
  const event = (kind: EventKind): DecodedEvent => ({ kind, ts, data });
  if (outcome.type === 'event') {
    // A replayed occurrence at a synchronization point is history, not news.
    return { ok: true, events: msg.operation === 'Initialized' ? [] : [event(outcome.kind)] };
  }
  const key = propertyKey(topic, msg);
  const props: Record<string, string> = Object.keys(state?.props ?? {}).length >= MAX_PROPS ? {} : { ...state?.props };
  const prev = props[key];
  if (msg.operation === 'Deleted') {
    delete props[key];
    return { ok: true, events: [], state: { props } };
  }
  props[key] = outcome.value;
  // Cameras that omit PropertyOperation on a property topic are taken as Changed.
  if (msg.operation === 'Initialized' || prev === outcome.value) return { ok: true, events: [], state: { props } };
  const kind = outcome.emit(prev);
  return { ok: true, events: kind ? [event(kind)] : [], state: { props } };
}

export const onvifCamera: DeviceProfile<OnvifCameraOptions, CameraState> = {
  id: 'onvif-camera',
  vendor: 'ONVIF',
  model: 'ONVIF Profile S/T camera (Profile C door events)',
  description: 'IP cameras speaking ONVIF: motion, tamper, video loss, intrusion analytics, alarm inputs and door/access events from a PullPoint subscription; snapshots for incidents.',
  transport: 'onvif',
  emits: [...new Set<EventKind>([...TOPIC_KINDS, ...INPUT_KINDS])],
  parseOptions: parseCameraOptions,
  connectionOf: (options) => ({ kind: 'onvif', endpoint: options }),
  decode: (raw, ctx) => decode(raw, ctx.options, ctx.deviceId, ctx.state),
  samples,
};
