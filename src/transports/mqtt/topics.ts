/**
 * The topic ACL (DESIGN.md "MQTT" contract), pure:
 *   a device publishes to devices/{id}/events and devices/{id}/status,
 *   subscribes to devices/{id}/commands, and nothing else — no wildcards, no $SYS.
 */
export type Verdict = { readonly ok: true; readonly channel: string } | { readonly ok: false; readonly reason: string };

const PUBLISH_CHANNELS = new Set(['events', 'status']);

function split(topic: string): [string, string, string] | undefined {
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[0] !== 'devices') return undefined;
  return parts as [string, string, string];
}

export function mayPublish(deviceId: string, topic: string): Verdict {
  const parts = split(topic);
  if (!parts) return { ok: false, reason: `topic ${JSON.stringify(topic)} is outside devices/${deviceId}/events|status` };
  if (parts[1] !== deviceId) return { ok: false, reason: `device ${deviceId} may not publish as ${parts[1]}` };
  if (!PUBLISH_CHANNELS.has(parts[2])) return { ok: false, reason: `devices publish to events or status, not ${parts[2]}` };
  return { ok: true, channel: parts[2] };
}

export function maySubscribe(deviceId: string, topicFilter: string): Verdict {
  if (topicFilter.includes('#') || topicFilter.includes('+')) return { ok: false, reason: `wildcard subscription ${JSON.stringify(topicFilter)} refused` };
  if (topicFilter.startsWith('$')) return { ok: false, reason: `${topicFilter} is reserved` };
  if (topicFilter !== `devices/${deviceId}/commands`) {
    return { ok: false, reason: `device ${deviceId} may subscribe only to devices/${deviceId}/commands, not ${topicFilter}` };
  }
  return { ok: true, channel: 'commands' };
}

export function commandTopic(deviceId: string): string {
  return `devices/${deviceId}/commands`;
}
