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
  if (!parts) return { ok: false, reason: `topic ${JSON.stringify(shortTopic(topic))} is outside devices/${deviceId}/events|status` };
  if (parts[1] !== deviceId) return { ok: false, reason: `device ${deviceId} may not publish as ${shortTopic(parts[1])}` };
  if (!PUBLISH_CHANNELS.has(parts[2])) return { ok: false, reason: `devices publish to events or status, not ${shortTopic(parts[2])}` };
  return { ok: true, channel: parts[2] };
}

export function maySubscribe(deviceId: string, topicFilter: string): Verdict {
  if (topicFilter.includes('#') || topicFilter.includes('+')) return { ok: false, reason: `wildcard subscription ${JSON.stringify(shortTopic(topicFilter))} refused` };
  if (topicFilter.startsWith('$')) return { ok: false, reason: `${shortTopic(topicFilter)} is reserved` };
  if (topicFilter !== `devices/${deviceId}/commands`) {
    return { ok: false, reason: `device ${deviceId} may subscribe only to devices/${deviceId}/commands, not ${shortTopic(topicFilter)}` };
  }
  return { ok: true, channel: 'commands' };
}

export function commandTopic(deviceId: string): string {
  return `devices/${deviceId}/commands`;
}

/** A topic or filter as logged: at most `max` characters, so a refused 64 KiB filter costs a short line. */
export function shortTopic(topic: string, max = 80): string {
  return topic.length <= max ? topic : `${topic.slice(0, max)}… (${topic.length} characters)`;
}
