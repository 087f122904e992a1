import type { EventKind } from '../../src/core/event.ts';
import type { OnvifCameraOptions } from './options.ts';

/**
 * The topic table: one parser per normalised ONVIF event topic (the shape Home
 * Assistant's ONVIF integration uses). Adding a camera event means adding one
 * entry here and a sample in samples.ts.
 *
 * What the ONVIF transport hands over for each wsnt:NotificationMessage (ONVIF
 * Core §9.4 "Notification message"): the topic with its namespace prefixes
 * resolved (the ONVIF topic namespace is always `tns1:`), the message's
 * PropertyOperation and UtcTime, and its Source / Key / Data SimpleItems.
 */
export interface CameraNotification {
  readonly topic: string;
  /** ONVIF Core §9.2 "Properties": Initialized (current state, e.g. after a synchronization point), Changed, Deleted. */
  readonly operation?: 'Initialized' | 'Changed' | 'Deleted' | undefined;
  /** The camera's UtcTime attribute, by the camera's clock. */
  readonly utcTime?: string | undefined;
  /** Camera clock minus hub clock (ms), measured with GetSystemDateAndTime. */
  readonly clockOffsetMs?: number | undefined;
  readonly source?: Readonly<Record<string, string>> | undefined;
  readonly key?: Readonly<Record<string, string>> | undefined;
  readonly data?: Readonly<Record<string, string>> | undefined;
}

/** What one message means. */
export type TopicOutcome =
  /** A property (ONVIF Core §9.2): its value now, and what a change from `prev` to it emits. */
  | { readonly type: 'property'; readonly value: string; readonly emit: (prev: string | undefined) => EventKind | undefined; readonly data: Readonly<Record<string, unknown>> }
  /** A one-off occurrence (a line crossed, a card shown): always emitted. */
  | { readonly type: 'event'; readonly kind: EventKind; readonly data: Readonly<Record<string, unknown>> }
  /** Understood, but not for us (an unmapped input). */
  | { readonly type: 'ignore' }
  | { readonly type: 'bad'; readonly detail: string };

type Parser = (msg: CameraNotification, options: OnvifCameraOptions) => TopicOutcome;

/**
 * Spelling differences between vendors, smoothed out before the table lookup:
 * surrounding whitespace, a trailing `//.` or `/.` (Concrete-set dialect
 * leftovers), a leading `/`, a missing `tns1:` on the first segment, case.
 */
export function normalizeTopic(topic: string): string {
  let t = topic.replace(/\s+/g, '').replace(/(\/\/\.|\/\.|\/)+$/, '').replace(/^\/+/, '');
  const first = t.split('/')[0] ?? '';
  if (!first.includes(':')) t = `tns1:${t}`;
  return t;
}

const TRUE = new Set(['true', '1', 'active', 'on', 'yes']);
const FALSE = new Set(['false', '0', 'inactive', 'off', 'no', 'normal']);

/** A boolean item under one of several names (vendors differ), or the only data item there is. */
function flag(msg: CameraNotification, names: readonly string[]): boolean | string {
  const data = msg.data ?? {};
  const lower = new Map(Object.entries(data).map(([k, v]) => [k.toLowerCase(), v]));
  let raw: string | undefined;
  for (const n of names) raw ??= lower.get(n.toLowerCase());
  const values = Object.values(data);
  if (raw === undefined && values.length === 1) raw = values[0];
  if (raw === undefined) return `no ${names.join(' / ')} item in the message data`;
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return `${names[0]} is ${JSON.stringify(raw)}, not true or false`;
}

function sourceData(msg: CameraNotification, topic: string): Record<string, unknown> {
  return { topic, ...(msg.source && Object.keys(msg.source).length > 0 ? { source: msg.source } : {}) };
}

/** A boolean property that emits `kind` when it turns true. */
function alarm(kind: EventKind, names: readonly string[]): Parser {
  return (msg) => {
    const v = flag(msg, names);
    if (typeof v === 'string') return { type: 'bad', detail: v };
    return { type: 'property', value: String(v), emit: (prev) => (v && prev !== 'true' ? kind : undefined), data: {} };
  };
}

/** `tns1:Device/Trigger/DigitalInput`: a camera alarm input, mapped per camera (a panic button is often wired to it). */
function digitalInput(tokenNames: readonly string[], stateNames: readonly string[]): Parser {
  return (msg, options) => {
    const source = msg.source ?? {};
    let token: string | undefined;
    for (const n of tokenNames) token ??= Object.entries(source).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1];
    const mapping = options.inputs.find((m) => m.token === token);
    if (!mapping) return { type: 'ignore' };
    const v = flag(msg, stateNames);
    if (typeof v === 'string') return { type: 'bad', detail: v };
    return {
      type: 'property',
      value: String(v),
      emit: (prev) => (v ? (prev !== 'true' ? mapping.kind : undefined) : prev === 'true' ? mapping.clears : undefined),
      data: { input: mapping.token },
    };
  };
}

