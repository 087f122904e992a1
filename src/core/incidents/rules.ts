import type { EventKind, GatehouseEvent } from '../event.ts';
import type { EventRef, IncidentKind, Severity } from '../incident.ts';
import { isOpen, type Calendar, type WeeklyHours } from '../schedule.ts';

/**
 * Which incident an event calls for. Each rule is a pure function of the event
 * and the rule's own state; the engine folds hits into open incidents.
 */

export interface RuleToggle {
  readonly enabled: boolean;
  readonly severity: Severity;
}

export interface RulesConfig {
  readonly panic: RuleToggle;
  readonly doorForced: RuleToggle;
  readonly doorHeldOpen: RuleToggle;
  readonly cameraTamper: RuleToggle;
  readonly afterHours: RuleToggle & { readonly kinds: readonly string[] };
  readonly repeatedDenials: RuleToggle & { readonly count: number; readonly window: number };
  readonly deviceOffline: RuleToggle;
  readonly patrolMissed: RuleToggle;
}

export const DEFAULT_RULES: RulesConfig = {
  panic: { enabled: true, severity: 'critical' },
  doorForced: { enabled: true, severity: 'high' },
  doorHeldOpen: { enabled: true, severity: 'medium' },
  cameraTamper: { enabled: true, severity: 'high' },
  afterHours: { enabled: true, severity: 'high', kinds: ['camera.intrusion', 'camera.motion'] },
  repeatedDenials: { enabled: true, severity: 'medium', count: 3, window: 60 },
  deviceOffline: { enabled: true, severity: 'medium' },
  patrolMissed: { enabled: true, severity: 'medium' },
};

