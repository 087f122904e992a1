import type { AnyProfile } from '../core/device.ts';
import type { RawConfig } from './schema.ts';

/**
 * Cross-checks of `bridges[]` and the devices that report through them
 * (DESIGN.md "Zigbee2MQTT" contract): `path: reason` lines.
 */

/** Zigbee2MQTT's own topics under the base topic: a device may not be named so that its topic collides with them. */
const RESERVED_LAST_LEVELS = new Set(['set', 'get', 'availability']);

/** Why a base topic cannot be one, or undefined. */
export function baseTopicProblem(topic: string): string | undefined {
  if (/[+#\u0000]/.test(topic)) return 'must not contain MQTT wildcards (+, #)';
  if (topic.startsWith('$')) return 'must not start with $ (reserved for the broker)';
  if (topic.startsWith('/') || topic.endsWith('/') || topic.includes('//')) return 'must not start or end with / or have an empty level';
  if (topic === 'devices' || topic.startsWith('devices/')) return 'devices/… is where Gatehouse devices publish; use e.g. zigbee2mqtt';
  return undefined;
}

/** Why a friendly name cannot be one, or undefined (Zigbee2MQTT refuses the same names). */
export function friendlyNameProblem(name: string): string | undefined {
  if (/[+#\u0000]/.test(name)) return 'must not contain MQTT wildcards (+, #)';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'must not start or end with / or have an empty level';
  if (name === 'bridge' || name.startsWith('bridge/')) return 'bridge/… is Zigbee2MQTT\'s own topic';
  const last = name.slice(name.lastIndexOf('/') + 1);
  if (RESERVED_LAST_LEVELS.has(last)) return `must not end in /${last} (a Zigbee2MQTT command topic)`;
  return undefined;
}

export function checkBridges(
  config: RawConfig,
  profiles: ReadonlyMap<string, AnyProfile>,
  checkSecret: (at: string, holder: { secret?: unknown; secretHash?: unknown }, what: string) => string[],
): string[] {
  const errors: string[] = [];
  const bridges = Array.isArray(config.bridges) ? config.bridges : [];
  const deviceIds = new Set(config.devices.map((d) => d?.id));
  const bridgeIds = new Set<string>();
  const topics: { topic: string; at: string }[] = [];
  for (const [i, bridge] of bridges.entries()) {
    const at = `bridges[${i}]`;
    if (bridge === null || typeof bridge !== 'object' || typeof bridge.id !== 'string') continue;
    if (bridgeIds.has(bridge.id)) errors.push(`${at}.id: duplicate bridge id "${bridge.id}"`);
    bridgeIds.add(bridge.id);
    if (deviceIds.has(bridge.id)) {
      errors.push(`${at}.id: "${bridge.id}" is also a device id; a bridge signs in to MQTT under its id, so it must differ from every device's`);
    }
    errors.push(...checkSecret(at, bridge, `bridge "${bridge.id}"`));
    const topic = typeof bridge.baseTopic === 'string' ? bridge.baseTopic : 'zigbee2mqtt';
    const problem = baseTopicProblem(topic);
    if (problem) {
      errors.push(`${at}.baseTopic: ${problem}`);
      continue;
    }
    // A topic under two bridges' base topics would be each one's: neither may contain the other.
    const overlap = topics.find((t) => t.topic === topic || topic.startsWith(`${t.topic}/`) || t.topic.startsWith(`${topic}/`));
    if (overlap) errors.push(`${at}.baseTopic: "${topic}" overlaps ${overlap.at}'s "${overlap.topic}"; give each bridge its own base topic`);
    topics.push({ topic, at });
  }

  const names = new Map<string, string>(); // `${bridge}\0${friendlyName}` → device id
  const zigbeeProfiles = [...profiles.values()].filter((p) => p.transport === 'zigbee2mqtt').map((p) => p.id);
  for (const [i, device] of config.devices.entries()) {
    const at = `devices[${i}]`;
    if (device === null || typeof device !== 'object') continue;
    const profile = profiles.get(device.profile);
    if (!profile) continue; // named by the caller
    if (profile.transport !== 'zigbee2mqtt') {
      if (device.bridge !== undefined) errors.push(`${at}.bridge: only Zigbee2MQTT profiles (${zigbeeProfiles.join(', ')}) report through a bridge; profile ${profile.id} does not`);
      if (device.friendlyName !== undefined) errors.push(`${at}.friendlyName: only Zigbee2MQTT profiles (${zigbeeProfiles.join(', ')}) have a friendly name`);
      continue;
    }
    for (const field of ['secret', 'secretHash'] as const) {
      if (device[field] !== undefined) errors.push(`${at}.${field}: a Zigbee device signs in through its bridge; put the secret on its bridges[] entry`);
    }
    if (device.bridge === undefined) {
      errors.push(`${at}.bridge: is required for Zigbee2MQTT profile "${profile.id}" (the id of a bridges[] entry)`);
    } else if (typeof device.bridge === 'string' && !bridgeIds.has(device.bridge)) {
      errors.push(`${at}.bridge: unknown bridge "${device.bridge}" (bridges: ${[...bridgeIds].join(', ') || 'none'})`);
    }
    if (device.friendlyName === undefined) {
      errors.push(`${at}.friendlyName: is required for Zigbee2MQTT profile "${profile.id}" (its name in Zigbee2MQTT, e.g. sos_201)`);
      continue;
    }
    if (typeof device.friendlyName !== 'string') continue; // the schema names it
    const problem = friendlyNameProblem(device.friendlyName);
    if (problem) {
      errors.push(`${at}.friendlyName: ${problem}`);
      continue;
    }
    const key = `${device.bridge}\u0000${device.friendlyName}`;
    const taken = names.get(key);
    if (taken !== undefined) errors.push(`${at}.friendlyName: "${device.friendlyName}" is already device ${taken}'s on bridge ${device.bridge}`);
    else names.set(key, device.id);
  }
  return errors;
}
