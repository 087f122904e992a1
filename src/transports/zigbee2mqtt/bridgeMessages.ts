/**
 * What Zigbee2MQTT says about itself, pure: `bridge/state` and `bridge/devices`.
 */

/**
 * `bridge/state`: `online`/`offline` as text (Zigbee2MQTT 1.x before 1.29) or
 * `{"state":"online"}` (later 1.x and 2.x; also its last will).
 */
export function bridgeState(payload: Buffer): 'online' | 'offline' | undefined {
  const text = payload.toString('utf8').trim();
  if (text === 'online' || text === 'offline') return text;
  try {
    const parsed = JSON.parse(text) as unknown;
    const state = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>)['state'] : undefined;
    return state === 'online' || state === 'offline' ? state : undefined;
  } catch {
    return undefined;
  }
}

/** A device Zigbee2MQTT has paired, as `gatehouse discover` lists it. */
export interface PairedDevice {
  readonly friendlyName: string;
  readonly ieeeAddress: string;
  readonly type: string;
  readonly vendor?: string | undefined;
  readonly model?: string | undefined;
  readonly description?: string | undefined;
  readonly supported: boolean;
}

/** Paired devices kept per bridge, at most (a list is replaced, never grown). */
export const MAX_PAIRED = 2000;

/**
 * `bridge/devices` (retained): an array of `{ ieee_address, friendly_name, type,
 * supported, definition: { vendor, model, description, exposes… } | null, … }`;
 * the coordinator is left out. Undefined when it is not such a list.
 */
export function pairedDevices(payload: Buffer): PairedDevice[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const out: PairedDevice[] = [];
  for (const entry of parsed.slice(0, MAX_PAIRED + 1)) {
    if (entry === null || typeof entry !== 'object') continue;
    const e = entry as Record<string, unknown>;
    if (typeof e['friendly_name'] !== 'string' || e['type'] === 'Coordinator') continue;
    const d = (e['definition'] ?? {}) as Record<string, unknown>;
    const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    out.push({
      friendlyName: e['friendly_name'],
      ieeeAddress: text(e['ieee_address']) ?? '?',
      type: text(e['type']) ?? '?',
      vendor: text(d['vendor']),
      model: text(d['model']),
      description: text(d['description']),
      supported: e['supported'] !== false,
    });
  }
  return out.slice(0, MAX_PAIRED);
}