/** A rule's verdict: open (or fold into) an incident of this kind in this zone. */
export interface Hit {
  readonly kind: IncidentKind;
  readonly severity: Severity;
  readonly zoneId: string;
  readonly title: string;
  /** Events that open it together with the triggering one (e.g. earlier denials); they do not join an incident already open. */
  readonly earlier?: readonly EventRef[];
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Events that join an open incident's timeline without changing it (latching, GB 50394). */
export const RECORDED_ON: Readonly<Partial<Record<EventKind, IncidentKind>>> = {
  'alarm.cleared': 'panic',
  'door.closed': 'door_held_open',
  'device.online': 'device_offline',
};

interface SingleRule {
  readonly on: EventKind;
  readonly kind: IncidentKind;
  readonly toggle: keyof Pick<RulesConfig, 'panic' | 'doorForced' | 'doorHeldOpen' | 'cameraTamper' | 'deviceOffline'>;
  readonly title: (e: GatehouseEvent) => string;
}

const SINGLE: readonly SingleRule[] = [
  { on: 'alarm.panic', kind: 'panic', toggle: 'panic', title: (e) => `Panic alarm at ${e.deviceId}` },
  { on: 'door.forced', kind: 'door_forced', toggle: 'doorForced', title: (e) => `Door forced open at ${e.deviceId}` },
  { on: 'door.held_open', kind: 'door_held_open', toggle: 'doorHeldOpen', title: (e) => `Door held open at ${e.deviceId}` },
  { on: 'camera.tamper', kind: 'camera_tamper', toggle: 'cameraTamper', title: (e) => `Camera ${e.deviceId} tampered with` },
  { on: 'camera.video_loss', kind: 'camera_video_loss', toggle: 'cameraTamper', title: (e) => `Camera ${e.deviceId} lost video` },
  {
    on: 'device.offline',
    kind: 'device_offline',
    toggle: 'deviceOffline',
    // A bridge's devices go offline with it: the incident (one per zone, folded) names the bridge, not the first device.
    title: (e) => (typeof e.data['bridge'] === 'string' ? `Zigbee2MQTT bridge ${e.data['bridge']} offline: its devices cannot be reached` : `Device ${e.deviceId} offline`),
  },
];

const SINGLE_RULE_KINDS: ReadonlySet<string> = new Set(SINGLE.map((rule) => rule.on));

/**
 * Kinds a guard must hear of at once: the ones that open an incident on their
 * own, and every alarm. Storage commits them on the next turn instead of
 * letting them wait for a batch (src/ingest/groupCommit.ts).
 */
/** The kinds `isUrgentKind` names one by one (besides every `alarm.*`): for a store that must keep them. */
export const URGENT_SINGLE_KINDS: readonly string[] = [...SINGLE_RULE_KINDS];

export function isUrgentKind(kind: string): boolean {
  return kind.startsWith('alarm.') || SINGLE_RULE_KINDS.has(kind);
}

export function singleEventHits(rules: RulesConfig, event: GatehouseEvent): Hit[] {
  const hits: Hit[] = [];
  for (const rule of SINGLE) {
    const toggle = rules[rule.toggle];
    if (rule.on !== event.kind || !toggle.enabled) continue;
    // A door controller names its door ("北门 (Door_1)"): the incident (and the robots) say which.
    const door = typeof event.data['door'] === 'string' ? { door: event.data['door'] } : {};
    hits.push({ kind: rule.kind, severity: toggle.severity, zoneId: event.zoneId, title: rule.title(event), data: { deviceId: event.deviceId, ...door } });
  }
  return hits;
}

/** Motion or intrusion (or the configured kinds) in a zone outside its open hours. */
export function afterHoursHit(
  rules: RulesConfig,
  event: GatehouseEvent,
  openHours: ReadonlyMap<string, WeeklyHours>,
  calendar: Calendar,
): Hit | undefined {
  const rule = rules.afterHours;
  if (!rule.enabled || !rule.kinds.includes(event.kind)) return undefined;
  const hours = openHours.get(event.zoneId);
  if (!hours) return undefined; // a zone without open hours is always open
  // The hub's receive time: a device's clock may be wrong, the hub's is checked.
  if (isOpen(event.receivedAt, hours, calendar)) return undefined;
  return {
    kind: 'after_hours',
    severity: rule.severity,
    zoneId: event.zoneId,
    title: `${event.kind} after hours at ${event.deviceId}`,
    data: { deviceId: event.deviceId, eventKind: event.kind },
  };
}

/** Recent denials per reader, oldest first: at most the rule's `count` (what the threshold needs), whatever the rate. */
export type DenialWindows = ReadonlyMap<string, readonly { readonly at: number; readonly eventId: string; readonly ts: number }[]>;

/**
 * N or more `access.denied` at one reader within the window → "repeated denials".
 * Returns the new windows and, when the threshold is reached, a hit carrying
 * the last N denials. A reader's window keeps only its last N: a flood of
 * denials costs the same per denial at its millionth as at its first.
 */
export function repeatedDenials(rules: RulesConfig, windows: DenialWindows, event: GatehouseEvent): { windows: DenialWindows; hit?: Hit } {
  const rule = rules.repeatedDenials;
  if (!rule.enabled || event.kind !== 'access.denied') return { windows };
  const horizon = event.receivedAt - rule.window * 1000;
  const previous = windows.get(event.deviceId) ?? [];
  const recent = previous.slice(Math.max(0, previous.length - (rule.count - 1))).filter((d) => d.at > horizon);
  recent.push({ at: event.receivedAt, eventId: event.id, ts: event.ts });
  const next = new Map(windows);
  next.set(event.deviceId, recent);
  // Forget readers that went quiet so the map does not grow without bound.
  for (const [deviceId, list] of next) if (list.length === 0 || list[list.length - 1]!.at <= horizon) next.delete(deviceId);
  if (recent.length < rule.count) return { windows: next };
  return {
    windows: next,
    hit: {
      kind: 'repeated_denials',
      severity: rule.severity,
      zoneId: event.zoneId,
      title: `${recent.length} denied cards at ${event.deviceId} within ${rule.window} s`,
      earlier: recent.slice(0, -1).map((d) => ({ id: d.eventId, deviceId: event.deviceId, ts: d.ts })),
      data: { deviceId: event.deviceId, cards: [event.data['card']].filter((c) => c !== undefined) },
    },
  };
}
