import type { Connection } from '../core/connection.ts';
import type { AnyProfile } from '../core/device.ts';
import type { RawConfig } from './schema.ts';
import { INCIDENT_KINDS } from '../core/incident.ts';
import { isEventKind } from '../core/event.ts';
import { isValidTimeZone } from '../core/localTime.ts';
import { parseRange, parseWeeklyHours } from '../core/schedule.ts';
import { checkSerialBuses } from './serialBuses.ts';
import { checkBridges } from './bridges.ts';
import { DEVICE_SECRET_MIN_LENGTH, isDeviceSecretHash } from '../auth/deviceSecrets.ts';

/**
 * Checks the schema cannot express: references between sections, unique ids,
 * what each device's transport needs. Returns `path: reason` lines.
 */
export function checkConsistency(
  config: RawConfig,
  profiles: ReadonlyMap<string, AnyProfile>,
): { errors: string[]; profileOptions: Map<string, unknown>; connections: Map<string, Connection> } {
  const errors: string[] = [];
  const profileOptions = new Map<string, unknown>();
  const connections = new Map<string, Connection>();
  const zoneIds = new Set<string>();
  for (const [i, zone] of config.zones.entries()) {
    if (typeof zone?.id !== 'string') continue;
    if (zoneIds.has(zone.id)) errors.push(`zones[${i}].id: duplicate zone id "${zone.id}"`);
    zoneIds.add(zone.id);
  }
  const known = [...profiles.keys()].join(', ');
  const deviceIds = new Set<string>();
  for (const [i, device] of config.devices.entries()) {
    const at = `devices[${i}]`;
    if (device === null || typeof device !== 'object') continue;
    if (deviceIds.has(device.id)) errors.push(`${at}.id: duplicate device id "${device.id}"`);
    deviceIds.add(device.id);
    if (!zoneIds.has(device.zone)) {
      errors.push(`${at}.zone: unknown zone "${device.zone}" (zones: ${[...zoneIds].join(', ')})`);
    }
    const profile = profiles.get(device.profile);
    if (!profile) {
      errors.push(`${at}.profile: unknown profile "${device.profile}" (known: ${known})`);
      continue;
    }
    // With mqtt.tls.ca a device may sign in by client certificate alone; with an external
    // broker (mqtt.url) the broker checks passwords, and a secret here only feeds gatehouse broker-config.
    if (profile.transport === 'mqtt') errors.push(...checkDeviceSecret(at, device, `MQTT device profile "${profile.id}"`, Boolean(config.mqtt?.tls?.ca) || Boolean(config.mqtt?.url)));
    errors.push(...checkKinds(at, device, profile));
    if (profile.transport === 'serial' && !device.serial) {
      errors.push(`${at}.serial: is required for serial device profile "${profile.id}" (e.g. { path: /dev/ttyUSB0, baudRate: 9600 })`);
    }
    if (profile.transport === 'onvif' && !device.onvif) {
      errors.push(`${at}.onvif: is required for camera profile "${profile.id}" (e.g. { host: 10.0.0.21, username: admin, password: … })`);
    }
    if (profile.parseOptions) {
      const parsed = profile.parseOptions(device as unknown as Record<string, unknown>, { cards: config.cards ?? [] });
      if ('errors' in parsed) for (const e of parsed.errors) errors.push(`${at}.${e}`);
      else {
        profileOptions.set(device.id, parsed.options);
        if (profile.connectionOf) connections.set(device.id, profile.connectionOf(parsed.options));
      }
    }
  }
  errors.push(...checkSerialBuses(config.devices, connections));
  // A bridge signs in with its password (its certificate's CN would be checked against the devices).
  errors.push(...checkBridges(config, profiles, (at, bridge, what) => checkDeviceSecret(at, bridge, what, false)));
  const usernames = new Set<string>();
  for (const [i, user] of (config.users ?? []).entries()) {
    if (usernames.has(user.username)) errors.push(`users[${i}].username: duplicate user "${user.username}"`);
    usernames.add(user.username);
  }
  const cards = new Set<string>();
  for (const [i, card] of (config.cards ?? []).entries()) {
    if (cards.has(card.card)) errors.push(`cards[${i}].card: card "${card.card}" is listed twice`);
    cards.add(card.card);
  }
  for (const [i, zone] of config.zones.entries()) {
    if (!zone?.openHours) continue;
    const parsed = parseWeeklyHours(zone.openHours);
    if ('errors' in parsed) for (const e of parsed.errors) errors.push(`zones[${i}].openHours.${e}`);
  }
  if (config.calendar?.timezone && !isValidTimeZone(config.calendar.timezone)) {
    errors.push(`calendar.timezone: unknown time zone "${config.calendar.timezone}" (use an IANA name such as Asia/Shanghai)`);
  }
  const reportKinds = new Set<string>();
  for (const [i, k] of (config.incidents?.reportKinds ?? []).entries()) {
    if ((INCIDENT_KINDS as readonly string[]).includes(k.kind)) errors.push(`incidents.reportKinds[${i}].kind: "${k.kind}" is a built-in incident kind; pick another name`);
    else if (reportKinds.has(k.kind)) errors.push(`incidents.reportKinds[${i}].kind: "${k.kind}" is listed twice`);
    reportKinds.add(k.kind);
  }
  const incidentKinds: readonly string[] = [...INCIDENT_KINDS, ...reportKinds];
  for (const kind of Object.keys(config.procedures ?? {})) {
    if (!incidentKinds.includes(kind)) errors.push(`procedures.${kind}: unknown incident kind (known: ${INCIDENT_KINDS.join(', ')})`);
  }
  const patrolIds = new Set<string>();
  for (const [i, patrol] of (config.patrols ?? []).entries()) {
    if (patrolIds.has(patrol.id)) errors.push(`patrols[${i}].id: duplicate patrol id "${patrol.id}"`);
    patrolIds.add(patrol.id);
    for (const [j, checkpoint] of patrol.checkpoints.entries()) {
      if (!deviceIds.has(checkpoint)) errors.push(`patrols[${i}].checkpoints[${j}]: unknown device "${checkpoint}"`);
    }
    for (const [j, window] of patrol.windows.entries()) {
      if (!parseRange(window)) errors.push(`patrols[${i}].windows[${j}]: "${window}" is not a time range like 21:00-22:00`);
    }
  }
  const sinkIds = new Set<string>(['county']);
  for (const [i, n] of (config.notifiers ?? []).entries()) {
    if (sinkIds.has(n.id)) errors.push(`notifiers[${i}].id: "${n.id}" is taken (ids must be unique and not "county")`);
    sinkIds.add(n.id);
    for (const [j, z] of (n.zones ?? []).entries()) if (!zoneIds.has(z)) errors.push(`notifiers[${i}].zones[${j}]: unknown zone "${z}"`);
  }
  if (config.mqtt?.url && config.mqtt.port !== undefined) {
    errors.push('mqtt: give either port (embedded broker) or url (external broker), not both');
  }
  if (config.mqtt?.url && config.mqtt.tls) {
    errors.push('mqtt.tls: is for the embedded broker; with mqtt.url the external broker has its own TLS settings (use an mqtts:// url)');
  }
  const m = config.mqtt;
  if (m && !m.url) {
    for (const key of ['username', 'password', 'clientId', 'ca', 'cert', 'key'] as const) {
      if (m[key] !== undefined) errors.push(`mqtt.${key}: is for an external broker; set mqtt.url too, or remove it`);
    }
  }
  if (m?.url) {
    if (m.password !== undefined && m.username === undefined) errors.push('mqtt.password: needs mqtt.username (the hub\'s account on the broker)');
    if ((m.cert === undefined) !== (m.key === undefined)) errors.push(`mqtt.${m.cert === undefined ? 'cert' : 'key'}: the hub's client certificate needs both mqtt.cert and mqtt.key`);
    if ((m.ca ?? m.cert) !== undefined && m.url.startsWith('mqtt://')) errors.push(`mqtt.url: TLS files (mqtt.ca, mqtt.cert) need an mqtts:// url, not ${m.url.split('@').pop()}`);
    if (Array.isArray(config.bridges) && config.bridges.length > 0) {
      errors.push('bridges: Zigbee2MQTT bridges sign in to the embedded broker; with mqtt.url (an external broker) they are not supported yet — remove mqtt.url, or the bridges');
    }
    if (m.url.includes('@')) errors.push('mqtt.url: put the credentials in mqtt.username and mqtt.password, not in the url (it is logged)');
  }
  if (config.mqtt?.tls && (config.mqtt.tls.port ?? 8883) === (config.mqtt.port ?? 1883)) {
    errors.push(`mqtt.tls.port: must differ from mqtt.port (${config.mqtt.port ?? 1883})`);
  }
  if (config.series?.backend === 'influx' && !config.series.url) {
    errors.push('series.url: is required when series.backend is influx (e.g. http://127.0.0.1:8086)');
  }
  errors.push(...checkRetention(config.retention));
  errors.push(...checkBackup(config.backup));
  return { errors, profileOptions, connections };
}

