import { isDeepStrictEqual } from 'node:util';
import type { GatehouseConfig, ResolvedDevice } from './types.ts';

/**
 * What changed between the running config and a new one (a reloaded file, a
 * device added through the API), so the hub can apply exactly that: which
 * devices came, went or changed, whose credentials changed (their connection
 * must close), and which sections only a restart can apply.
 */
export interface ConfigDiff {
  readonly devicesAdded: readonly string[];
  readonly devicesRemoved: readonly string[];
  readonly devicesChanged: readonly string[];
  /** Devices still configured whose connection must close: a new secret, profile or role. */
  readonly reconnect: readonly string[];
  /** Bridges removed or given a new secret or base topic: their connection closes (a removed one is refused from then on). */
  readonly bridgesClosed: readonly string[];
  /** A serial or ONVIF device's link settings changed (or one came or went): the links are rebuilt (MQTT devices are untouched). */
  readonly linksChanged: boolean;
  /** Top-level sections (or fields) that changed and are applied live. */
  readonly applied: readonly string[];
  /** Sections that changed but take effect only at the next start. */
  readonly restartNeeded: readonly string[];
}

/** Read once at start: listeners, storage, the county link, logging, time zone. */
const RESTART_ONLY = ['campus', 'http', 'mqtt', 'storage', 'series', 'retention', 'backup', 'uplink', 'notifiers', 'snapshots', 'log'] as const;
/** Applied live: the engine, the ledger, sign-in, the devices. */
const LIVE = ['zones', 'devices', 'bridges', 'cards', 'supervision', 'incidents', 'calendar', 'rules', 'procedures', 'patrols', 'drills', 'hazards', 'users'] as const;

/**
 * `linkOf` says what a device's own link is made of (port, bus, camera address;
 * undefined for MQTT devices): only a change there rebuilds the links, so a new
 * card list (which bare readers decode with) does not reopen a serial port.
 */
export function diffConfig(before: GatehouseConfig, after: GatehouseConfig, linkOf: (device: ResolvedDevice) => unknown): ConfigDiff {
  const old = new Map(before.devices.map((d) => [d.id, d]));
  const next = new Map(after.devices.map((d) => [d.id, d]));
  const added = [...next.keys()].filter((id) => !old.has(id));
  const removed = [...old.keys()].filter((id) => !next.has(id));
  const changed: string[] = [];
  const reconnect: string[] = [];
  let linksChanged = false;
  for (const [id, d] of next) {
    const was = old.get(id);
    if (!was) {
      if (linkOf(d) !== undefined) linksChanged = true;
      continue;
    }
    if (isDeepStrictEqual(was, d)) continue;
    changed.push(id);
    if (!isDeepStrictEqual(linkOf(d), linkOf(was))) linksChanged = true;
    if (was.secret !== d.secret || was.secretHash !== d.secretHash || was.profile !== d.profile || was.role !== d.role || !isDeepStrictEqual(was.kinds, d.kinds)) {
      reconnect.push(id);
    }
  }
  if (removed.some((id) => linkOf(old.get(id)!) !== undefined)) linksChanged = true;
  const differs = (key: keyof GatehouseConfig['source']): boolean => !isDeepStrictEqual(before.source[key], after.source[key]);
  const restartNeeded: string[] = RESTART_ONLY.filter((key) => differs(key));
  // The time zone is read by routes and reports as they are built.
  if (before.calendar.timezone !== after.calendar.timezone) restartNeeded.push('calendar.timezone');
  const nextBridges = new Map(after.bridges.map((b) => [b.id, b]));
  const bridgesClosed = before.bridges
    .filter((b) => {
      const n = nextBridges.get(b.id);
      return !n || n.secret !== b.secret || n.secretHash !== b.secretHash || n.baseTopic !== b.baseTopic;
    })
    .map((b) => b.id);
  return {
    devicesAdded: added,
    devicesRemoved: removed,
    devicesChanged: changed,
    reconnect,
    bridgesClosed,
    linksChanged,
    applied: LIVE.filter((key) => (key === 'devices' ? added.length + removed.length + changed.length > 0 : differs(key))),
    restartNeeded,
  };
}

export function isEmptyDiff(diff: ConfigDiff): boolean {
  return diff.applied.length === 0 && diff.restartNeeded.length === 0;
}
