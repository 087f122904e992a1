import type { Incident, UplinkStatus } from './types.ts';

export type DeliveryState = { readonly state: 'off' } | { readonly state: 'delivered' } | { readonly state: 'pending'; readonly depth: number } | { readonly state: 'parked'; readonly reason: string };

/**
 * Where an incident's messages to the county platform stand. The API reports
 * the outbox per sink, not per incident: every change is written to the outbox
 * with the change itself, so an empty county backlog means this incident's
 * changes were delivered; otherwise they may be among those waiting.
 */
export function deliveryOf(_incident: Incident, uplink: UplinkStatus | undefined): DeliveryState {
  if (!uplink || !uplink.enabled) return { state: 'off' };
  const county = uplink.sinks.find((s) => s.sink === 'county');
  if (county?.parked) return { state: 'parked', reason: county.parked.reason };
  const depth = county?.depth ?? uplink.depth;
  return depth === 0 ? { state: 'delivered' } : { state: 'pending', depth };
}

export type UplinkHealth = 'disabled' | 'ok' | 'retrying' | 'parked';

/** The county sink in one word for the overview. */
export function uplinkHealth(uplink: UplinkStatus | undefined): UplinkHealth {
  if (!uplink || !uplink.enabled) return 'disabled';
  const county = uplink.sinks.find((s) => s.sink === 'county') ?? uplink.sinks[0];
  if (!county) return 'ok';
  if (county.parked || county.state === 'parked') return 'parked';
  if (county.state === 'backoff' || (county.lastErrorAt !== null && (county.lastSuccessAt ?? 0) < county.lastErrorAt)) return 'retrying';
  return 'ok';
}
