import { shortTopic, type Verdict } from '../mqtt/topics.ts';

/**
 * The topic ACL of a Zigbee2MQTT bridge account (DESIGN.md "Zigbee2MQTT"
 * contract), pure. The bridge publishes and subscribes under its base topic
 * only; within it, the topics Zigbee2MQTT uses
 * (https://www.zigbee2mqtt.io/guide/usage/mqtt_topics_and_messages.html):
 *   {base}/{friendlyName}               a device's state (JSON)
 *   {base}/{friendlyName}/availability  online/offline, when availability is on
 *   {base}/{friendlyName}/set|get[/…]   commands to it (others publish those)
 *   {base}/bridge/state                 the bridge online/offline (retained; its last will)
 *   {base}/bridge/devices               the paired devices (retained)
 *   {base}/bridge/…                     info, logging, definitions, responses: not for the hub
 * A friendly name may itself contain `/` (config checks keep it clear of these suffixes).
 */
export type BridgeTopic =
  | { readonly ok: true; readonly kind: 'state' | 'availability'; readonly friendlyName: string }
  | { readonly ok: true; readonly kind: 'bridge-state' | 'bridge-devices' | 'ignored' }
  | { readonly ok: false; readonly reason: string };

const COMMAND_LEVELS = new Set(['set', 'get']);

export function bridgePublish(bridgeId: string, baseTopic: string, topic: string): BridgeTopic {
  const prefix = `${baseTopic}/`;
  if (!topic.startsWith(prefix) || topic.length === prefix.length) {
    return { ok: false, reason: `bridge ${bridgeId} may publish only under ${baseTopic}/, not ${JSON.stringify(shortTopic(topic))}` };
  }
  const rest = topic.slice(prefix.length);
  if (rest === 'bridge/state') return { ok: true, kind: 'bridge-state' };
  if (rest === 'bridge/devices') return { ok: true, kind: 'bridge-devices' };
  if (rest.startsWith('bridge/')) return { ok: true, kind: 'ignored' };
  const levels = rest.split('/');
  // {name}/set, {name}/set/{attribute}, {name}/get…: a command echoed, not a report.
  if (levels.some((l, i) => i > 0 && COMMAND_LEVELS.has(l))) return { ok: true, kind: 'ignored' };
  if (levels.length > 1 && levels[levels.length - 1] === 'availability') return { ok: true, kind: 'availability', friendlyName: levels.slice(0, -1).join('/') };
  return { ok: true, kind: 'state', friendlyName: rest };
}

/** Zigbee2MQTT subscribes to `{base}/#` (and must get it, or it stops): wildcards within its base topic are allowed. */
export function bridgeMaySubscribe(bridgeId: string, baseTopic: string, filter: string): Verdict {
  if (filter === baseTopic || filter.startsWith(`${baseTopic}/`)) return { ok: true, channel: 'bridge' };
  return { ok: false, reason: `bridge ${bridgeId} may subscribe only under ${baseTopic}/, not ${shortTopic(filter)}` };
}