/** Profile C `tns1:Door/State/DoorAlarm` (ONVIF Door Control Service): State = Normal | DoorForcedOpen | DoorOpenTooLong. */
const doorAlarm: Parser = (msg) => {
  const state = msg.data?.['State'] ?? msg.data?.['state'];
  if (state === undefined) return { type: 'bad', detail: 'no State item in the DoorAlarm data' };
  const kinds: Record<string, EventKind | undefined> = { DoorForcedOpen: 'door.forced', DoorOpenTooLong: 'door.held_open', Normal: undefined };
  if (!(state in kinds)) return { type: 'bad', detail: `DoorAlarm State ${JSON.stringify(state)} is not Normal, DoorForcedOpen or DoorOpenTooLong` };
  return { type: 'property', value: state, emit: (prev) => (prev === state ? undefined : kinds[state]), data: { door: msg.source?.['DoorToken'] } };
};

/** `tns1:Door/State/DoorPhysicalState`: Closed after Open is a `door.closed` (it ends a held-open incident's story). */
const doorPhysical: Parser = (msg) => {
  const state = msg.data?.['State'] ?? msg.data?.['state'];
  if (state === undefined) return { type: 'bad', detail: 'no State item in the DoorPhysicalState data' };
  return { type: 'property', value: state, emit: (prev) => (state === 'Closed' && prev === 'Open' ? 'door.closed' : undefined), data: { door: msg.source?.['DoorToken'] } };
};

/** Profile C access decisions: `tns1:AccessControl/AccessGranted/*`, `tns1:AccessControl/Denied/*` (not properties: each is one decision). */
function access(kind: 'access.granted' | 'access.denied'): Parser {
  return (msg) => {
    const d = msg.data ?? {};
    const fields: Record<string, unknown> = { accessPoint: msg.source?.['AccessPointToken'] };
    if (d['Card'] !== undefined) fields['card'] = d['Card'];
    if (d['CredentialToken'] !== undefined) fields['credential'] = d['CredentialToken'];
    if (d['CredentialHolderName'] !== undefined) fields['name'] = d['CredentialHolderName'];
    if (d['Reason'] !== undefined) fields['reason'] = d['Reason'];
    return { type: 'event', kind, data: fields };
  };
}

const lineCrossed: Parser = (msg) => ({ type: 'event', kind: 'camera.intrusion', data: { rule: msg.source?.['Rule'], object: msg.data?.['ObjectId'] } });

/** Exact topics (compared case-insensitively after normalizeTopic). */
const EXACT: Readonly<Record<string, Parser>> = {
  'tns1:VideoSource/MotionAlarm': alarm('camera.motion', ['State']),
  'tns1:RuleEngine/CellMotionDetector/Motion': alarm('camera.motion', ['IsMotion', 'State']),
  'tns1:RuleEngine/MotionRegionDetector/Motion': alarm('camera.motion', ['State', 'IsMotion']),
  'tns1:RuleEngine/TamperDetector/Tamper': alarm('camera.tamper', ['IsTamper', 'State']),
  // Axis spells tampering in its own namespace, under the ONVIF VideoSource topic.
  'tns1:VideoSource/tnsaxis:Tampering': alarm('camera.tamper', ['tampering', 'State']),
  'tns1:VideoSource/SignalLoss': alarm('camera.video_loss', ['State']),
  'tns1:RuleEngine/FieldDetector/ObjectsInside': alarm('camera.intrusion', ['IsInside', 'State']),
  'tns1:RuleEngine/LineDetector/Crossed': lineCrossed,
  'tns1:Device/Trigger/DigitalInput': digitalInput(['InputToken', 'Index'], ['LogicalState', 'State', 'Level']),
  // Axis I/O ports: `port` source, `state` data.
  'tns1:Device/tnsaxis:IO/Port': digitalInput(['port'], ['state']),
  'tns1:Door/State/DoorAlarm': doorAlarm,
  'tns1:Door/State/DoorPhysicalState': doorPhysical,
};

/** Topic families: any topic under these prefixes. */
const PREFIXES: readonly (readonly [string, Parser])[] = [
  ['tns1:VideoSource/GlobalSceneChange/', alarm('camera.tamper', ['State'])],
  ['tns1:AccessControl/AccessGranted/', access('access.granted')],
  ['tns1:AccessControl/Denied/', access('access.denied')],
];

const exactLower = new Map(Object.entries(EXACT).map(([k, p]) => [k.toLowerCase(), p]));
const prefixLower = PREFIXES.map(([k, p]) => [k.toLowerCase(), p] as const);

export function parserFor(normalizedTopic: string): Parser | undefined {
  const t = normalizedTopic.toLowerCase();
  return exactLower.get(t) ?? prefixLower.find(([prefix]) => t.startsWith(prefix))?.[1];
}

/** Every kind the table can emit (the profile declares these). */
export const TOPIC_KINDS: readonly EventKind[] = [
  'camera.motion',
  'camera.tamper',
  'camera.video_loss',
  'camera.intrusion',
  'door.forced',
  'door.held_open',
  'door.closed',
  'access.granted',
  'access.denied',
];

export { sourceData };