/** An MQTT device's `secret` (at least 16 characters) or `secretHash`; the secret itself never goes into a message. */
function checkDeviceSecret(at: string, holder: { secret?: unknown; secretHash?: unknown }, what: string, certificatesAccepted: boolean): string[] {
  const { secret, secretHash } = holder;
  if (secret !== undefined && secretHash !== undefined) return [`${at}: give secret or secretHash, not both`];
  if (secretHash !== undefined) {
    return typeof secretHash === 'string' && isDeviceSecretHash(secretHash) ? [] : [`${at}.secretHash: not a device secret hash; make one with \`gatehouse device-secret\``];
  }
  if (secret === undefined || secret === '') {
    if (certificatesAccepted) return [];
    return [`${at}.secret: is required for ${what} (the password it sends at CONNECT), or secretHash; generate one with \`gatehouse device-secret\``];
  }
  if (typeof secret === 'string' && secret.length < DEVICE_SECRET_MIN_LENGTH) {
    return [`${at}.secret: must be at least ${DEVICE_SECRET_MIN_LENGTH} characters; generate one with \`gatehouse device-secret\``];
  }
  return [];
}

/** `role` and its older name `type` agree; `kinds` lists only what the profile can emit. */
function checkKinds(at: string, device: RawConfig['devices'][number], profile: AnyProfile): string[] {
  const errors: string[] = [];
  if (device.role !== undefined && device.type !== undefined && device.role !== device.type) {
    errors.push(`${at}.type: is the older name of role; remove it (role is ${device.role}, type ${device.type})`);
  }
  if (!Array.isArray(device.kinds)) return errors;
  const emits: readonly string[] = profile.emits;
  for (const [j, kind] of device.kinds.entries()) {
    // a kind that is no kind at all is the schema's to name
    if (isEventKind(kind) && !emits.includes(kind)) errors.push(`${at}.kinds[${j}]: profile ${profile.id} never emits ${kind}`);
  }
  return errors;
}

/** Floors the schema cannot say with a reason: what the law and the daily report need. */
function checkRetention(retention: RawConfig['retention']): string[] {
  const errors: string[] = [];
  if (!retention) return errors;
  const atLeast = (key: keyof NonNullable<RawConfig['retention']>, min: number, why: string): void => {
    const value = retention[key];
    if (typeof value === 'number' && value < min) errors.push(`retention.${key}: must be at least ${min} days (${why}); got ${value}`);
  };
  atLeast('events', 30, 'GB/T 29315 requires security records to be kept 30 days or more');
  atLeast('snapshots', 30, 'GB/T 29315 requires video and images to be kept 30 days or more');
  atLeast('hourBuckets', 29, "the daily report compares each hour with the same hour over the past four weeks");
  return errors;
}

function checkBackup(backup: RawConfig['backup']): string[] {
  const every = backup?.every;
  if (typeof every !== 'string') return [];
  const m = /^([1-9][0-9]*)(m|h|d)$/.exec(every);
  if (m && m[2] === 'm' && Number(m[1]) < 5) return [`backup.every: at least 5m (a backup copies the whole store); ${every} is too often`];
  return [];
}
